"""What the executed neighbours of a candidate say: mutants of one line (and of one function) mostly share their fate,
so a verdict informs every unexecuted candidate beside it (issue 15's same-line baseline rests on it).

As features (``active_learning.neighbour_features``): per candidate, the smoothed kill rate of the executed
candidates on its line and their count, and the same for its function. A labelled candidate's own verdict is left
out of its own features (leave-one-out), or a forest would learn to copy its label from them.

As a selection weight (``active_learning.density_weight``, information density): a label on a line with many
unexecuted candidates informs all of them, so an uncertainty counts (1 + line-mates still unexecuted) ^ weight times.

As a prediction (``with_line_verdicts``, `--goal estimate`): each prediction moved toward the verdicts of the labelled
candidates on its line, the prediction counting as ``LINE_PRIOR`` pseudo-verdicts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bugprm.records import Candidate

SMOOTHING = 1.0  # pseudo-count of the pool's kill rate added to every neighbourhood's rate
LINE_PRIOR = 1.0  # a model's prediction weighs as much as one line-mate's verdict (tuning set, issue 15 sixth session)


def line_of(candidate: Candidate) -> tuple:
    return candidate.file, candidate.line


def function_of(candidate: Candidate) -> tuple:
    return candidate.file, candidate.function


@dataclass(frozen=True)
class NeighbourVerdicts:
    """Kills and counts of the labelled candidates per line and per function, and their overall kill rate."""

    kills: dict
    counts: dict
    rate: float

    @classmethod
    def of(cls, labelled: Sequence[Candidate], labels: Sequence[int]) -> "NeighbourVerdicts":
        kills: Counter = Counter()
        counts: Counter = Counter()
        for candidate, label in zip(labelled, labels):
            for key in _keys(candidate):
                kills[key] += label
                counts[key] += 1
        return cls(dict(kills), dict(counts), float(np.mean(labels)) if len(labels) else 0.5)

    def columns(self, candidates: Sequence[Candidate], own: Sequence[int] | None = None) -> np.ndarray:
        """[candidates, 4]: line kill rate, line count, function kill rate, function count; ``own``: the
        candidates' own labels, left out of their neighbourhoods (they are among the labelled)."""
        rows = []
        for k, candidate in enumerate(candidates):
            row = []
            for key in _keys(candidate):
                kills, count = self.kills.get(key, 0), self.counts.get(key, 0)
                if own is not None:
                    kills, count = kills - own[k], count - 1
                row += [(kills + SMOOTHING * self.rate) / (count + SMOOTHING), count]
            rows.append(row)
        return np.array(rows, dtype=float).reshape(len(candidates), 4)


def _keys(candidate: Candidate) -> tuple[tuple, tuple]:
    return ("line", *line_of(candidate)), ("function", *function_of(candidate))


def density_weights(candidates: Sequence[Candidate], weight: float) -> np.ndarray:
    """(1 + the number of other candidates among ``candidates`` on the same line) ^ ``weight``."""
    on_line = Counter(line_of(c) for c in candidates)
    return np.array([on_line[line_of(c)] for c in candidates], dtype=float) ** weight


def with_line_verdicts(candidates: Sequence[Candidate], predicted: np.ndarray, labelled: Sequence[Candidate],
                       labels: Sequence[int], prior: float = LINE_PRIOR) -> np.ndarray:
    """(kills on the line + prior * p) / (labelled on the line + prior) per candidate: a prediction where no
    line-mate is labelled, the line-mates' kill rate where many are."""
    found = NeighbourVerdicts.of(labelled, labels)
    keys = [("line", *line_of(c)) for c in candidates]
    kills = np.array([found.kills.get(k, 0) for k in keys], dtype=float)
    counts = np.array([found.counts.get(k, 0) for k in keys], dtype=float)
    return (kills + prior * np.asarray(predicted, dtype=float)) / (counts + prior)


def line_verdicts_else(candidates: Sequence[Candidate], predicted: np.ndarray, labelled: Sequence[Candidate],
                       labels: Sequence[int]) -> np.ndarray:
    """The same-line neighbour rule (issue 15's baseline): the mean verdict of the labelled candidates on a
    candidate's line, else the given prediction."""
    found = NeighbourVerdicts.of(labelled, labels)
    keys = [("line", *line_of(c)) for c in candidates]
    return np.array([found.kills[k] / found.counts[k] if k in found.counts else float(p)
                     for k, p in zip(keys, predicted)], dtype=float)
