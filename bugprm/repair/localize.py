"""Spectrum-based fault localisation: the Ochiai suspiciousness of every line the failing tests run.

    ochiai(line) = failed(line) / sqrt(total_failed * (failed(line) + passed(line)))

where failed(line) and passed(line) count the failing and passing tests that run the line. A line run at import
time (coverage's empty context) counts as run by every test, since each test imports its module. A function's
suspiciousness is that of its most suspicious line. Lines no failing test runs are left out (their score is 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

MODULE_LEVEL = ""

Coverage = dict[tuple[str, int], list[str]]  # (file, line) -> ids of the tests that run it


@dataclass(frozen=True)
class Suspicion:
    file: str
    line: int
    score: float
    failed: int
    passed: int
    rank: int = 0  # 1 + the number of lines scoring strictly higher: tied lines share a rank


def ochiai(failed: int, passed: int, total_failed: int) -> float:
    if failed == 0 or total_failed == 0:
        return 0.0
    return failed / math.sqrt(total_failed * (failed + passed))


def rank_lines(coverage: Coverage, failing: set[str], passing: set[str]) -> list[Suspicion]:
    """Lines run by a failing test, most suspicious first (ties in file and line order)."""
    scored = [_suspicion(file, line, tests, failing, passing) for (file, line), tests in coverage.items()]
    return _with_ranks(sorted((s for s in scored if s.failed), key=lambda s: (-s.score, s.file, s.line)))


def function_score(ranked: list[Suspicion], file: str, lines: range) -> float:
    return max((s.score for s in ranked if s.file == file and s.line in lines), default=0.0)


def _suspicion(file: str, line: int, tests: list[str], failing: set[str], passing: set[str]) -> Suspicion:
    running = set(failing | passing) if MODULE_LEVEL in tests else set(tests)
    failed, passed = len(running & failing), len(running & passing)
    return Suspicion(file, line, round(ochiai(failed, passed, len(failing)), 6), failed, passed)


def _with_ranks(ordered: list[Suspicion]) -> list[Suspicion]:
    ranked: list[Suspicion] = []
    for index, suspicion in enumerate(ordered):
        tied = ranked and ranked[-1].score == suspicion.score
        ranked.append(replace(suspicion, rank=ranked[-1].rank if tied else index + 1))
    return ranked
