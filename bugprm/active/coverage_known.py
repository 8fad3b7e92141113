"""What the baseline run's coverage already knows: a candidate whose changed lines no passing test runs survives for
certain (the executor answers ``no_coverage`` without running a test). Under `--goal gaps` and `--goal estimate` such
candidates are resolved before the first round, outside the budget: gaps lists them as found at no execution cost,
and estimate counts them exactly (a stratum without sampling error), so both spend every execution on covered ones.

A candidate whose features were never filled (no baseline yet) is not known: only an explicit ``line_covered`` 0
(or ``covering_tests`` 0 in stores built before that feature) says that nothing covers it.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from bugprm.records import Candidate

COVERAGE_GOALS = ("gaps", "estimate")


def known_uncovered(candidate: Candidate) -> bool:
    features = candidate.features
    if "line_covered" in features:
        return not features["line_covered"]
    return "covering_tests" in features and not features["covering_tests"]


def covered_if_any(candidates: list[Candidate]) -> list[Candidate]:
    """What a learner fits on: the covered candidates (the rest need no prediction), or all while none is covered."""
    covered = [c for c in candidates if not known_uncovered(c)]
    return covered or candidates


def uncovered_mask(candidates: list[Candidate]) -> np.ndarray:
    return np.array([known_uncovered(c) for c in candidates], dtype=bool)


def uncovered_ids(candidates: Iterable[Candidate]) -> set[str]:
    return {c.id for c in candidates if known_uncovered(c)}
