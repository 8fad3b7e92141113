"""The trained PRM's calibration: cross-fitted on out-of-fold scores (the PRM saves and applies it)."""

import numpy as np
import pytest

from bugprm.active.prm_calibration import cross_fitted_calibration
from bugprm.active.strategies import Prediction
from bugprm.calibration import adaptive_calibration_error, fit_calibration
from bugprm.records import Candidate, Kind, Step, StepName


def labelled(count, seed=0):
    """Trajectories whose fate follows feature x: killed with chance x."""
    rng = np.random.default_rng(seed)
    made = []
    for i in range(count):
        x = float(rng.random())
        label = int(rng.random() < x)
        made.append(Candidate(f"c{i}", Kind.BUG, "r", "f.py", "f", i, "op", "fam", "",
                              (Step(StepName.LOCATE, "s", label),), features={"x": x}))
    return made


class Overconfident:
    """Says x pushed towards 0 and 1: ranks right, probabilities wrong. Records what it was fitted on."""

    def __init__(self):
        self.fitted = []

    def refit(self, candidates):
        self.fitted = [c.id for c in candidates]

    def predict(self, candidates, mc_passes=0):
        pushed = [c.features["x"] ** 3 / (c.features["x"] ** 3 + (1 - c.features["x"]) ** 3) for c in candidates]
        return [Prediction(c.id, np.array([[p]])) for c, p in zip(candidates, pushed)]


def test_the_map_is_fitted_out_of_fold_and_lowers_the_calibration_error():
    learners = []
    calibration, report = cross_fitted_calibration(lambda fold: learners.append(Overconfident()) or learners[-1],
                                                   labelled(400), "platt")
    assert len(learners) == 2 and not set(learners[0].fitted) & set(learners[1].fitted)
    assert report["calibration"] == "platt" and report["calibration_labels"] == 400
    assert report["calibration_error"] < report["calibration_error_raw"] - 0.03


def test_too_few_labels_leave_the_scores_as_they_are():
    calibration, report = cross_fitted_calibration(lambda fold: Overconfident(), labelled(10), "platt")
    assert calibration.kind == "none" and "needs" in report["calibration_note"]


class Recording(Overconfident):
    """Two heads around the overconfident score on the last step, a sure first step: the trajectory's score is
    the heads' mean at its weakest step. Records what it was asked to score."""

    def __init__(self):
        super().__init__()
        self.scored = []

    def predict(self, candidates, mc_passes=0):
        self.scored += [c.id for c in candidates]
        return [Prediction(p.id, np.array([[1.0, p.per_head[0, 0] - 0.01], [1.0, p.per_head[0, 0] + 0.01]]))
                for p in super().predict(candidates)]


def pushed(candidates):
    return [Overconfident().predict([c])[0].per_head[0, 0] for c in candidates]


def unjudged(count):
    return [Candidate(f"u{i}", Kind.BUG, "r", "f.py", "f", i, "op", "fam", "", (Step(StepName.LOCATE, "s"),),
                      features={"x": 0.5}) for i in range(count)]


def test_each_judged_label_is_scored_once_by_the_learner_not_fitted_on_it():
    learners = []
    judged = labelled(60)
    cross_fitted_calibration(lambda fold: learners.append(Recording()) or learners[-1], judged + unjudged(5),
                             "platt", seed=3)
    for learner in learners:
        assert learner.fitted and learner.scored and not set(learner.fitted) & set(learner.scored)
        assert sorted(learner.fitted + learner.scored) == sorted(c.id for c in judged)
    assert sorted(learners[0].scored + learners[1].scored) == sorted(c.id for c in judged)


@pytest.mark.parametrize("kind", ["platt", "isotonic"])
def test_the_map_and_its_report_are_fitted_on_the_weakest_steps_mean(kind):
    judged = labelled(80, seed=4)
    labels = [c.steps[-1].label for c in judged]
    calibration, report = cross_fitted_calibration(lambda fold: Recording(), judged + unjudged(3), kind)
    expected = fit_calibration(kind, pushed(judged), labels)
    assert calibration.kind == kind and (calibration.slope, calibration.intercept) == pytest.approx(
        (expected.slope, expected.intercept)) and calibration.knots_y == pytest.approx(expected.knots_y)
    assert report == {"calibration": kind, "calibration_labels": 80,
                      "calibration_error_raw": round(adaptive_calibration_error(pushed(judged), labels), 4),
                      "calibration_error": round(adaptive_calibration_error(expected(pushed(judged)), labels), 4)}


def test_twenty_judged_labels_of_both_outcomes_are_enough():
    judged = labelled(60)
    just = [c for c in judged if c.steps[-1].label][:10] + [c for c in judged if not c.steps[-1].label][:10]
    assert cross_fitted_calibration(lambda fold: Overconfident(), just, "platt")[0].kind == "platt"
    calibration, report = cross_fitted_calibration(lambda fold: Overconfident(), just[1:] + unjudged(4), "platt")
    assert calibration.kind == "none" and report == {"calibration": "none", "calibration_labels": 19,
                                                     "calibration_note": "needs 20 labels of both outcomes"}


def test_one_outcome_only_leaves_the_scores_as_they_are():
    killed = [c for c in labelled(200) if c.steps[-1].label]
    calibration, report = cross_fitted_calibration(lambda fold: Overconfident(), killed, "platt")
    assert calibration.kind == "none" and report["calibration_labels"] == len(killed) >= 20


def with_coverage(count, seed=5):
    """Half the candidates no test covers (they all survive, the model scores them low but not 0), half covered
    and killed with chance x, scored overconfidently."""
    rng = np.random.default_rng(seed)
    made = []
    for i, c in enumerate(labelled(count, seed)):
        covered = i % 2 == 0
        x = c.features["x"] if covered else 0.1 + 0.3 * float(rng.random())
        label = c.steps[-1].label if covered else 0
        made.append(Candidate(c.id, Kind.BUG, "r", "f.py", "f", i, "op", "fam", "", (Step(StepName.LOCATE, "s", label),),
                              features={"x": x, "line_covered": int(covered)}))
    return made


def test_with_coverage_each_stratum_gets_its_own_map_and_the_uncovered_go_near_zero():
    judged = with_coverage(400)
    calibration, report = cross_fitted_calibration(lambda fold: Overconfident(), judged, "platt")
    assert report["calibration"] == "stratified" and report["calibration_error"] < report["calibration_error_raw"]
    uncovered = [c for c in judged if not c.features["line_covered"]]
    assert calibration(pushed(uncovered), ["uncovered"] * len(uncovered)).max() < 0.01
    covered = [c for c in judged if c.features["line_covered"]]
    mapped = calibration(pushed(covered), ["covered"] * len(covered))
    assert abs(mapped.mean() - np.mean([c.steps[-1].label for c in covered])) < 0.05
