"""Batch selection among the uncertain trajectories: a uniform draw (``uniform``, as the paper's rule is a filter:
it trains on every uncertain trajectory of a batch, in no order), the most uncertain first (``top``), or a draw
weighted by uncertainty (``proportional``); optionally spread out over embedding space.

Why uniform by default: the heads read a forest prior, and a forest fitted on only the hardest cases ranks the easy
majority badly. On semver at a 20% budget (tiny config, one seed) ActPRM's picks gave 0.738 AUROC taken from the
top, 0.807 drawn in proportion, 0.845 drawn uniformly, against 0.858 for random picks (BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bugprm.active.strategies import Prediction
from bugprm.config import ActiveLearningConfig


@dataclass(frozen=True)
class Selection:
    ids: tuple[str, ...]
    uncertain: int  # how many trajectories counted as uncertain
    filled: int  # picks beyond the uncertain ones, so that the round spends its share of the budget


def select_uncertain(predictions: list[Prediction], strategy, limit: int | None, rng: np.random.Generator,
                     diversity_weight: float = 0.0,
                     sampling: str = ActiveLearningConfig.sampling) -> list[str]:
    """Ids of up to `limit` uncertain trajectories (all of them when limit is None)."""
    return list(select_round(predictions, strategy, limit, rng, diversity_weight, sampling).ids)


def select_round(predictions: list[Prediction], strategy, limit: int | None, rng: np.random.Generator,
                 diversity_weight: float = 0.0, sampling: str = "top", fill: bool = False,
                 uniform_floor: float = 0.0) -> Selection:
    """Up to `limit` uncertain trajectories; with ``fill``, the most uncertain of the rest make up the number.
    ``uniform_floor``: that share of `limit` is first drawn uniformly from all, so every trajectory may be picked."""
    if not predictions:
        return Selection((), 0, 0)
    scores = strategy.scores(predictions, rng)
    uncertain = strategy.uncertain(predictions, rng)
    wanted = int(uncertain.sum()) if limit is None else min(limit, len(predictions))
    floor = list(rng.choice(len(predictions), size=int(uniform_floor * wanted), replace=False))
    pool = np.array([i for i in np.flatnonzero(uncertain) if i not in set(floor)], dtype=int)
    chosen = floor + list(_among_uncertain(pool, scores, predictions, min(wanted - len(floor), len(pool)), rng,
                                           diversity_weight, sampling))
    extra = _most_uncertain_rest(scores, set(chosen), wanted - len(chosen)) if fill else []
    return Selection(tuple(predictions[i].id for i in [*chosen, *extra]), int(uncertain.sum()), len(extra))


def _among_uncertain(pool, scores, predictions, limit, rng, diversity_weight, sampling):
    if diversity_weight > 0 and all(p.embedding is not None for p in predictions):
        return _greedy_diverse(pool, scores, _unit_embeddings(predictions), limit, diversity_weight)
    if sampling == "proportional":
        return _weighted_draw(pool, scores, limit, rng)
    if sampling == "uniform":
        return rng.choice(pool, size=limit, replace=False)
    return pool[np.argsort(-scores[pool], kind="stable")][:limit]


def _most_uncertain_rest(scores: np.ndarray, taken: set, count: int) -> list[int]:
    order = [int(i) for i in np.argsort(-scores, kind="stable") if int(i) not in taken]
    return order[: max(count, 0)]


def _weighted_draw(pool: np.ndarray, scores: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    weights = np.maximum(scores[pool], 0.0) + 1e-9
    return rng.choice(pool, size=limit, replace=False, p=weights / weights.sum())


def _unit_embeddings(predictions: list[Prediction]) -> np.ndarray:
    matrix = np.stack([p.embedding for p in predictions]).astype(float)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _greedy_diverse(pool: np.ndarray, scores: np.ndarray, unit: np.ndarray, limit: int, weight: float) -> list[int]:
    """Greedy: each pick maximises score minus weight x its highest cosine similarity to the picks so far."""
    spread = np.ptp(scores[pool]) or 1.0
    base = (scores[pool] - scores[pool].min()) / spread
    closest = np.full(len(pool), -1.0)
    chosen: list[int] = []
    available = np.ones(len(pool), dtype=bool)
    for _ in range(limit):
        gain = np.where(available, base - weight * np.maximum(closest, 0.0), -np.inf)
        pick = int(np.argmax(gain))
        chosen.append(int(pool[pick]))
        available[pick] = False
        closest = np.maximum(closest, unit[pool] @ unit[pool[pick]])
    return chosen
