"""The default gate's arithmetic on hand-made scores: certain gaps fail, the rest count by survival probability."""

from dataclasses import replace

import pytest

from bugprm.errors import GateFailed
from bugprm.scoring.gate import MAX_SURVIVOR_SHARE, check_default_gate, weigh_gaps
from bugprm.records import BUG_STEPS, REPAIR_STEPS, Candidate, Kind, Outcome, Step
from bugprm.scoring.records import Recommendation, Region, ScoredCandidate, ScoreReport, ScoreSettings, StepScore


def scored(ident: str, score: float, covered: int | None = 1, kind: Kind = Kind.BUG, outcome=None):
    steps = BUG_STEPS if kind is Kind.BUG else REPAIR_STEPS
    features = {} if covered is None else {"line_covered": covered}
    candidate = Candidate(ident, kind, "/repo", "app.py", "f", 3, "op", "family", "", tuple(Step(s, "") for s in steps),
                          features=features)
    step = StepScore("validate", score, 0.0, "")
    recommendation = Recommendation.USE if score >= 0.7 else Recommendation.REFINE
    return ScoredCandidate(candidate, Region(3, 1, 3, 2), (step,), score, recommendation, step, 0.0, outcome)


def report(*candidates) -> ScoreReport:
    return ScoreReport("model", "changes", ScoreSettings(), candidates)


def test_a_candidate_no_test_runs_fails_the_gate_whatever_its_score():
    gate = weigh_gaps(report(scored("a", 0.99, covered=0), scored("b", 0.9)))
    assert [c.id for c in gate.certain] == ["a"] and gate.failed
    with pytest.raises(GateFailed, match="1 candidate bugs no test catches .* on 1 changed lines: app.py:3"):
        check_default_gate(report(scored("a", 0.99, covered=0)))


def test_the_rest_count_by_survival_probability_and_hunks_not_at_all():
    at_the_bar = report(scored("a", 0.5), scored("b", 0.5), scored("h", 0.0, None, Kind.REPAIR))
    assert weigh_gaps(at_the_bar).survivor_share == MAX_SURVIVOR_SHARE and not weigh_gaps(at_the_bar).failed
    above = report(scored("a", 0.5), scored("b", 0.48))
    with pytest.raises(GateFailed, match=r"expected to let through 1.0 of the other 2 candidate bugs \(51%"):
        check_default_gate(above)


def test_executed_outcomes_replace_predictions():
    killed, survived = scored("a", 0.1, outcome=Outcome.KILLED), scored("b", 0.9, outcome=Outcome.SURVIVED)
    gate = weigh_gaps(report(killed, replace(scored("c", 0.1, covered=0), outcome=Outcome.KILLED)))
    assert not gate.failed and gate.expected_survivors == 0.0
    assert [c.id for c in weigh_gaps(report(killed, survived)).certain] == ["b"]
