"""Orders for candidate patches: the PRM's, the heuristic used without a model, and the benchmark's baselines.

The heuristic (no ``--model``): the most suspicious line first (Ochiai), then the smallest diff, then the id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from bugprm.records import Candidate
from bugprm.repair.candidates import diff_size
from bugprm.scoring import Scorer, aggregate

HEURISTIC = "heuristic: most suspicious line (Ochiai) first, then the smallest diff"


@dataclass(frozen=True)
class RankedRepair:
    candidate: Candidate
    score: float  # the PRM's aggregate step reward, or the line's Ochiai score under the heuristic


def by_model(candidates: Sequence[Candidate], scorer: Scorer, how: str = "min") -> list[RankedRepair]:
    predictions = scorer.score(list(candidates)) if candidates else []
    scored = [RankedRepair(c, round(aggregate(means, how), 4)) for c, (means, _) in zip(candidates, predictions)]
    return sorted(scored, key=lambda r: (-r.score, r.candidate.id))


def by_heuristic(candidates: Sequence[Candidate]) -> list[RankedRepair]:
    ordered = sorted(candidates, key=lambda c: (-_ochiai(c), diff_size(c.diff), c.id))
    return [RankedRepair(c, _ochiai(c)) for c in ordered]


def by_smallest_diff(candidates: Sequence[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (diff_size(c.diff), c.id))


def by_chance(candidates: Sequence[Candidate], seed: int) -> list[Candidate]:
    shuffled = sorted(candidates, key=lambda c: c.id)
    random.Random(seed).shuffle(shuffled)
    return shuffled


def _ochiai(candidate: Candidate) -> float:
    return float(candidate.features.get("ochiai", 0.0))
