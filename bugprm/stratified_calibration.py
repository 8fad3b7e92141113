"""One calibration map per coverage stratum of a candidate bug, for a model scored on packages it never saw.

A candidate no passing test covers cannot be killed (it is labelled ``no_coverage`` without running), and a
package's share of such candidates ranges from 1% to 60% of its pool: one map over both kinds averages a structural
0 with the covered candidates' rate, so the covered ones are scored too low where coverage is thin and the uncovered
too high everywhere. Each stratum gets its own map, fitted on its own out-of-fold scores; a stratum whose labels are
all one class gets a constant (its smoothed rate) instead of the identity.

The maps read a score centred by its model's *level*: the mean log-odds the model adds to its forest prior's. The
out-of-fold scores a map is fitted on come from other models (each fold's, or the inner folds' for the shipped
model) than the one it serves, and on the base corpus each model adds a near-constant amount to the prior's
log-odds (within one model it varies by 0.01-0.03 between packages, between models by 0.6), so without centring a
model whose heads sit lower than the others' gets every score pulled down (BENCHMARKS.md, ace18).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bugprm.calibration import Calibration, fit_calibration, logit

KIND = "stratified"
UNCOVERED, COVERED, OTHER = "uncovered", "covered", "other"
STRATA = (UNCOVERED, COVERED, OTHER)


@dataclass(frozen=True)
class StratifiedCalibration:
    """Stratum name -> its monotone map; ``OTHER`` (trajectories without coverage features) gets the pooled one."""

    maps: tuple[tuple[str, Calibration], ...]
    kind: str = KIND
    level: float = 0.0  # the serving model's: its scores are centred by it before the maps (``model_level``)

    def __call__(self, scores, strata: Sequence[str]) -> np.ndarray:
        scores, strata = centred(scores, self.level), np.asarray(strata)
        mapped = np.empty_like(scores)
        for name, calibration in self.maps:
            inside = strata == name
            mapped[..., inside] = calibration(scores[..., inside])
        return mapped

    def to_json(self) -> dict:
        return {"kind": self.kind, "level": self.level,
                "maps": {name: _calibration_json(c) for name, c in self.maps}}

    @classmethod
    def from_json(cls, saved: dict) -> "StratifiedCalibration":
        maps = tuple((name, calibration_from_json(saved["maps"][name])) for name in STRATA)
        return cls(maps, level=float(saved.get("level", 0.0)))  # saved before levels: uncentred


def model_level(scores, prior_log_odds) -> float:
    """A model's level: the mean of its scores' log-odds minus its prior's on the same candidates (no labels)."""
    return float(np.mean(logit(np.asarray(scores, dtype=float)) - np.asarray(prior_log_odds, dtype=float)))


def centred(scores, level: float) -> np.ndarray:
    """Scores with their model's level taken out of their log-odds (``level`` 0: unchanged)."""
    scores = np.asarray(scores, dtype=float)
    return scores if level == 0.0 else 1 / (1 + np.exp(level - logit(scores)))


def stratum(kind: str, features: dict) -> str:
    """A candidate bug's coverage stratum from its baseline features; anything else (a patch, a trajectory read
    without coverage) is ``OTHER``."""
    if kind != "bug" or "line_covered" not in features:
        return OTHER
    return COVERED if features["line_covered"] else UNCOVERED


def fit_stratified(kind: str, scores, labels, strata: Sequence[str], level: float = 0.0) -> StratifiedCalibration:
    """The ``kind`` map per stratum from out-of-fold ``scores`` (each centred by its own model's level already) and
    0/1 ``labels``; ``OTHER`` pools them all. ``level`` is the serving model's."""
    scores, labels, strata = np.asarray(scores, dtype=float), np.asarray(labels, dtype=int), np.asarray(strata)
    maps = {name: _fitted(kind, scores[strata == name], labels[strata == name]) for name in (UNCOVERED, COVERED)}
    return StratifiedCalibration(((UNCOVERED, maps[UNCOVERED]), (COVERED, maps[COVERED]),
                                  (OTHER, _fitted(kind, scores, labels))), level=level)


def calibration_from_json(saved: dict | None) -> Calibration | StratifiedCalibration:
    """A saved map of either shape (a model saved before calibrations were kept has none: identity)."""
    if saved is None:
        return Calibration()
    if saved.get("kind") == KIND:
        return StratifiedCalibration.from_json(saved)
    knots = {key: tuple(float(v) for v in saved[key]) for key in ("knots_x", "knots_y")}
    return Calibration(str(saved["kind"]), float(saved["slope"]), float(saved["intercept"]), **knots)


def calibration_json(calibration: Calibration | StratifiedCalibration) -> dict:
    return calibration.to_json() if isinstance(calibration, StratifiedCalibration) else _calibration_json(calibration)


def _fitted(kind: str, scores: np.ndarray, labels: np.ndarray) -> Calibration:
    """``kind``'s map, or a constant at the smoothed rate where one class is missing (the identity would keep the
    model's guess for candidates whose fate the stratum already tells)."""
    if len(set(labels.tolist())) == 2:
        return fit_calibration(kind, scores, labels)
    rate = (labels.sum() + 0.5) / (len(labels) + 1.0)  # Jeffreys: never exactly 0 or 1
    return Calibration("platt", slope=0.0, intercept=float(np.log(rate / (1 - rate))))


def _calibration_json(calibration: Calibration) -> dict:
    return {"kind": calibration.kind, "slope": calibration.slope, "intercept": calibration.intercept,
            "knots_x": list(calibration.knots_x), "knots_y": list(calibration.knots_y)}
