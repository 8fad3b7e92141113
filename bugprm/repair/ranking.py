"""Orders for candidate patches: the PRM's, the heuristic used without a model, and the benchmark's baselines.

The heuristic (no ``--model``): the most suspicious line first (Ochiai), then the most natural patch (the largest
gain in per-token log-probability under the project's n-gram model, ``naturalness``), then the smallest diff.
Naturalness, not diff size, breaks the ties, because the lines a failing state makes most suspicious are tied
often and the smallest diff there is rarely the fix (BENCHMARKS.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Sequence

from bugprm.records import Candidate
from bugprm.repair.diffs import diff_size
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


def by_state_ranker(candidates: Sequence[Candidate], ranker) -> list[RankedRepair]:
    """One failing state's patches in the order of a ranker trained on whole states (``model.repair_ranker``)."""
    scores = ranker.scores(list(candidates)) if candidates else []
    ordered = sorted(zip(scores, candidates), key=lambda pair: (-pair[0], pair[1].id))
    return [RankedRepair(c, round(float(score), 4)) for score, c in ordered]


def by_heuristic(candidates: Sequence[Candidate]) -> list[RankedRepair]:
    return [RankedRepair(c, _feature(c, "ochiai")) for c in by_features(candidates, "ochiai", "naturalness")]


def by_features(candidates: Sequence[Candidate], *names: str) -> list[Candidate]:
    """The highest value of each named feature first, in turn; then the smallest diff, then the id."""
    return sorted(candidates, key=lambda c: (*(-_feature(c, name) for name in names), diff_size(c.diff), c.id))


def by_smallest_diff(candidates: Sequence[Candidate]) -> list[Candidate]:
    return by_features(candidates)


def with_state_ranks(patches: Sequence[Candidate]) -> list[Candidate]:
    """One failing state's patches, each with where it stands among them: its place in the heuristic's order, and
    at its own line its naturalness rank, its gap to the line's most natural patch, and its diff size rank.

    A model reads each patch alone, and a naturalness gain or an Ochiai score means little across states (a state's
    scale is its own); the heuristic's strength is the comparison, so the model is given it as features. Ties share
    a rank (1 + the number of patches strictly better)."""
    order = {c.id: rank for rank, c in enumerate(by_features(patches, "ochiai", "naturalness"), start=1)}
    at_line: dict[tuple[str, int], list[Candidate]] = defaultdict(list)
    for patch in patches:
        at_line[(patch.file, patch.line)].append(patch)
    return [replace(c, features={**c.features, "heuristic_rank": order[c.id],
                                 **_line_ranks(c, at_line[(c.file, c.line)])}) for c in patches]


def _line_ranks(patch: Candidate, neighbours: list[Candidate]) -> dict:
    natural, size = [_feature(n, "naturalness") for n in neighbours], diff_size(patch.diff)
    own = _feature(patch, "naturalness")
    return {"naturalness_rank_at_line": 1 + sum(value > own for value in natural),
            "naturalness_gap_at_line": round(max(natural) - own, 4),
            "diff_rank_at_line": 1 + sum(diff_size(n.diff) < size for n in neighbours)}


def _feature(candidate: Candidate, name: str) -> float:
    return float(candidate.features.get(name, 0.0))
