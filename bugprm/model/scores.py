"""What scoring a trajectory gives the rest of bugprm: per-step mean and spread over the heads (no torch here)."""

from __future__ import annotations

from dataclasses import dataclass

from bugprm.metrics import aggregate


@dataclass(frozen=True)
class TrajectoryScore:
    id: str
    step_mean: tuple[float, ...]  # probability each step is on course, averaged over heads (and MC passes)
    step_std: tuple[float, ...]  # spread of that probability over heads (and MC passes): the uncertainty
    per_head: tuple[tuple[float, ...], ...]  # [head][step], averaged over MC passes
    embedding: tuple[float, ...]  # mean backbone state at the step ends (MC mode: of the first pass), for diversity

    def score(self, how: str = "min") -> float:
        return aggregate(self.step_mean, how)
