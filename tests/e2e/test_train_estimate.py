"""`bugprm train --goal estimate` end to end on the calc fixture: draws with recorded probabilities, the estimate
and its interval in the training card, and the same numbers read back from the round log by `bugprm report`."""

import json
import shutil
from pathlib import Path

import pytest

from bugprm.store import Store

FIXTURE = Path(__file__).parents[1] / "fixtures" / "h_calc"



@pytest.fixture(scope="module")
def estimated(tmp_path_factory, bare_venv, bugprm_process):
    repo = tmp_path_factory.mktemp("estimate") / "calc"
    shutil.copytree(FIXTURE, repo)
    result = bugprm_process("train", str(repo), "--config", "tiny", "--goal", "estimate", "--budget", "0.5",
                            "--python", str(bare_venv), cwd=repo)
    assert result.returncode == 0, result.stderr
    return repo, json.loads((repo / ".bugprm" / "model" / "training_card.json").read_text())


def test_the_card_holds_a_design_estimate_within_the_budget(estimated):
    repo, card = estimated
    found = card["extra"]["goals"]["estimate"]
    assert found["kind"] == "design" and found["draws"] == int(0.5 * card["pool_size"])
    uncovered = card["extra"]["goals"]["gaps"]["uncovered"]  # no_coverage without a test run, outside the draws
    assert uncovered and found["executed"] + uncovered == card["executed"] and found["executed"] <= found["draws"]
    assert 0 <= found["low"] <= found["value"] <= found["high"] <= 1 and found["high"] > found["low"]
    with Store.open(repo / ".bugprm") as store:
        drawn = [row for r in store.rounds(card["run_id"]) for row in r["metrics"].get("draws", [])]
    assert len(drawn) == found["draws"] and all(0 < row[1] <= 1 for row in drawn)
    assert "mutation score: " in (repo / ".bugprm" / "model" / "training_card.md").read_text()


def test_report_reads_the_three_goals_back_from_the_round_log(estimated, bugprm_process):
    repo, card = estimated
    result = bugprm_process("report", str(repo), "--format", "json", cwd=repo)
    assert result.returncode == 0, result.stderr
    training = json.loads(result.stdout)["training"]
    assert training["run_id"] == card["run_id"]
    assert training["estimate"] == card["extra"]["goals"]["estimate"]
    assert training["gaps"] == card["extra"]["goals"]["gaps"]
    assert set(training["rank"]) == {"auroc_oob", "calibration_error_oob", "trained_on"}
