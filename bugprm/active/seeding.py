"""The loop's first labels, before any model: a sample that covers the pool.

``stratified`` lines the pool up by stratum (covered or not, operator family, file), shuffled within each, and
takes every k-th from a random start: each stratum gets its share of the seed set to within one, so a small seed
set still holds the uncovered, the rare operators and the small files. ``uniform`` is a plain random draw.
"""

from __future__ import annotations

import numpy as np

from bugprm.records import Candidate



def seed_set(pool: list[Candidate], size: int, rng: np.random.Generator, how: str = "stratified") -> list[Candidate]:
    if size <= 0 or not pool:
        return []
    if how == "uniform":
        picks = rng.choice(len(pool), size=min(size, len(pool)), replace=False)
        return [pool[i] for i in sorted(picks)]
    return _systematic(_by_stratum(pool, rng), size, rng)


def stratum(candidate: Candidate) -> tuple:
    covered = (candidate.features.get("covering_tests") or 0) > 0
    return (not covered, candidate.family, candidate.file)


def _by_stratum(pool: list[Candidate], rng: np.random.Generator) -> list[Candidate]:
    shuffled = [pool[i] for i in rng.permutation(len(pool))]
    return sorted(shuffled, key=stratum)


def _systematic(ordered: list[Candidate], size: int, rng: np.random.Generator) -> list[Candidate]:
    step = len(ordered) / min(size, len(ordered))
    start = rng.random() * step
    return [ordered[int(start + k * step)] for k in range(min(size, len(ordered)))]
