"""The pool term of a base model's covered map, fitted for what is asked of it: a low calibration error on each
package, not on all packages' candidates pooled.

A new package's level (the kill rate of its covered candidates) is known only as far as the training packages
spread: a map fitted by likelihood on every training candidate meets their pooled rate, which a few large packages
with low kill rates pull below the typical package's. The per-package error is a mean of absolute differences, so
its best constant is the packages' median level, not their mean; and the pool's covered share predicts part of the
level (a suite that reaches more of its code checks it more tightly). So the term's shift and covered-share slope
minimise the mean over training packages of each package's adaptive calibration error (10 equal-mass bins), on
out-of-fold scores already through the stratum maps (BENCHMARKS.md, ace19).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np

from bugprm.calibration import adaptive_calibration_error
from bugprm.stratified_calibration import COVERED, UNCOVERED, PoolTerm, StratifiedCalibration

SIMPLEX_STEPS = (0.3, 1.0)  # shift (log-odds) and slope (log-odds per unit of covered share): the search's first moves


def with_pool_term(calibration: StratifiedCalibration, scores, labels, strata: Sequence[str],
                   packages: Sequence[str]) -> StratifiedCalibration:
    """``calibration`` (fitted on ``scores``, each centred by its own model's level) with the pool term fitted on
    the same training candidates, by package."""
    mapped = replace(calibration, level=0.0)(scores, strata)
    return replace(calibration, pool=fit_pool_term(mapped, labels, strata, packages))


def fit_pool_term(mapped, labels, strata: Sequence[str], packages: Sequence[str]) -> PoolTerm:
    """The shift and covered-share slope minimising the mean per-package ACE of ``mapped`` (calibrated scores of
    the training candidates, with their 0/1 ``labels``, coverage ``strata`` and ``packages``); none for fewer than
    two packages."""
    from scipy.optimize import minimize

    found = _by_package(np.asarray(mapped, dtype=float), np.asarray(labels, dtype=float), np.asarray(strata),
                        np.asarray(packages))
    if len(found) < 2:
        return PoolTerm()
    centre = float(np.mean([share for _, _, _, share in found]))
    start = np.zeros(2)
    simplex = np.vstack([start, np.diag(SIMPLEX_STEPS)])
    best = minimize(lambda p: mean_package_error(PoolTerm(p[0], p[1], centre), found), start, method="Nelder-Mead",
                    options={"initial_simplex": simplex, "xatol": 1e-3, "fatol": 1e-6})
    return PoolTerm(float(best.x[0]), float(best.x[1]), centre)


def mean_package_error(term: PoolTerm, found: list) -> float:
    """The mean over packages of the ACE of their scores with ``term`` applied to the covered ones."""
    errors = []
    for scores, labels, covered, share in found:
        moved = scores.copy()
        moved[covered] = term(scores[covered], share)
        errors.append(adaptive_calibration_error(moved, labels))
    return float(np.mean(errors))


def _by_package(mapped, labels, strata, packages) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """(scores, labels, covered mask, covered share) per package with coverage features."""
    found = []
    for name in dict.fromkeys(packages.tolist()):
        inside = (packages == name) & np.isin(strata, (COVERED, UNCOVERED))
        if inside.any():
            covered = strata[inside] == COVERED
            found.append((mapped[inside], labels[inside], covered, float(covered.mean())))
    return found
