"""Orders for candidate patches: the PRM's, the heuristic used without a model, and the benchmark's baselines.

The heuristic (no ``--model``): the most suspicious line first (Ochiai), then the most natural patch (the largest
gain in per-token log-probability under the project's n-gram model, ``naturalness``), then the smallest diff.
Naturalness, not diff size, breaks the ties, because the lines a failing state makes most suspicious are tied
often and the smallest diff there is rarely the fix (BENCHMARKS.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bugprm.records import Candidate
from bugprm.repair.candidates import diff_size
from bugprm.scoring.records import Scorer, aggregate

HEURISTIC = "heuristic: most suspicious line (Ochiai) first, then the most natural patch, then the smallest diff"


@dataclass(frozen=True)
class RankedRepair:
    candidate: Candidate
    score: float  # the PRM's aggregate step reward, or the line's Ochiai score under the heuristic


def by_model(candidates: Sequence[Candidate], scorer: Scorer, how: str = "min") -> list[RankedRepair]:
    predictions = scorer.score(list(candidates)) if candidates else []
    scored = [RankedRepair(c, round(aggregate(s.step_mean, how), 4)) for c, s in zip(candidates, predictions)]
    return sorted(scored, key=lambda r: (-r.score, r.candidate.id))


def by_heuristic(candidates: Sequence[Candidate]) -> list[RankedRepair]:
    return [RankedRepair(c, _feature(c, "ochiai")) for c in by_features(candidates, "ochiai", "naturalness")]


def by_features(candidates: Sequence[Candidate], *names: str) -> list[Candidate]:
    """The highest value of each named feature first, in turn; then the smallest diff, then the id."""
    return sorted(candidates, key=lambda c: (*(-_feature(c, name) for name in names), diff_size(c.diff), c.id))


def by_smallest_diff(candidates: Sequence[Candidate]) -> list[Candidate]:
    return by_features(candidates)


def _feature(candidate: Candidate, name: str) -> float:
    return float(candidate.features.get(name, 0.0))
