"""The trained PRM's scores as probabilities: a map fitted on its out-of-fold scores, saved beside the model that
`bugprm train` writes and applied by every scorer loaded from that directory (`bugprm score`).

Out-of-fold by cross-fitting: the labels are split in two, a PRM trained on each half scores the other, and the
map is fitted on those scores. It costs about one more training of the final model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from bugprm.active.calibration import Calibration, adaptive_calibration_error, fit_calibration
from bugprm.active.forest_learner import trajectory_label
from bugprm.records import Candidate, TrajectoryScore

CALIBRATION_FILE = "calibration.json"
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
    calibration = fit_calibration(kind, out_of_fold, labels)
    return calibration, {"calibration": calibration.kind, "calibration_labels": len(judged),
                         "calibration_error_raw": round(adaptive_calibration_error(out_of_fold, labels), 4),
                         "calibration_error": round(adaptive_calibration_error(calibration(out_of_fold), labels), 4)}


def save_calibration(calibration: Calibration, directory: Path) -> Path:
    path = Path(directory) / CALIBRATION_FILE
    path.write_text(json.dumps(asdict(calibration), indent=2) + "\n")
    return path


def load_calibration(directory: Path) -> Calibration | None:
    path = Path(directory) / CALIBRATION_FILE
    if not path.is_file():
        return None
    fields = json.loads(path.read_text())
    return Calibration(**{k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()})


class CalibratedScorer:
    """A scorer whose step probabilities (and each head's) pass through the map: the map is monotone, so the
    weakest step stays the weakest and a trajectory's score is the calibrated probability of its fate."""

    def __init__(self, scorer, calibration: Calibration):
        self.scorer, self.calibration = scorer, calibration

    def score(self, candidates: Sequence[Candidate]) -> list[TrajectoryScore]:
        return [self._mapped(s) for s in self.scorer.score(candidates)]

    def _mapped(self, score: TrajectoryScore) -> TrajectoryScore:
        mean = tuple(self.calibration(score.step_mean).tolist())
        if not score.per_head:
            return replace(score, step_mean=mean)
        heads = self.calibration(np.array(score.per_head, dtype=float))
        return replace(score, step_mean=mean, per_head=tuple(map(tuple, heads.tolist())),
                       step_std=tuple(heads.std(axis=0).tolist()))
