"""Read what the harness plugin wrote: one JSON event per line (see ``harness.plugin``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class

    outcome: str
    duration: float
    message: str = ""


@dataclass
class RunResults:
    tests: dict[str, TestResult] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    collect_errors: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    assertions: dict[str, int] = field(default_factory=dict)
    exitstatus: int | None = None
    phases: dict[str, float] = field(default_factory=dict)
    log: str = ""

    def log_tail(self, limit: int = 800) -> str:
        try:
            return Path(self.log).read_text(errors="replace")[-limit:]
        except OSError:
            return ""

    @property
    def failed(self) -> list[str]:
        return [t for t, r in self.tests.items() if r.outcome == "failed"]

    @property
    def unfinished(self) -> str | None:
        """The test that started but never reported: the one running when the child crashed or was killed."""
        return next((t for t in reversed(self.started) if t not in self.tests), None)


def read_results(path: Path) -> RunResults:
    results = RunResults()
    if not path.exists():
        return results
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            _add(results, _without_surrogates(json.loads(line)))
        except (json.JSONDecodeError, KeyError):
            continue  # a line cut short by a crash
    return results


def _without_surrogates(value):
    """JSON may escape a lone surrogate (a test parametrized with one, say) that SQLite cannot store: keep it escaped."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_surrogates(v) for k, v in value.items()}
    return value


def _add(results: RunResults, event: dict) -> None:
    kind = event["event"]
    if kind == "test":
        results.tests[event["nodeid"]] = TestResult(event["outcome"], event["duration"], event.get("message", ""))
    elif kind == "start":
        results.started.append(event["nodeid"])
    elif kind == "collect_error":
        results.collect_errors[event["nodeid"]] = event["message"]
    elif kind == "missing":
        results.missing.extend(event["nodeids"])
    elif kind == "assertions":
        results.assertions[event["nodeid"]] = event["count"]
    elif kind == "phase":
        results.phases[event["name"]] = event["t"]
    elif kind == "finish":
        results.exitstatus = event["exitstatus"]
        results.phases["finished"] = event.get("t", 0.0)


def phase_seconds(started_at: float, wall: float, results: RunResults) -> dict[str, float]:
    """Where a child's wall time went: start (fork or spawn up to a configured pytest), collection, tests, exit."""
    marks = [started_at, *(results.phases.get(p) for p in ("configured", "collected", "finished")), started_at + wall]
    if None in marks:
        return {"unaccounted": wall}
    names = ("start", "collection", "tests", "exit")
    return {name: max(marks[i + 1] - marks[i], 0.0) for i, name in enumerate(names)}
