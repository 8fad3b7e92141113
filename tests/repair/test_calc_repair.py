"""``bugprm repair`` on h_calc, with real pytest runs and a real store: a killed bug's inverse is among the patches
and correct, wrong patches are incorrect, user patches for the failing state run too, the user's tree is untouched,
and the repair trajectories export with their labels. Default harness settings throughout, so the CLI's run shares
the verdicts' fingerprint."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from click.testing import CliRunner

from bugprm.cli import cli
from bugprm.errors import InputError
from bugprm.execute import label_pool
from bugprm.execute.features import fill_features
from bugprm.execute.session import HarnessSession
from bugprm.report.jsonl import export_jsonl
from bugprm.mutate.run import generate_pool
from bugprm.records import Kind
from bugprm.repair import RepairRequest, run_repair
from bugprm.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
HUNK = "--- a/src/calc/ops.py\n+++ b/src/calc/ops.py\n@@ -4,2 +4,2 @@\n def add(a, b):\n-    return a - b\n"
GOOD, WRONG = HUNK + "+    return b + a\n", HUNK + "+    return a * b\n"


def _files(repo: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".bugprm" not in p.parts}


def _killed_bug(repo: Path):
    with Store.open(repo / ".bugprm") as store:
        return next(c for c in store.candidates(Kind.BUG) if c.function == "add" and c.edits[0].replacement == "-")


@pytest.fixture(scope="module")
def repaired(tmp_path_factory):
    root = tmp_path_factory.mktemp("repair")
    repo = Path(shutil.copytree(FIXTURES / "h_calc", root / "calc"))
    generate_pool(repo, None)
    bug = _killed_bug(repo)
    label_pool(repo, None, ids=[bug.id])
    (root / "good.diff").write_text(GOOD)
    (root / "wrong.diff").write_text(WRONG)
    before = _files(repo)
    patches = (root / "good.diff", root / "wrong.diff")
    report = run_repair(RepairRequest(repo, bug_id=bug.id, execute=100, patch_files=patches))
    out = StringIO()
    with Store.open(repo / ".bugprm") as store:
        export_jsonl(store, out)
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    return {"repo": repo, "bug": bug, "report": report, "before": before,
            "exported": {r["id"]: r for r in exported if r["kind"] == "repair"}}


def _rows(repaired, operator: str, added: str):
    state = repaired["report"].states[0]
    return [r for r in state.repairs if r.operator == operator and f"+{added}\n" in r.diff]


def test_the_failing_state_is_the_killed_bug(repaired):
    state = repaired["report"].states[0]
    assert state.bug_id == repaired["bug"].id and state.failing_tests == ("tests/check_ops.py::test_add",)
    assert (state.suspicious[0]["file"], state.suspicious[0]["line"], state.suspicious[0]["ochiai"]) == (
        "src/calc/ops.py", 5, 1.0)


def test_the_inverse_of_the_bug_is_among_the_patches_and_correct(repaired):
    [inverse] = _rows(repaired, "arithmetic_swap", "    return a + b")
    assert inverse.outcome == "correct"


def test_wrong_patches_are_incorrect_and_name_the_test_still_failing(repaired):
    [swapped] = _rows(repaired, "operand_swap", "    return b - a")
    [wrong] = _rows(repaired, "user_patch", "    return a * b")
    for row in (swapped, wrong):
        assert row.outcome == "incorrect" and row.failing_tests == ("tests/check_ops.py::test_add",)


def test_a_users_patch_for_the_failing_state_is_run(repaired):
    [good] = _rows(repaired, "user_patch", "    return b + a")
    assert good.outcome == "correct"


def test_every_patch_was_executed_and_the_users_tree_is_unchanged(repaired):
    rows = repaired["report"].states[0].repairs
    assert len(rows) >= 10 and {r.outcome for r in rows} == {"correct", "incorrect"}
    assert _files(repaired["repo"]) == repaired["before"]


def test_repairs_export_with_their_bug_diff_labels_and_outcome(repaired):
    exported = repaired["exported"]
    [inverse] = _rows(repaired, "arithmetic_swap", "    return a + b")
    [swapped] = _rows(repaired, "operand_swap", "    return b - a")
    record = exported[inverse.id]
    assert record["bug_id"] == repaired["bug"].id and record["outcome"] == "correct"
    assert record["diff"].startswith("--- a/src/calc/ops.py") and "-    return a - b" in record["diff"]
    assert [s["name"] for s in record["steps"]] == ["locate", "analyze", "select", "edit", "validate"]
    assert [s["label"] for s in record["steps"]] == [1, 1, 1, 1, 1]
    assert [s["label"] for s in exported[swapped.id]["steps"]] == [1, 1, 0, 0, 0]  # same line, wrong operator
    assert "ochiai" in record["steps"][0]["text"] and "test_add" in record["steps"][1]["text"]


def test_the_cli_reports_the_ranking_as_json(repaired):
    result = CliRunner().invoke(cli, ["repair", str(repaired["repo"]), "--bug", repaired["bug"].id, "--execute",
                                      "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["states"][0]["bug_id"] == repaired["bug"].id
    assert all(r["outcome"] for r in report["states"][0]["repairs"][:2])


def test_bug_features_never_overwrite_a_patchs_steps(repaired):
    with Store.open(repaired["repo"] / ".bugprm") as store:
        before = {c.id: c.steps for c in store.candidates(Kind.REPAIR)}
        with HarnessSession.open(store, repaired["repo"]) as session:
            fill_features(store, session.runner, store.candidates())
        assert {c.id: c.steps for c in store.candidates(Kind.REPAIR)} == before


def test_a_bug_that_was_not_killed_is_refused(repaired):
    with Store.open(repaired["repo"] / ".bugprm") as store:
        unexecuted = next(c for c in store.candidates(Kind.BUG) if c.id != repaired["bug"].id)
    with pytest.raises(InputError, match="not a killed bug"):
        run_repair(RepairRequest(repaired["repo"], bug_id=unexecuted.id))


def test_fit_learns_from_bug_and_repair_trajectories_in_one_model(repaired):
    from bugprm.config import load_config, with_overrides
    from bugprm.model.fitting import fit_store

    config = with_overrides(load_config("tiny"), {"training": {"max_steps": 3, "batch_size": 4}})
    with Store.open(repaired["repo"] / ".bugprm") as store:
        model = fit_store(store, config)
        repairs = store.candidates(Kind.REPAIR)
    assert model.summary["runs"][-1]["trained_on"]["kinds"]["repair"] > 0
    assert all(len(scored.step_mean) == 5 for scored in model.score(repairs[:3]))


def test_from_store_killed_repairs_a_sample_of_the_killed_bugs(repaired):
    report = run_repair(RepairRequest(repaired["repo"], from_store_killed=3))
    assert [s.bug_id for s in report.states] == [repaired["bug"].id]  # the only killed bug
    assert len(report.states[0].repairs) == len(repaired["report"].states[0].repairs) - 2  # no user patches
