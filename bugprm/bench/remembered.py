"""The base model's scores, computed once per candidate however many replayed runs of a package ask for them."""

from __future__ import annotations

from typing import Sequence

from bugprm.records import Candidate, TrajectoryScore


class RememberedScorer:
    """Wraps a scorer (``scoring.adapter.load_scorer``); each candidate id is scored on first request only."""

    def __init__(self, scorer):
        self.scorer, self.known = scorer, {}

    def score(self, candidates: Sequence[Candidate]) -> list[TrajectoryScore]:
        missing = [c for c in candidates if c.id not in self.known]
        if missing:
            self.known.update({s.id: s for s in self.scorer.score(missing)})
        return [self.known[c.id] for c in candidates]
