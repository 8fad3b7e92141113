"""The trained PRM's calibration: cross-fitted on out-of-fold scores (the PRM saves and applies it)."""

import numpy as np

from bugprm.active.prm_calibration import cross_fitted_calibration
from bugprm.active.strategies import Prediction
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
