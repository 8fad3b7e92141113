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

A base model's covered map can also carry a *pool term* (``bugprm.pool_level``): its log-odds moved by a shift and
by a slope times the pool's covered share (the share of the repository's candidate bugs some passing test covers),
both fitted on the training packages for the mean per-package calibration error. Packages whose suites cover more of
their code kill more of their covered mutants, and no figure of one candidate tells that (BENCHMARKS.md, ace19). The
share is bound per pool (``for_pool``); unbound, the term is the training packages' mean (the shift alone).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Sequence

import numpy as np

from bugprm.calibration import Calibration, fit_calibration, logit

KIND = "stratified"
UNCOVERED, COVERED, OTHER = "uncovered", "covered", "other"
STRATA = (UNCOVERED, COVERED, OTHER)


@dataclass(frozen=True)
class PoolTerm:
    """The covered stratum's log-odds moved by ``shift + slope * (share - centre)``; the default moves nothing."""

    shift: float = 0.0
    slope: float = 0.0
    centre: float = 0.0

    def __call__(self, probabilities: np.ndarray, covered_share: float | None) -> np.ndarray:
        if self.shift == 0.0 and self.slope == 0.0:
            return probabilities
        share = self.centre if covered_share is None else covered_share
        return 1 / (1 + np.exp(-(logit(probabilities) + self.shift + self.slope * (share - self.centre))))


@dataclass(frozen=True)
class StratifiedCalibration:
    """Stratum name -> its monotone map; ``OTHER`` (trajectories without coverage features) gets the pooled one."""

    maps: tuple[tuple[str, Calibration], ...]
    kind: str = KIND
    level: float = 0.0  # the serving model's: its scores are centred by it before the maps (``model_level``)
    pool: PoolTerm = PoolTerm()
    covered_share: float | None = None  # the scored pool's (``for_pool``); None: the training packages' mean

    def __call__(self, scores, strata: Sequence[str]) -> np.ndarray:
        scores, strata = centred(scores, self.level), np.asarray(strata)
        mapped = np.empty_like(scores)
        for name, calibration in self.maps:
            inside = strata == name
            mapped[..., inside] = calibration(scores[..., inside])
        covered = strata == COVERED
        mapped[..., covered] = self.pool(mapped[..., covered], self.covered_share)
        return mapped

    def for_pool(self, covered_share: float | None) -> "StratifiedCalibration":
        """This calibration serving a pool whose covered share is ``covered_share``."""
        return replace(self, covered_share=covered_share)

    def to_json(self) -> dict:
        return {"kind": self.kind, "level": self.level, "pool": asdict(self.pool),
                "maps": {name: _calibration_json(c) for name, c in self.maps}}

    @classmethod
    def from_json(cls, saved: dict) -> "StratifiedCalibration":
        maps = tuple((name, calibration_from_json(saved["maps"][name])) for name in STRATA)
        pool = PoolTerm(**{key: float(value) for key, value in saved.get("pool", {}).items()})  # before: none
        return cls(maps, level=float(saved.get("level", 0.0)), pool=pool)  # saved before levels: uncentred


def pool_covered_share(features: Sequence[dict]) -> float | None:
    """The share of a pool's candidate bugs (their baseline ``features``) that a passing test covers; None when no
    candidate has coverage features."""
    known = [bool(f["line_covered"]) for f in features if "line_covered" in f]
    return float(np.mean(known)) if known else None


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


def calibrated(calibration: Calibration | StratifiedCalibration, scores, strata: Sequence[str]) -> np.ndarray:
    """``scores`` through either shape of map; ``strata`` (one per score) is read by a stratified one only."""
    if isinstance(calibration, StratifiedCalibration):
        return calibration(scores, strata)
    return calibration(scores)


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
