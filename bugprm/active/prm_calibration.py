"""The trained PRM's scores as probabilities: a map fitted on its out-of-fold scores, saved in the model that
`bugprm train` writes (``PRM.calibration``), which applies it to every score it gives (`bugprm score`).

Out-of-fold by cross-fitting: the labels are split in two, a PRM trained on each half scores the other, and the
map is fitted on those scores. It costs about one more training of the final model. Where the labels carry the
baseline's coverage, there is one map per coverage stratum, as the base model's: a single map fitted on a mix of
uncovered candidates (sure survivors, scored low) and covered ones left the covered overconfident and the uncovered
far above 0 (toolz: 0.18 for candidates no test runs).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from bugprm.calibration import Calibration, adaptive_calibration_error, fit_calibration
from bugprm.active.forest_learner import trajectory_label
from bugprm.records import Candidate
from bugprm.stratified_calibration import OTHER, calibrated, fit_stratified, stratum

FOLDS = 2
MIN_LABELS = 20  # fewer judged labels, or one outcome only: no map (the identity), and the card says why


def cross_fitted_calibration(make_learner: Callable[[int], object], labelled: Sequence[Candidate], kind: str,
                             seed: int = 0) -> tuple[Calibration, dict]:
    """``make_learner(fold)``: a fresh PRM learner. Returns the map and what the card reports of it."""
    judged = [c for c in labelled if trajectory_label(c) is not None]
    labels = np.array([trajectory_label(c) for c in judged], dtype=int)
    if len(judged) < MIN_LABELS or len(set(labels.tolist())) < 2:
        return Calibration(), {"calibration": "none", "calibration_labels": len(judged),
                               "calibration_note": f"needs {MIN_LABELS} labels of both outcomes"}
    folds = np.random.default_rng(seed).permutation(len(judged)) % FOLDS
    out_of_fold = np.zeros(len(judged))
    for fold in range(FOLDS):
        learner = make_learner(fold)
        learner.refit([c for c, f in zip(judged, folds) if f != fold])
        held = [c for c, f in zip(judged, folds) if f == fold]
        out_of_fold[folds == fold] = [float(np.min(p.mean)) for p in learner.predict(held)]
    strata = [stratum(c.kind, c.features) for c in judged]
    calibration = _fitted(kind, out_of_fold, labels, strata)
    mapped = calibrated(calibration, out_of_fold, strata)
    return calibration, {"calibration": calibration.kind, "calibration_labels": len(judged),
                         "calibration_error_raw": round(adaptive_calibration_error(out_of_fold, labels), 4),
                         "calibration_error": round(adaptive_calibration_error(mapped, labels), 4)}


def _fitted(kind: str, scores: np.ndarray, labels: np.ndarray, strata: list[str]):
    """One map per coverage stratum where any label has the baseline's coverage, else one map for all."""
    if all(name == OTHER for name in strata) or kind == "none":
        return fit_calibration(kind, scores, labels)
    return fit_stratified(kind, scores, labels, strata)
