"""Step labels: Math-Shepherd's hard estimate over shared step prefixes."""

from __future__ import annotations

from bugprm.labels import step_labels
from bugprm.records import Candidate, Execution, Kind, Outcome, Step, StepName, BUG_STEPS, REPAIR_STEPS


def _candidate(cid: str, texts: list[str], kind: Kind = Kind.BUG) -> Candidate:
    names = BUG_STEPS if kind is Kind.BUG else REPAIR_STEPS
    return Candidate(id=cid, kind=kind, repo="r", file="f.py", function="f", line=1, operator="op", family="fam",
                     diff="", steps=tuple(Step(n, t) for n, t in zip(names, texts)))


def _labels(candidates, outcomes):
    executions = {cid: Execution(cid, outcome) for cid, outcome in outcomes.items()}
    return {c.id: [s.label for s in c.steps] for c in step_labels(candidates, executions)}


SHARED = ["loc", "ana", "sel"]


def test_a_shared_prefix_is_positive_if_any_candidate_under_it_is_a_valid_bug():
    a = _candidate("a", [*SHARED, "inject a", "val"])
    b = _candidate("b", [*SHARED, "inject b", "val"])
    labels = _labels([a, b], {"a": Outcome.KILLED, "b": Outcome.SURVIVED})
    assert labels["a"] == [1, 1, 1, 1, 1]
    assert labels["b"] == [1, 1, 1, 0, 0]


def test_every_negative_outcome_gives_zero():
    negatives = [Outcome.SURVIVED, Outcome.NO_COVERAGE, Outcome.TIMEOUT, Outcome.INCOMPETENT]
    candidates = [_candidate(str(i), [*SHARED, f"inject {i}", "val"]) for i in range(len(negatives))]
    labels = _labels(candidates, {str(i): o for i, o in enumerate(negatives)})
    assert all(steps == [0, 0, 0, 0, 0] for steps in labels.values())


def test_the_gaps_target_labels_only_survivors_and_the_uncovered_zero():
    from bugprm.active.gap_target import NOT_A_GAP

    outcomes = [Outcome.SURVIVED, Outcome.NO_COVERAGE, Outcome.TIMEOUT, Outcome.INCOMPETENT, Outcome.KILLED]
    candidates = [_candidate(str(i), [f"loc {i}", "ana", "sel", "inject", "val"]) for i in range(len(outcomes))]
    executions = {str(i): Execution(str(i), o) for i, o in enumerate(outcomes)}
    labels = [c.steps[-1].label for c in step_labels(candidates, executions, positive=NOT_A_GAP)]
    assert labels == [0, 0, 1, 1, 1]


def test_unexecuted_and_infra_errors_leave_no_label_where_nothing_else_tells():
    a = _candidate("a", [*SHARED, "inject a", "val"])
    b = _candidate("b", [*SHARED, "inject b", "val"])
    c = _candidate("c", ["other", "ana", "sel", "inject c", "val"])
    labels = _labels([a, b, c], {"a": Outcome.SURVIVED, "b": Outcome.INFRA_ERROR})
    assert labels["a"] == [0, 0, 0, 0, 0]
    assert labels["b"] == [0, 0, 0, None, None]
    assert labels["c"] == [None] * 5


def test_prefixes_compare_texts_step_by_step_not_as_sets():
    a = _candidate("a", ["loc", "x", "sel", "inj", "val"])
    b = _candidate("b", ["loc", "y", "sel", "inj", "val"])
    labels = _labels([a, b], {"a": Outcome.KILLED})
    assert labels["b"] == [1, None, None, None, None]


def test_a_correct_patch_is_positive_for_repairs_and_kinds_never_mix():
    fix = _candidate("fix", [*SHARED, "edit", "val"], Kind.REPAIR)
    bug = _candidate("bug", [*SHARED, "edit", "val"])
    labels = _labels([fix, bug], {"fix": Outcome.CORRECT, "bug": Outcome.SURVIVED})
    assert labels["fix"] == [1, 1, 1, 1, 1] and labels["bug"] == [0, 0, 0, 0, 0]


def test_the_input_is_left_as_it_was():
    a = _candidate("a", [*SHARED, "inject a", "val"])
    step_labels([a], {"a": Execution("a", Outcome.KILLED)})
    assert all(s.label is None for s in a.steps) and StepName.LOCATE == a.steps[0].name
