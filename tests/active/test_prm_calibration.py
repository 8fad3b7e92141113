"""The trained PRM's calibration: cross-fitted on out-of-fold scores, saved beside the model, applied by the scorer."""

import numpy as np
import pytest

from bugprm.active.prm_calibration import CalibratedScorer, cross_fitted_calibration, load_calibration, save_calibration
from bugprm.active.strategies import Prediction
from bugprm.records import Candidate, Kind, Step, StepName, TrajectoryScore


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


class FixedScorer:
    def score(self, candidates):
        return [TrajectoryScore(c.id, (0.9, 0.99), (0.0, 0.0), ((0.85, 0.98), (0.95, 1.0))) for c in candidates]


def test_a_saved_map_is_applied_to_every_step_and_head(tmp_path):
    calibration, _ = cross_fitted_calibration(lambda fold: Overconfident(), labelled(400), "platt")
    save_calibration(calibration, tmp_path)
    loaded = load_calibration(tmp_path)
    assert loaded == calibration and load_calibration(tmp_path / "absent") is None
    [score] = CalibratedScorer(FixedScorer(), loaded).score(labelled(1))
    assert score.step_mean == pytest.approx(tuple(calibration(np.array([0.9, 0.99]))))
    assert score.step_mean[0] < 0.9  # the overconfident high scores come down
    assert score.step_std[0] > 0 and len(score.per_head) == 2
