"""End to end on a small real repository: generate, ActPRM train under a budget, score with the trained model.

Real pytest runs through the harness in a bare venv (only pytest), a real SQLite store, real training steps on the
tiny config. A resumed train (same run, nothing executed twice, the budget kept) is checked without a second PRM
training in tests/active/test_train_run.py.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bugprm.store import Store

FIXTURE = Path(__file__).parents[1] / "fixtures" / "h_calc"



@pytest.fixture(scope="module")
def trained(tmp_path_factory, bare_venv, bugprm_process):
    repo = tmp_path_factory.mktemp("e2e") / "calc"
    shutil.copytree(FIXTURE, repo)
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    result = bugprm_process("train", str(repo), "--config", "tiny", "--budget", "0.4", "--eval-fraction", "0.25",
                            "--python", str(bare_venv), cwd=repo)
    assert result.returncode == 0, result.stderr
    return repo, before, result


def test_train_spends_at_most_the_budget_and_writes_a_card(trained):
    repo, _, _ = trained
    card = json.loads((repo / ".bugprm" / "model" / "training_card.json").read_text())
    assert card["executed"] <= int(0.4 * card["pool_size"])
    assert card["executed"] >= 1 and card["rounds"]
    assert (repo / ".bugprm" / "model" / "training_card.md").read_text().startswith("# Training card")
    assert card["held_out_metrics"]["held_out"] > 0
    assert card["extra"]["executor"] == "local" and sum(card["extra"]["cpu_seconds_by_node"].values()) > 0


def test_a_venv_with_only_pytest_labels_with_per_test_coverage(trained, bare_venv):
    has_coverage = subprocess.run([str(bare_venv), "-c", "import coverage"], capture_output=True)
    assert has_coverage.returncode != 0, "the venv must lack coverage.py for this test to prove anything"
    repo, _, _ = trained
    with Store.open(repo / ".bugprm") as store:
        outcomes = {str(e.outcome) for e in store.executions().values()}
        covered = store.coverage(store.get_meta("baseline"))
    assert "killed" in outcomes and "infra_error" not in outcomes
    assert any(test.endswith("::test_add") for tests in covered.values() for test in tests)


def test_rounds_never_select_a_candidate_twice(trained):
    repo, _, _ = trained
    with Store.open(repo / ".bugprm") as store:
        run_id = json.loads((repo / ".bugprm" / "model" / "training_card.json").read_text())["run_id"]
        selected = [i for r in store.rounds(run_id) for i in r["selected"]]
    assert len(selected) == len(set(selected))


def test_user_files_are_untouched(trained):
    repo, before, _ = trained
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".bugprm" not in p.parts}
    assert after == before


@pytest.fixture(scope="module")
def scored(trained, bugprm_process):
    """One `score --bugs` run shared by the tests below (each run loads torch and the model: the suite's time)."""
    repo, _, _ = trained
    return bugprm_process("score", "--bugs", "--repo", str(repo), "--format", "json", "--fail-under", "0.0",
                          cwd=repo)


def test_score_bugs_with_the_trained_model(trained, scored):
    repo, _, _ = trained
    assert scored.returncode == 0, scored.stderr  # --fail-under 0.0: the gate passes
    document = json.loads(scored.stdout)
    with Store.open(repo / ".bugprm") as store:
        fingerprint = store.fingerprint()
        unexecuted = {c.id for c in store.candidates()} - set(store.executions(fingerprint))
    assert {c["id"] for c in document["candidates"]} == unexecuted
    for candidate in document["candidates"]:
        assert candidate["recommendation"] == ("use" if candidate["score"] >= 0.7 else "refine")
        assert [s["name"] for s in candidate["steps"]] == ["locate", "analyze", "select", "inject", "validate"]


def test_fail_under_gates_on_the_real_model(trained, bugprm_process):
    repo, _, _ = trained
    assert bugprm_process("score", "--bugs", "--repo", str(repo), "--format", "json", "--fail-under", "1.0",
                          cwd=repo).returncode == 1


def test_logs_show_progress_and_no_library_warning(trained, scored):
    _, _, result = trained
    assert "train: executing in calc:" in result.stderr and "Warning" not in result.stderr
    assert scored.stderr.splitlines()[-1].startswith("score: ") and "Warning" not in scored.stderr
