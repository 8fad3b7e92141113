"""Batch selection: the most uncertain trajectories, optionally spread out over embedding space."""

from __future__ import annotations

import numpy as np

from bugprm.active.strategies import Prediction


def select_uncertain(predictions: list[Prediction], strategy, limit: int | None, rng: np.random.Generator,
                     diversity_weight: float = 0.0) -> list[str]:
    """Ids of up to `limit` uncertain trajectories (all of them when limit is None), most uncertain first."""
    if not predictions:
        return []
    scores = strategy.scores(predictions, rng)
    pool = np.flatnonzero(strategy.uncertain(predictions, rng))
    limit = len(pool) if limit is None else min(limit, len(pool))
    if diversity_weight > 0 and all(p.embedding is not None for p in predictions):
        chosen = _greedy_diverse(pool, scores, _unit_embeddings(predictions), limit, diversity_weight)
    else:
        chosen = pool[np.argsort(-scores[pool], kind="stable")][:limit]
    return [predictions[i].id for i in chosen]


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
