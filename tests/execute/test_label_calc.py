"""label_pool on h_calc: one labelled store shared by the module; each test checks one promise."""

from __future__ import annotations

import pytest

from bugprm.execute import execute_candidates, harness_oracle, label_pool
from bugprm.records import Outcome
from bugprm.store import Store


@pytest.fixture(scope="module")
def labelled(h, tmp_path_factory):
    repo = h.copy_fixture("h_calc", tmp_path_factory.mktemp("calc"))
    candidates = h.calc_candidates(repo)
    before = h.tree_digest(repo)
    h.store_with(repo, list(candidates.values()))
    summary = label_pool(repo, None, workers=2, **h.FAST)
    with Store.open(repo / ".bugprm") as store:
        executions = store.executions(summary.fingerprint)
        stored = {c.id: c for c in store.candidates()}
    return {"repo": repo, "candidates": candidates, "summary": summary, "executions": executions,
            "stored": stored, "before": before}


@pytest.mark.parametrize("name, outcome", [
    ("killed", Outcome.KILLED), ("survived", Outcome.SURVIVED), ("boundary_survived", Outcome.SURVIVED),
    ("no_coverage", Outcome.NO_COVERAGE), ("module_level", Outcome.KILLED), ("incompetent", Outcome.INCOMPETENT),
    ("timeout", Outcome.TIMEOUT), ("segfault", Outcome.KILLED), ("memory", Outcome.KILLED),
])
def test_each_candidate_gets_its_known_outcome(labelled, name, outcome):
    execution = labelled["executions"][labelled["candidates"][name].id]
    assert execution.outcome is outcome, execution.detail


def test_a_killed_candidate_names_its_first_killer_and_costs(labelled):
    execution = labelled["executions"][labelled["candidates"]["killed"].id]
    assert execution.failing_tests == ("tests/check_ops.py::test_add",)
    assert execution.tests_run == ("tests/check_ops.py::test_add",)
    assert execution.duration > 0 and execution.cpu_seconds > 0


def test_a_crash_is_explained(labelled):
    detail = labelled["executions"][labelled["candidates"]["segfault"].id].detail
    assert "SIGSEGV" in detail and "test_is_even" in detail


def test_summary_counts_every_outcome_once(labelled):
    summary = labelled["summary"]
    assert summary.executed == len(labelled["candidates"]) and summary.skipped_already_done == 0
    assert sum(summary.outcomes.values()) == summary.executed
    assert summary.outcomes["killed"] == 4 and summary.broken_tests == {}


def test_dynamic_features_fill_the_steps(labelled):
    killed = labelled["stored"][labelled["candidates"]["killed"].id]
    assert killed.features["covering_tests"] == 1 and killed.features["line_covered"] == 1
    assert killed.features["covering_assertions"] == 1 and killed.features["function_tests"] == 1
    assert "covering_tests=1" in killed.step("analyze").text
    assert "tests/check_ops.py::test_add" in killed.step("validate").text
    uncovered = labelled["stored"][labelled["candidates"]["no_coverage"].id]
    assert uncovered.features["line_covered"] == 0 and "no test covers" in uncovered.step("validate").text


def test_import_time_lines_belong_to_every_test(labelled):
    module_level = labelled["stored"][labelled["candidates"]["module_level"].id]
    assert module_level.features["import_time_line"] == 1 and module_level.features["covering_tests"] == 7
    # calc's own import runs it too (harness.self_import, traced in the reference run); a test body's line it never runs
    assert module_level.features["self_import_line"] == 1
    assert labelled["stored"][labelled["candidates"]["killed"].id].features["self_import_line"] == 0


def test_the_users_tree_is_byte_identical(labelled, h):
    assert h.tree_digest(labelled["repo"]) == labelled["before"]


def test_a_second_run_executes_nothing_again(labelled, h):
    again = label_pool(labelled["repo"], None, workers=1, **h.FAST)
    assert again.executed == 0 and again.skipped_already_done == len(labelled["candidates"])
    assert again.fingerprint == labelled["summary"].fingerprint


def test_execute_candidates_reuses_stored_verdicts(labelled, h):
    ids = [labelled["candidates"][n].id for n in ("survived", "killed")]
    with Store.open(labelled["repo"] / ".bugprm") as store:
        executions = execute_candidates(store, labelled["repo"], ids, **h.FAST)
        oracle = harness_oracle(store, labelled["repo"], **h.FAST)([labelled["candidates"]["survived"]])
        assert store.fingerprint() == labelled["summary"].fingerprint
    assert [e.candidate_id for e in executions] == ids
    assert [e.outcome for e in executions] == [Outcome.SURVIVED, Outcome.KILLED]
    assert oracle == {ids[0]: executions[0]}


def test_changed_settings_never_reuse_a_verdict_and_full_matrix_records_every_killer(h, tmp_path):
    repo = h.copy_fixture("h_calc", tmp_path)
    candidate = h.replace_once(repo, h.OPS, "value < low", "value > low", function="clamp")
    h.store_with(repo, [candidate])
    first = label_pool(repo, None, **h.FAST)
    second = label_pool(repo, None, full_matrix=True, **h.FAST)
    assert first.fingerprint != second.fingerprint and second.executed == 1
    with Store.open(repo / ".bugprm") as store:
        stop_first = store.executions(first.fingerprint)[candidate.id]
        matrix = store.executions(second.fingerprint)[candidate.id]
    assert len(stop_first.failing_tests) == 1
    assert set(matrix.failing_tests) == {"tests/check_ops.py::test_clamp_low", "tests/check_ops.py::test_clamp_inside"}


def test_candidates_added_later_still_get_features(labelled, h):
    late = h.replace_once(labelled["repo"], h.OPS, "return x - 1", "return x")
    with Store.open(labelled["repo"] / ".bugprm") as store:
        store.add_candidates([late])
    label_pool(labelled["repo"], None, ids=[late.id], **h.FAST)
    with Store.open(labelled["repo"] / ".bugprm") as store:
        assert store.candidate(late.id).features["line_covered"] == 0
