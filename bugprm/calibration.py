"""From a score to the probability it stands for: a map fitted on out-of-fold scores, and its error.

Out-of-fold, because a model's scores on its own training labels are overconfident. Platt's map (a logistic
regression on the score's log-odds) needs few labels; isotonic regression needs more and makes no shape assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bugprm.errors import ConfigError

from bugprm.config import CALIBRATIONS  # noqa: E402
EDGE = 1e-4  # probabilities kept off 0 and 1 so that log-odds stay finite
SLOPE_FLOOR = 1e-3  # a Platt map never reverses the ranking: a few labels can fit a negative slope perfectly


@dataclass(frozen=True)
class Calibration:
    """A monotone map of probabilities; ``kind`` none is the identity."""

    kind: str = "none"
    slope: float = 1.0
    intercept: float = 0.0
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()

    def __call__(self, scores) -> np.ndarray:
        scores = np.clip(np.asarray(scores, dtype=float), EDGE, 1 - EDGE)
        if self.kind == "platt":
            return _sigmoid(self.slope * logit(scores) + self.intercept)
        if self.kind == "isotonic":
            return np.interp(scores, self.knots_x, self.knots_y)
        return scores


def fit_calibration(kind: str, scores, labels) -> Calibration:
    """The ``kind`` map from out-of-fold ``scores`` to the 0/1 ``labels``; the identity while one class is missing."""
    if kind not in CALIBRATIONS:
        raise ConfigError(f"active_learning.calibration must be one of {', '.join(CALIBRATIONS)}, got {kind!r}")
    scores, labels = np.clip(np.asarray(scores, dtype=float), EDGE, 1 - EDGE), np.asarray(labels, dtype=int)
    if kind == "none" or len(set(labels.tolist())) < 2:
        return Calibration()
    if kind == "platt":
        return _platt(scores, labels)
    return _isotonic(scores, labels)


def adaptive_calibration_error(probabilities, labels, bins: int = 10) -> float:
    """Mean |mean probability - observed rate| over ``bins`` equal-mass bins of the probability, weighted by size."""
    probabilities, labels = np.asarray(probabilities, dtype=float), np.asarray(labels, dtype=float)
    if probabilities.size == 0:
        return float("nan")
    order = np.argsort(probabilities, kind="stable")
    parts = np.array_split(order, min(bins, probabilities.size))
    return float(sum(len(p) * abs(probabilities[p].mean() - labels[p].mean()) for p in parts) / probabilities.size)


def _platt(scores: np.ndarray, labels: np.ndarray) -> Calibration:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=100.0).fit(logit(scores)[:, None], labels)
    slope = float(model.coef_[0, 0])
    if slope >= SLOPE_FLOOR:
        return Calibration("platt", slope, float(model.intercept_[0]))
    return _nearly_constant(scores, labels)


def _nearly_constant(scores: np.ndarray, labels: np.ndarray) -> Calibration:
    """The labels' smoothed rate for every score, the scores' order kept as ties broken by a tiny slope."""
    rate = (labels.sum() + 1) / (len(labels) + 2)
    intercept = float(np.log(rate / (1 - rate)) - SLOPE_FLOOR * logit(scores).mean())
    return Calibration("platt", SLOPE_FLOOR, intercept)


def _isotonic(scores: np.ndarray, labels: np.ndarray) -> Calibration:
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=EDGE, y_max=1 - EDGE, out_of_bounds="clip").fit(scores, labels)
    return Calibration("isotonic", knots_x=tuple(model.X_thresholds_.tolist()),
                       knots_y=tuple(model.y_thresholds_.tolist()))


def logit(p) -> np.ndarray:
    """Log-odds of probabilities kept ``EDGE`` off 0 and 1."""
    p = np.clip(np.asarray(p, dtype=float), EDGE, 1 - EDGE)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))
