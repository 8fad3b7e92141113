"""``bugprm repair`` on a repository whose own suite is red (h_red: ``inc`` adds 2 where its tests want 1): the
baseline records the failing tests instead of refusing, and the patch that makes them pass is ``correct``."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest

from bugprm.report.jsonl import export_jsonl
from bugprm.repair import RepairRequest, run_repair
from bugprm.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
FAST = {"timeout_constant": 3.0, "baseline_timeout": 60.0, "memory_mb": 512}
FAILING = ("tests/check_red.py::test_inc_one", "tests/check_red.py::test_inc_zero")


@pytest.fixture(scope="module")
def red(tmp_path_factory):
    repo = Path(shutil.copytree(FIXTURES / "h_red", tmp_path_factory.mktemp("red") / "red"))
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file()}
    report = run_repair(RepairRequest(repo, execute=50, harness=FAST))
    out = StringIO()
    with Store.open(repo / ".bugprm") as store:
        export_jsonl(store, out)
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".bugprm" not in p.parts}
    return {"report": report, "before": before, "after": after,
            "exported": [json.loads(line) for line in out.getvalue().splitlines()]}


def test_the_failing_state_is_the_repositorys_own(red):
    state = red["report"].states[0]
    assert state.bug_id is None and state.failing_tests == FAILING
    assert state.suspicious[0]["file"] == "src/red/__init__.py"


def test_the_fix_is_correct_and_the_others_are_not(red):
    rows = red["report"].states[0].repairs
    correct = {r.diff.splitlines()[-1] for r in rows if r.outcome == "correct"}
    assert "+    return x + 1" in correct
    assert all(r.outcome in ("correct", "incorrect") for r in rows)
    assert [r.outcome for r in rows if r.diff.endswith("+    return x - 2\n")] == ["incorrect"]


def test_the_users_tree_is_unchanged(red):
    assert red["after"] == red["before"]


def test_the_repairs_export_without_a_bug(red):
    repairs = [r for r in red["exported"] if r["kind"] == "repair"]
    assert repairs and all(r["bug_id"] is None and r["outcome"] for r in repairs)
    assert "test_inc_zero" in repairs[0]["steps"][1]["text"]
