"""Step texts of a trajectory: what the process reward model reads at each step.

The texts never contain an executed outcome: that is the label, and the model must not see it.
"""

from __future__ import annotations

from dataclasses import replace

from bugprm.records import BUG_STEPS, REPAIR_STEPS, Candidate, Kind, Step, StepName

WINDOW_LINES = 12


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
    shown = ", ".join(tests[:5]) + (f" and {len(tests) - 5} more" if len(tests) > 5 else "")
    return f"run {len(tests)} covering tests: {shown}"


def build_steps(kind: Kind, locate: str, analyze: str, select: str, change: str, validate: str) -> tuple[Step, ...]:
    names = BUG_STEPS if kind is Kind.BUG else REPAIR_STEPS
    return tuple(Step(name, text) for name, text in zip(names, (locate, analyze, select, change, validate)))


def with_features(candidate: Candidate, extra: dict, covering_tests: list[str] | None = None) -> Candidate:
    """The candidate with more features (for example dynamic ones from the baseline run) and its texts redone."""
    features = {**candidate.features, **extra}
    steps = tuple(_restep(s, features, covering_tests) for s in candidate.steps)
    return replace(candidate, features=features, steps=steps)


def with_labels(candidate: Candidate, labels: list[int | None]) -> Candidate:
    steps = tuple(replace(step, label=label) for step, label in zip(candidate.steps, labels))
    return replace(candidate, steps=steps)


def _restep(step: Step, features: dict, covering_tests: list[str] | None) -> Step:
    if step.name is StepName.ANALYZE:
        return replace(step, text=analyze_text(features))
    if step.name is StepName.VALIDATE and covering_tests is not None:
        return replace(step, text=validate_text(covering_tests))
    return step


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)
