"""The loop's oracle in a simulation: verdicts read from one full execution of the pool, never the harness."""

from __future__ import annotations

from typing import Mapping

from bugprm.records import Candidate, Execution


class CachedOracle:
    """Answers with cached verdicts and remembers what it was asked, so a run costs the test CPU-seconds those
    verdicts took when they were really executed."""

    def __init__(self, verdicts: Mapping[str, Execution]):
        self.verdicts = verdicts
        self.asked: list[str] = []

    def __call__(self, candidates: list[Candidate]) -> dict[str, Execution]:
        found = {c.id: self.verdicts[c.id] for c in candidates}
        self.asked += list(found)
        return found

    @property
    def cpu_seconds(self) -> float:
        return sum(self.verdicts[i].cpu_seconds for i in self.asked)
