"""The default gate of ``score --diff``: the change's test gaps, the certain ones and the probable ones.

A candidate bug on a changed line that no passing test runs is a certain gap: no test can catch it, and the
baseline coverage of the head says so without running anything else. So is one that ``--verify`` ran and the tests
let through. Every other candidate bug of the change counts by the probability that it survives (the model's, or
0/1 once executed): the gate fails when the change has a certain gap, or when its tests are expected to let through
more than ``MAX_SURVIVOR_SHARE`` of those candidates. A helper with a real test has no certain gap and few
survivors, so it passes; one without a test fails on coverage alone, whatever the model says.

``--max-gaps N`` replaces this gate by a count of likely gaps; ``[tool.bugprm] gate = "none"`` turns it off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from bugprm.errors import GateFailed
from bugprm.scoring.gaps import survival
from bugprm.records import Candidate, Kind, TrajectoryScore
from bugprm.scoring.records import ScoredCandidate, ScoreReport, untested

# Above this expected share of survivors the tests that run a change are no check on it. Mutation scores of
# well-tested code sit at 70-90% (a tenth to a third survive), so a real test stays well under it.
MAX_SURVIVOR_SHARE = 0.5
SHOWN = 5


@dataclass(frozen=True)
class GapWeight:
    """The change's candidate bugs split into certain gaps and the rest, with the survivors expected among those."""

    certain: tuple[ScoredCandidate, ...]
    weighed: tuple[ScoredCandidate, ...]
    expected_survivors: float

    @property
    def survivor_share(self) -> float:
        return self.expected_survivors / len(self.weighed) if self.weighed else 0.0

    @property
    def failed(self) -> bool:
        return bool(self.certain) or self.survivor_share > MAX_SURVIVOR_SHARE


def weigh_gaps(report: ScoreReport) -> GapWeight:
    bugs = [c for c in report.candidates if c.candidate.kind is Kind.BUG]
    certain = tuple(c for c in bugs if _certain(c))
    weighed = tuple(c for c in bugs if not _certain(c))
    return GapWeight(certain, weighed, round(sum(survival(c) for c in weighed), 4))


def _certain(scored: ScoredCandidate) -> bool:
    return untested(scored) or (scored.outcome is not None and survival(scored) == 1.0)


def check_default_gate(report: ScoreReport) -> GapWeight:
    """Raise ``GateFailed`` (exit 1) when the change has a certain gap or too many expected survivors."""
    weight = weigh_gaps(report)
    if weight.failed:
        raise GateFailed(f"{'; '.join(_reasons(weight))}; write tests that would catch them (`bugprm show ID` "
                         "prints one)")
    return weight


def _reasons(weight: GapWeight) -> list[str]:
    reasons = []
    if weight.certain:
        lines = sorted({(c.candidate.file, c.candidate.line) for c in weight.certain})
        shown = ", ".join(f"{file}:{line}" for file, line in lines[:SHOWN]) + (" ..." if len(lines) > SHOWN else "")
        reasons.append(f"{len(weight.certain)} candidate bugs no test catches (no test runs them, or they survived "
                       f"when run) on {len(lines)} changed lines: {shown}")
    if weight.survivor_share > MAX_SURVIVOR_SHARE:
        reasons.append(f"the tests are expected to let through {weight.expected_survivors:.1f} of the other "
                       f"{len(weight.weighed)} candidate bugs ({weight.survivor_share:.0%}, more than "
                       f"{MAX_SURVIVOR_SHARE:.0%})")
    return reasons


class CoverageScorer:
    """A ``Scorer`` for when there is no model: coverage alone decides. A candidate bug on a line no test runs
    scores 0 (certain to survive); everything else 1, since without a model nothing is known against it."""

    name = "coverage only (no model)"

    def score(self, candidates: Sequence[Candidate]) -> list[TrajectoryScore]:
        return [self._one(c) for c in candidates]

    @staticmethod
    def _one(candidate: Candidate) -> TrajectoryScore:
        reward = 0.0 if candidate.features.get("line_covered") == 0 else 1.0
        return TrajectoryScore(candidate.id, (reward,) * len(candidate.steps), (0.0,) * len(candidate.steps))
