"""A killed bug's full failing spectrum, with real pytest runs on h_calc: ``value < low`` flipped to ``value > low``
in ``clamp`` fails two tests, labelling (``-x``) names one, and the failing state names both, with their messages.
The spectrum is stored once per bug and fingerprint, Ochiai then singles out the bug's line, and the user's tree is
never written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bugprm.execute import label_pool
from bugprm.execute.session import HarnessSession
from bugprm.execute.spectrum import bug_spectrum, full_matrix_runner, spectrum_key
from bugprm.mutate.run import generate_pool
from bugprm.records import Kind
from bugprm.repair import RepairRequest, run_repair
from bugprm.store import Store

FIXTURES = Path(__file__).parents[1] / "fixtures"
CLAMP_TESTS = {"tests/check_ops.py::test_clamp_low", "tests/check_ops.py::test_clamp_inside"}


def _files(repo: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".bugprm" not in p.parts}


@pytest.fixture(scope="module")
def flipped(tmp_path_factory):
    repo = Path(shutil.copytree(FIXTURES / "h_calc", tmp_path_factory.mktemp("spectrum") / "calc"))
    generate_pool(repo, None)
    with Store.open(repo / ".bugprm") as store:
        bug = next(c for c in store.candidates(Kind.BUG)
                   if c.function == "clamp" and c.operator == "comparison_flip" and c.line == 9)
    label_pool(repo, None, ids=[bug.id])
    before = _files(repo)
    report = run_repair(RepairRequest(repo, bug_id=bug.id))
    with Store.open(repo / ".bugprm") as store:
        with HarnessSession.open(store, repo) as session:
            verdict, runner = session.executed()[bug.id], full_matrix_runner(session.runner)
            stored = bug_spectrum(store, runner, None, bug, verdict)  # no slot: a run would fail
        raw = store.get_json(spectrum_key(runner, bug.id))
    return {"bug": bug, "verdict": verdict, "state": report.states[0], "stored": stored, "raw": raw,
            "changed": _files(repo) != before}


def test_labelling_stops_at_the_first_failing_test(flipped):
    assert flipped["verdict"].outcome == "killed" and len(flipped["verdict"].failing_tests) == 1


def test_the_failing_state_names_every_failing_test(flipped):
    assert set(flipped["state"].failing_tests) == CLAMP_TESTS


def test_ochiai_singles_out_the_bugs_line(flipped):
    first, second = flipped["state"].suspicious[:2]
    assert (first["line"], first["ochiai"], first["rank"]) == (9, 1.0, 1) and second["ochiai"] < 1.0


def test_the_spectrum_is_stored_and_read_back_without_running(flipped):
    stored = flipped["stored"]
    assert flipped["raw"] is not None and tuple(flipped["raw"]["failing"]) == stored.failing
    assert set(stored.failing) == CLAMP_TESTS and all("assert" in stored.messages[t] for t in CLAMP_TESTS)


def test_the_users_tree_is_unchanged(flipped):
    assert not flipped["changed"]
