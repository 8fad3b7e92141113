"""Test gaps: candidate bugs of a change that the tests would likely let through, grouped by the line they sit on.

A reviewer acts on lines, not on mutants: six new lines may carry a dozen candidate bugs, so reports raise one
finding per line and list the gaps on it. A candidate's survival probability is ``1 - score`` (the PRM's score is
the probability that the tests catch it); where ``--verify`` executed it, the outcome replaces the prediction.
The gate counts gaps: ``--max-gaps N`` fails a change with more than N.
"""

from __future__ import annotations

from dataclasses import dataclass

from bugprm.errors import GateFailed
from bugprm.scoring.records import MISSED_OUTCOMES, ScoredCandidate, ScoreReport, untested


@dataclass(frozen=True)
class LineGaps:
    """The likely test gaps on one line of one file, most likely to survive first."""

    file: str
    line: int
    gaps: tuple[ScoredCandidate, ...]

    @property
    def worst(self) -> float:
        return max(survival(g) for g in self.gaps)

    @property
    def function(self) -> str:
        return self.gaps[0].candidate.function


def survival(scored: ScoredCandidate) -> float:
    """The probability that the tests let this candidate bug through: 1.0 or 0.0 once it was executed, 1.0 on a line
    no test runs, else the model's."""
    if scored.outcome is not None:
        return 1.0 if scored.outcome in MISSED_OUTCOMES else 0.0
    return 1.0 if untested(scored) else round(1.0 - scored.score, 4)


def gaps_by_line(report: ScoreReport) -> tuple[LineGaps, ...]:
    """``report.test_gaps`` grouped by (file, line); the lines with the likeliest survivor first."""
    grouped: dict[tuple[str, int], list[ScoredCandidate]] = {}
    for gap in report.test_gaps:
        grouped.setdefault((gap.candidate.file, gap.candidate.line), []).append(gap)
    lines = [LineGaps(file, line, tuple(sorted(gaps, key=lambda g: (-survival(g), g.id))))
             for (file, line), gaps in grouped.items()]
    return tuple(sorted(lines, key=lambda g: (-g.worst, g.file, g.line)))


def describe_gap(scored: ScoredCandidate) -> str:
    """``comparison_negate (survives: 62%)``, ``(no test runs this line)``, or ``(survived when run)`` once executed."""
    c = scored.candidate
    if scored.outcome is not None:
        return f"{c.operator} ({scored.outcome} when run)"
    if untested(scored):
        return f"{c.operator} (no test runs this line)"
    return f"{c.operator} (survives: {survival(scored):.0%})"


def check_gap_gate(report: ScoreReport, max_gaps: int | None) -> None:
    """Raise ``GateFailed`` (exit 1) when the change holds more than ``max_gaps`` likely test gaps."""
    if max_gaps is None or len(report.test_gaps) <= max_gaps:
        return
    lines = gaps_by_line(report)
    shown = ", ".join(f"{g.file}:{g.line}" for g in lines[:5]) + (" ..." if len(lines) > 5 else "")
    raise GateFailed(f"{len(report.test_gaps)} likely test gaps (more than --max-gaps {max_gaps}) on "
                     f"{len(lines)} lines: {shown}; write tests that would catch them, or see "
                     "`bugprm score --verify K` for which really survive")
