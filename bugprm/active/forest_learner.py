"""A cheap learner for the loop's rounds: bagged random forests on the PMT features, refitted in full each round.

The PRM trained for a few optimizer steps per round learns little more than the base rate, so its heads agree
everywhere and select nothing (issue 15). Each head here is a forest fitted on its own bootstrap resample of the
labels, so the heads disagree where the labels leave the answer open; their probabilities pass through a map
calibrated on out-of-bag scores (each label scored by the heads whose resample left it out). Until both outcomes
have been seen twice a head says its resample's base rate (smoothed), the same at fitting and at prediction, so no
input is constant in one and varying in the other.

A candidate no test covers survives for certain (``coverage_known``): every head says 0 for it, and its labels are
left out of the forests and of the calibration map, which would otherwise be fitted to easy zeros and come out
overconfident on the covered candidates, the only ones with anything to predict.
"""

from __future__ import annotations

import numpy as np

from bugprm.active.coverage_known import covered_if_any, uncovered_mask
from bugprm.active.neighbours import NeighbourVerdicts
from bugprm.calibration import Calibration, adaptive_calibration_error, fit_calibration
from bugprm.active.strategies import Prediction
from bugprm.model.pmt_forest import FeatureEncoder
from bugprm.records import Candidate

HEADS = 16
TREES_PER_HEAD = 20
MIN_PER_CLASS = 2  # fewer examples of an outcome than this: a head falls back to its resample's base rate


def trajectory_label(candidate: Candidate) -> int | None:
    """The fate of an executed trajectory: its last step's label (None when not executed)."""
    return candidate.steps[-1].label if candidate.steps else None


class HeadsLearner:
    """A loop learner's ``refit``, ``predict`` and ``probability``, from its ``fit`` and ``head_probabilities``
    ([heads, candidates]): every step of a candidate gets its trajectory's head probabilities."""

    def refit(self, labelled: list[Candidate]) -> dict:
        return self.fit(labelled)

    def predict(self, candidates: list[Candidate], mc_passes: int = 0) -> list[Prediction]:
        heads = self.head_probabilities(candidates)
        return [Prediction(c.id, np.repeat(heads[:, i:i + 1], max(len(c.steps), 1), axis=1))
                for i, c in enumerate(candidates)]

    def probability(self, candidates: list[Candidate]) -> np.ndarray:
        return self.head_probabilities(candidates).mean(axis=0)


class BaggedForestLearner(HeadsLearner):
    def __init__(self, seed: int = 0, heads: int = HEADS, calibration: str = "platt", neighbours: bool = False):
        self.seed, self.heads, self.calibration_kind, self.neighbours = seed, heads, calibration, neighbours
        self.encoder: FeatureEncoder | None = None
        self.neighbour_verdicts: NeighbourVerdicts | None = None
        self.members: list = []
        self.calibration = Calibration()
        self.out_of_bag = np.zeros(0)  # the last fit's calibrated out-of-bag score of each label (a stacked learner's)

    def fit(self, labelled: list[Candidate]) -> dict:
        judged = covered_if_any([c for c in labelled if trajectory_label(c) is not None])
        labels = np.array([trajectory_label(c) for c in judged], dtype=int)
        self.encoder = FeatureEncoder.fit(judged)
        self.neighbour_verdicts = NeighbourVerdicts.of(judged, labels) if self.neighbours else None
        x = self._features(judged, labels)
        rng = np.random.default_rng(self.seed + len(judged))
        resamples = [class_bootstrap(labels, rng) for _ in range(self.heads)]
        self.members = [_fit_member(x, labels, rows, self.seed + k) for k, rows in enumerate(resamples)]
        out_of_bag = _out_of_bag(self.members, resamples, x)
        self.calibration = fit_calibration(self.calibration_kind, out_of_bag, labels)
        calibrated = self.out_of_bag = self.calibration(out_of_bag)
        return {"trained_on": len(judged), "positive_rate": round(float(labels.mean()), 4) if len(labels) else None,
                "calibration": self.calibration.kind,
                "calibration_error_oob": round(adaptive_calibration_error(calibrated, labels), 4),
                "auroc_oob": label_auroc(labels, out_of_bag)}

    def head_probabilities(self, candidates: list[Candidate]) -> np.ndarray:
        """[heads, candidates]: each head's calibrated probability that the candidate is a valid bug."""
        x = self._features(candidates)
        uncovered = uncovered_mask(candidates)
        return np.stack([np.where(uncovered, 0.0, self.calibration(_member_probability(m, x))) for m in self.members])

    def _features(self, candidates: list[Candidate], own: np.ndarray | None = None) -> np.ndarray:
        """The PMT features, and with ``neighbours`` what the labelled neighbours say (``own``: the candidates' own
        labels when they are the labelled ones, left out of their neighbourhoods)."""
        x = self.encoder.transform(candidates)
        if self.neighbour_verdicts is None:
            return x
        return np.hstack([x, self.neighbour_verdicts.columns(candidates, None if own is None else own.tolist())])


def label_auroc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    from bugprm.metrics import auroc

    return round(float(auroc(labels.tolist(), scores.tolist())), 4) if len(set(labels.tolist())) == 2 else None


def class_bootstrap(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn with replacement within each class, so a resample keeps the class counts."""
    parts = [rng.choice(np.flatnonzero(labels == value), size=int((labels == value).sum()))
             for value in np.unique(labels)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=int)


def _fit_member(x: np.ndarray, labels: np.ndarray, rows: np.ndarray, seed: int):
    """A forest on the resample ``rows``, or its smoothed base rate while an outcome is too rare to split on."""
    counts = np.bincount(labels[rows], minlength=2) if len(rows) else np.zeros(2, dtype=int)
    if counts.min() < MIN_PER_CLASS:
        return float((counts[1] + 1) / (counts.sum() + 2))
    return _forest(TREES_PER_HEAD, seed).fit(x[rows], labels[rows])


def _member_probability(member, x: np.ndarray) -> np.ndarray:
    if isinstance(member, float):
        return np.full(len(x), member)
    return member.predict_proba(x)[:, list(member.classes_).index(1)]


def _out_of_bag(members: list, resamples: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    """Each label's mean score over the heads whose resample left it out (over all heads if none did)."""
    return out_of_bag_mean(np.stack([_member_probability(m, x) for m in members]), resamples)


def out_of_bag_mean(scores: np.ndarray, resamples: list[np.ndarray]) -> np.ndarray:
    """Each label's mean over the heads (rows of ``scores``) whose resample left it out (over all if none did)."""
    left_out = np.ones_like(scores, dtype=bool)
    for k, rows in enumerate(resamples):
        left_out[k, rows] = False
    counts = left_out.sum(axis=0)
    return np.where(counts > 0, (scores * left_out).sum(axis=0) / np.maximum(counts, 1), scores.mean(axis=0))


def _forest(trees: int, seed: int):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=trees, min_samples_leaf=2, random_state=seed, n_jobs=1)
