"""Step texts of a trajectory: what the process reward model reads at each step.

The texts never contain an executed outcome: that is the label, and the model must not see it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from bugprm.records import BUG_STEPS, REPAIR_STEPS, Candidate, Kind, Step, StepName

WINDOW_LINES = 12
SHOWN_TESTS = 5
SHOWN_FAILURES = 3


def locate_text(file: str, function: str, signature: str, window: str) -> str:
    return f"file {file}\nfunction {function}\n{signature}\n{window}"


def analyze_text(features: dict) -> str:
    """Features as sorted ``key=value`` lines, numbers rounded so the text is stable."""
    return "\n".join(f"{key}={_fmt(value)}" for key, value in sorted(features.items()))


def select_text(operator: str, family: str, node_kind: str, node_text: str, line: int) -> str:
    return f"operator {operator} ({family}) on {node_kind} at line {line}: {node_text}"


def validate_text(tests: list[str] | None) -> str:
    if tests is None:
        return "run the tests that cover the changed lines"
    if not tests:
        return "no test covers the changed lines"
    return f"run {len(tests)} covering tests: {_listed(tests)}"


def suspicion_text(line: int, code: str, score: float, rank: int, ranked: int, function_score: float) -> str:
    """A repair's place among the suspicious lines (spectrum-based fault localisation)."""
    return (f"suspicious line {line}: {code.strip()}\n"
            f"ochiai {_fmt(score)}, rank {rank} of {ranked} lines; function ochiai {_fmt(function_score)}")


def failing_text(failing: tuple[str, ...], messages: dict[str, str]) -> str:
    """The failing tests, each with the assertion lines of its failure where known."""
    lines = [f"{len(failing)} failing tests"]
    for test in failing[:SHOWN_FAILURES]:
        lines.append(f"{test}: {_assertion(messages.get(test, ''))}".rstrip(": "))
    return "\n".join(lines)


def repair_validate_text(failing: tuple[str, ...], covering: list[str]) -> str:
    rest = [t for t in covering if t not in failing]
    then = f", then {len(rest)} covering tests: {_listed(rest)}" if rest else ""
    return f"run {len(failing)} failing tests: {_listed(list(failing))}{then}"


def build_steps(kind: Kind, locate: str, analyze: str, select: str, change: str, validate: str) -> tuple[Step, ...]:
    names = BUG_STEPS if kind is Kind.BUG else REPAIR_STEPS
    return tuple(Step(name, text) for name, text in zip(names, (locate, analyze, select, change, validate)))


def with_features(candidate: Candidate, extra: dict, covering_tests: list[str] | None = None) -> Candidate:
    """The candidate with more features (for example dynamic ones from the baseline run) and its texts redone."""
    features = {**candidate.features, **extra}
    steps = tuple(_restep(s, features, covering_tests) for s in candidate.steps)
    return replace(candidate, features=features, steps=steps)


class Covering(Protocol):
    """What a baseline run knows of a candidate bug without running it (``execute.features.BaselineCoverage``)."""

    def dynamic_features(self, candidate: Candidate) -> tuple[dict, list[str]]:
        """(features, covering tests fastest first)."""


def with_coverage(candidate: Candidate, covering: Covering | None) -> Candidate:
    """A bug trajectory with what the baseline knows of it: the one step every path takes (the pool once a
    baseline exists, ``--diff`` candidates when the store has one), so a mutant reads the same either way."""
    if covering is None or candidate.kind is not Kind.BUG or not candidate.edits:
        return candidate
    return with_features(candidate, *covering.dynamic_features(candidate))


def with_labels(candidate: Candidate, labels: list[int | None]) -> Candidate:
    steps = tuple(replace(step, label=label) for step, label in zip(candidate.steps, labels))
    return replace(candidate, steps=steps)


def _restep(step: Step, features: dict, covering_tests: list[str] | None) -> Step:
    if step.name is StepName.ANALYZE:
        return replace(step, text=analyze_text(features))
    if step.name is StepName.VALIDATE and covering_tests is not None:
        return replace(step, text=validate_text(covering_tests))
    return step


def _listed(tests: list[str]) -> str:
    more = len(tests) - SHOWN_TESTS
    return ", ".join(tests[:SHOWN_TESTS]) + (f" and {more} more" if more > 0 else "")


def _assertion(message: str) -> str:
    """pytest's ``E`` lines (what the assertion found), else the message's last line."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    explained = [line[1:].strip() for line in lines if line.startswith("E ")]
    return " / ".join(explained[:SHOWN_FAILURES]) if explained else (lines[-1] if lines else "")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
