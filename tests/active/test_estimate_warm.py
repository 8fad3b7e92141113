"""`--goal estimate` started warm: a learner that predicts before any label (the base model stacked under the forests)
draws the first round itself, and the interval's pseudo-terms keep the kill rate's range from the round log."""

import numpy as np
import pytest

from bugprm.active.estimate import UNINFORMED, estimate
from bugprm.active.estimate_loop import EstimatingLoop
from bugprm.active.goals import goal_summary
from bugprm.active.strategies import Prediction
from bugprm.config import ActiveLearningConfig, Budget
from bugprm.records import Candidate, Execution, Kind, Outcome, Step, StepName
from bugprm.trajectory import with_labels

SIZE = 200


def pool(uncovered_every=0, per_line=1):
    """Candidates with a feature x = i % 7, ``per_line`` on a line; every ``uncovered_every``-th one on a line no
    test runs."""
    steps = tuple(Step(name, f"{name} {i}") for i, name in enumerate(StepName) if name is not StepName.EDIT)
    return [Candidate(f"c{i:03d}", Kind.BUG, "r", "f.py", "f", i // per_line, "op", "fam", "", steps,
                      features={"x": i % 7, "line_covered": int(not uncovered_every or i % uncovered_every != 0)})
            for i in range(SIZE)]


def oracle(candidates):
    """Kills odd x; a candidate on an uncovered line is known without running a test."""
    def outcome(c):
        if not c.features["line_covered"]:
            return Outcome.NO_COVERAGE
        return Outcome.KILLED if c.features["x"] % 2 else Outcome.SURVIVED
    return {c.id: Execution(c.id, outcome(c)) for c in candidates}


def labeller(candidates, executions, positive=frozenset({Outcome.KILLED})):
    return [with_labels(c, [None if c.id not in executions else int(executions[c.id].outcome in positive)]
                        * len(c.steps)) for c in candidates]


class BaseLike:
    """Knows a probability per x before any label, as a base model does; counts its fits."""

    predicts_unlabelled = True

    def __init__(self, table):
        self.table, self.fits = table, []

    def fit(self, labelled):
        self.fits.append(len(labelled))
        return {"trained_on": len(labelled)}

    def predict(self, candidates, mc_passes=0):
        return [Prediction(c.id, np.full((2, len(c.steps)), self.table[c.features["x"]])) for c in candidates]


def run(learner, uncovered_every=0, warm_first=None, per_line=1, **chosen):
    settings = ActiveLearningConfig(**{"rounds": 10, "goal": "estimate", **chosen})
    loop = EstimatingLoop(pool(uncovered_every, per_line), learner, oracle, labeller, settings, Budget.parse("0.3"),
                          warm_first=warm_first)
    return loop, loop.run()


def per_round(loop):
    return [sum(d.round == r for d in loop.draws) for r in sorted({d.round for d in loop.draws})]


GUESS = {x: 0.8 if x % 2 else 0.3 for x in range(7)}


def test_a_warm_learner_draws_the_first_round_by_its_predictions_and_the_budget_over_every_round():
    learner = BaseLike(GUESS)
    loop, result = run(learner)
    first = result.rounds[0].metrics
    assert per_round(loop) == [15, 15, 15, 15] and learner.fits[0] == 0  # fitted before the first draw, on nothing
    assert first["seed_selection"] == "learner" and "seed_set" not in first and first["uniform_floor"] == 0.2
    assert {d.predicted for d in loop.draws if d.round == 0} <= {0.8, 0.3}
    assert first["kill_rate_range"] == [0.0, 1.0]


def test_a_learner_that_knows_every_verdict_gets_the_exact_kill_rate_from_its_first_round():
    loop, _ = run(BaseLike({x: float(x % 2) for x in range(7)}), rounds=1)
    truth = np.mean([c.features["x"] % 2 for c in loop.pool])
    assert loop.estimate(0.95).value == pytest.approx(truth)  # every term is the model's mean: residuals are 0


def test_the_range_known_by_coverage_is_logged_and_the_report_recomputes_the_same_interval():
    loop, result = run(BaseLike(GUESS), uncovered_every=5)
    assert result.rounds[0].metrics["kill_rate_range"] == [0.0, 0.8]  # 40 of 200 survive for certain
    found = loop.estimate(0.95)
    assert found == estimate(loop.draws, loop.verdicts(), SIZE, 0.95, (0.0, 0.8))
    logged = [{"round": r.round, "selected": list(r.selected), "metrics": r.metrics} for r in result.rounds]
    reported = goal_summary(logged, loop.verdicts())["estimate"]
    assert reported["kind"] == "design"
    assert (reported["value"], reported["low"], reported["high"]) == pytest.approx(
        (found.value, found.low, found.high), abs=1e-4)


def test_asked_for_a_seed_round_a_warm_learner_still_draws_it_uniformly():
    loop, result = run(BaseLike(GUESS), warm_first=False)
    assert per_round(loop)[0] == 15 and result.rounds[0].metrics["seed_selection"] == "uniform draws"
    assert {d.predicted for d in loop.draws if d.round == 0} == {UNINFORMED} and loop.bounds is None



def test_later_rounds_draw_by_the_verdicts_of_labelled_line_mates():
    """Lines of 7 (x = 0..6 on each) and a learner that says 0.5 for all: once a candidate of a line is labelled,
    its line-mates are predicted (verdicts + 0.5) / (labelled + 1), no longer 0.5."""
    loop, _ = run(BaseLike({x: 0.5 for x in range(7)}), per_line=7)
    assert {d.predicted for d in loop.draws if d.round == 0} == {0.5}
    later = {d.predicted for d in loop.draws if d.round > 0}
    assert later - {0.5} and all(0 < p < 1 for p in later)
