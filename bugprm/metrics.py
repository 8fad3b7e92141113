"""Scores of a process reward model against labels: ranking, thresholded, ProcessBench and calibration metrics.

numpy and scikit-learn only (no torch), so every stage may import it. A metric that is undefined on the data
(AUROC with one class, say) is ``nan``; ``json_ready`` turns those into ``None`` for JSON output.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score

# A step probability's cut for thresholded metrics (accuracy, F1, ProcessBench) when none is chosen: not the score
# command's use/refine threshold (``scoring.threshold`` in the config), which ranks whole trajectories.
DEFAULT_THRESHOLD = 0.5

AGGREGATES: dict[str, Callable[[np.ndarray], float]] = {
    "min": lambda s: float(np.min(s)),
    "product": lambda s: float(np.prod(s)),
    "mean": lambda s: float(np.mean(s)),
    "last": lambda s: float(s[-1]),
}


def aggregate(step_scores: Sequence[float], how: str = "min") -> float:
    """One trajectory score from its step scores: min (default), product, mean or last."""
    if how not in AGGREGATES:
        raise ValueError(f"unknown aggregate {how!r} (known: {', '.join(AGGREGATES)})")
    if len(step_scores) == 0:
        return math.nan
    return AGGREGATES[how](np.asarray(step_scores, dtype=float))


def auroc(labels: Sequence[int], scores: Sequence[float]) -> float:
    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:
        return math.nan
    return float(roc_auc_score(labels, scores))


def pr_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Area under the precision-recall curve of the positive class (average precision)."""
    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:
        return math.nan
    return float(average_precision_score(labels, scores))


def accuracy_at(labels: Sequence[int], scores: Sequence[float], threshold: float = DEFAULT_THRESHOLD) -> float:
    if len(labels) == 0:
        return math.nan
    predicted = np.asarray(scores) >= threshold
    return float(np.mean(predicted == np.asarray(labels, dtype=bool)))


def f1_at(labels: Sequence[int], scores: Sequence[float], threshold: float = DEFAULT_THRESHOLD) -> float:
    if len(labels) == 0:
        return math.nan
    predicted = (np.asarray(scores) >= threshold).astype(int)
    return float(f1_score(np.asarray(labels, dtype=int), predicted, zero_division=0.0))


def expected_calibration_error(labels: Sequence[int], probabilities: Sequence[float], bins: int = 10) -> float:
    """Mean gap between confidence and frequency of positives over equal-width bins, weighted by bin size."""
    labels, probabilities = np.asarray(labels, dtype=float), np.asarray(probabilities, dtype=float)
    if len(labels) == 0:
        return math.nan
    bin_of = np.minimum((probabilities * bins).astype(int), bins - 1)
    gaps = [
        np.sum(bin_of == b) * abs(labels[bin_of == b].mean() - probabilities[bin_of == b].mean())
        for b in range(bins)
        if np.any(bin_of == b)
    ]
    return float(np.sum(gaps) / len(labels))


def first_below(step_scores: Sequence[Sequence[float]], threshold: float) -> np.ndarray:
    """Per trajectory, the index of its first step scored below ``threshold``, or -1 when none is."""
    width = max((len(s) for s in step_scores), default=0)
    padded = np.full((len(step_scores), width), np.inf)
    for row, scores in enumerate(step_scores):
        padded[row, : len(scores)] = scores
    below = padded < threshold
    return np.where(below.any(axis=1), below.argmax(axis=1), -1)


def processbench(first_wrong: Sequence[int], step_scores: Sequence[Sequence[float]], threshold: float) -> dict:
    """ProcessBench: accuracy on erroneous samples (``first_wrong`` >= 0: the first step below threshold must be
    that step), on correct ones (-1: no step below threshold), and their harmonic mean ``f1``."""
    predicted = first_below(step_scores, threshold)
    truth = np.asarray(first_wrong, dtype=int)
    erroneous = _mean_or_nan(predicted[truth >= 0] == truth[truth >= 0])
    correct = _mean_or_nan(predicted[truth < 0] == -1)
    return {"erroneous_accuracy": erroneous, "correct_accuracy": correct, "f1": _harmonic_mean(erroneous, correct)}


def threshold_candidates(scores: Sequence[float], most: int = 200) -> np.ndarray:
    """Midpoints between distinct scores plus both ends (so "none below" and "all below" are both tried)."""
    distinct = np.unique(np.asarray(scores, dtype=float))
    if len(distinct) == 0:
        return np.array([DEFAULT_THRESHOLD])
    if len(distinct) > most:
        distinct = np.unique(np.quantile(distinct, np.linspace(0.0, 1.0, most + 1)))
    middles = (distinct[1:] + distinct[:-1]) / 2
    return np.concatenate([[distinct[0]], middles, [np.nextafter(distinct[-1], np.inf)]])


def best_threshold(scores: Sequence[float], objective: Callable[[float], float]) -> float:
    """The candidate threshold (see ``threshold_candidates``) with the highest objective; ties go to the lowest."""
    best, best_value = DEFAULT_THRESHOLD, -math.inf
    for threshold in threshold_candidates(scores):
        value = objective(float(threshold))
        if not math.isnan(value) and value > best_value:
            best, best_value = float(threshold), value
    return best


def binary_summary(labels: Sequence[int], scores: Sequence[float], threshold: float) -> dict:
    """Ranking, thresholded and calibration metrics of one set of binary labels and probabilities."""
    return {
        "n": len(labels),
        "positives": int(np.sum(np.asarray(labels, dtype=int))),
        "auroc": auroc(labels, scores),
        "pr_auc": pr_auc(labels, scores),
        "accuracy": accuracy_at(labels, scores, threshold),
        "f1": f1_at(labels, scores, threshold),
        "ece": expected_calibration_error(labels, scores),
    }


def json_ready(value):
    """``value`` with every nan float replaced by None (JSON has no nan), recursively through dicts and lists."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _mean_or_nan(hits: np.ndarray) -> float:
    return float(np.mean(hits)) if len(hits) else math.nan


def _harmonic_mean(a: float, b: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    return 0.0 if a + b == 0 else 2 * a * b / (a + b)
