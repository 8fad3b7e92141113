"""Frozen records passed between stages (always through the store) and their string enums."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class StrEnum(str, Enum):
    """A str-valued enum that prints as its value (``enum.StrEnum`` needs Python 3.11)."""

    def __str__(self) -> str:
        return self.value


class Kind(StrEnum):
    BUG = "bug"
    REPAIR = "repair"


class StepName(StrEnum):
    LOCATE = "locate"
    ANALYZE = "analyze"
    SELECT = "select"
    INJECT = "inject"
    EDIT = "edit"
    VALIDATE = "validate"


BUG_STEPS = (StepName.LOCATE, StepName.ANALYZE, StepName.SELECT, StepName.INJECT, StepName.VALIDATE)
REPAIR_STEPS = (StepName.LOCATE, StepName.ANALYZE, StepName.SELECT, StepName.EDIT, StepName.VALIDATE)


class Outcome(StrEnum):
    KILLED = "killed"
    SURVIVED = "survived"
    NO_COVERAGE = "no_coverage"
    TIMEOUT = "timeout"
    INCOMPETENT = "incompetent"
    INFRA_ERROR = "infra_error"
    CORRECT = "correct"
    INCORRECT = "incorrect"


# Outcomes that make a trajectory "on course" (label 1): a valid bug, or a correct patch.
POSITIVE_OUTCOMES = frozenset({Outcome.KILLED, Outcome.CORRECT})
# Outcomes that tell nothing about the candidate and never become labels.
UNLABELLED_OUTCOMES = frozenset({Outcome.INFRA_ERROR})


@dataclass(frozen=True)
class Step:
    name: StepName
    text: str
    label: int | None = None


@dataclass(frozen=True)
class Edit:
    """A byte-span replacement in one repo-relative file."""

    file: str
    start_byte: int
    end_byte: int
    original: str
    replacement: str


@dataclass(frozen=True)
class Candidate:
    """One trajectory: a candidate bug (or a candidate patch of a failing state)."""

    id: str
    kind: Kind
    repo: str
    file: str
    function: str
    line: int
    operator: str
    family: str
    diff: str
    steps: tuple[Step, ...]
    edits: tuple[Edit, ...] = ()
    bug_id: str | None = None
    features: dict = field(default_factory=dict, compare=False, hash=False)

    def step(self, name: StepName) -> Step:
        return next(s for s in self.steps if s.name == name)


@dataclass(frozen=True)
class Execution:
    """What happened when the harness ran a candidate's tests."""

    candidate_id: str
    outcome: Outcome
    failing_tests: tuple[str, ...] = ()
    tests_run: tuple[str, ...] = ()
    duration: float = 0.0
    cpu_seconds: float = 0.0
    fingerprint: str = ""
    detail: str = ""
    context: str = ""  # what the verdict depends on besides the settings (bugprm.execute.context)


def content_id(*parts: object) -> str:
    """A stable id from content: the same parts give the same id on any machine."""
    blob = json.dumps([str(p) for p in parts], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class TrajectoryScore:
    """What scoring a trajectory gives every consumer (score, repair, bench, the active loop's adapter): per-step
    mean and spread over the ensemble's heads. Aggregate its steps with ``metrics.aggregate``, the one place that
    says what "min over steps" means."""

    id: str
    step_mean: tuple[float, ...]  # probability each step is on course, averaged over heads (and MC passes)
    step_std: tuple[float, ...]  # spread of that probability over heads (and MC passes): the uncertainty
    per_head: tuple[tuple[float, ...], ...] = ()  # [head][step], averaged over MC passes
    embedding: tuple[float, ...] = ()  # mean backbone state at the step ends (MC mode: of the first pass)


# What runs candidates' tests and returns their verdicts: the active loop's oracle and ``score --verify``'s alike.
Oracle = Callable[[list[Candidate]], dict[str, Execution]]
