"""One package's verdict document (schema in ``verdicts.py``) from the executions of its build."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from harness import HARNESS_VERSION
from harness.assertions import ASSERTION_COUNTER

from bugprm.corpus_build.fetch import Manifest
from bugprm.corpus_build.verdicts import SCHEMA, SCHEMA_VERSION, TestIndex
from bugprm.execute.baseline import Baseline
from bugprm.execute.config import HarnessConfig
from bugprm.execute.selection import MODULE_LEVEL
from bugprm.records import Candidate, Execution


@dataclass(frozen=True)
class Pass:
    """One execution pass over a package: stop at the first failure (the labels) or the kill matrix."""

    config: HarnessConfig
    fingerprint: str
    baseline: Baseline
    executions: dict[str, Execution]
    lines: dict[str, list[int]]


@dataclass(frozen=True)
class Cost:
    wall_seconds: float
    kill_matrix_share: float
    kill_matrix_cap: int


def verdict_document(spec: Manifest, pool: list[Candidate], labels: Pass, matrix: Pass | None, cost: Cost) -> dict:
    baseline = labels.baseline
    index = TestIndex([*baseline.durations, *baseline.failing, *baseline.excluded])
    coverage, import_time = _coverage(baseline, index)
    files = {file: i for i, file in enumerate(dict.fromkeys(c.file for c in pool))}
    rows = [_candidate_row(c, files, labels, matrix, index) for c in pool]
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "complete": True,
        "package": {"name": spec.name, "version": spec.version, "sdist": spec.sdist, "sha256": spec.sha256,
                    "source": spec.source, "tests": spec.tests},
        "harness": _harness(labels, matrix),
        "outcomes": dict(sorted(Counter(r["outcome"] for r in rows).items())),
        "kill_matrix": {"share": cost.kill_matrix_share, "cap": cost.kill_matrix_cap,
                        "candidates": sum("matrix" in r for r in rows)},
        "cost": _cost(labels, matrix, cost),
        "files": list(files), "coverage": coverage, "import_time": import_time, "candidates": rows,
        "tests": index.names(),
        # unrounded: the covering tests' order and total duration are in the texts a model rebuilt from it reads
        "test_durations": [baseline.durations.get(t) for t in index.names()],
        "test_assertions": [baseline.assertions.get(t, 0) for t in index.names()],
        "excluded_tests": baseline.excluded,
        **({} if baseline.self_import is None else {"self_import": baseline.self_import}),
    }


def _coverage(baseline: Baseline, index: TestIndex) -> tuple[dict, dict]:
    coverage: dict[str, dict[str, list[int]]] = {}
    import_time: dict[str, list[int]] = {}
    for (file, line), tests in sorted(baseline.coverage.items()):
        real = [t for t in tests if t != MODULE_LEVEL]
        if real:
            coverage.setdefault(file, {})[str(line)] = index.ranges(real)
        if MODULE_LEVEL in tests:
            import_time.setdefault(file, []).append(line)
    return coverage, import_time


def _candidate_row(candidate: Candidate, files: dict, labels: Pass, matrix: Pass | None, index: TestIndex) -> dict:
    row = {"id": candidate.id, "file": files[candidate.file], "line": candidate.line,
           "function": candidate.function, "operator": candidate.operator, "family": candidate.family,
           "diff": candidate.diff, "lines": labels.lines.get(candidate.id, []),
           **_verdict(labels.executions.get(candidate.id), index)}
    if matrix is not None and candidate.id in matrix.executions:
        found = _verdict(matrix.executions[candidate.id], index)
        row["matrix"] = {k: found[k] for k in ("outcome", "ran", "failing")}
    return row


def _verdict(execution: Execution | None, index: TestIndex) -> dict:
    if execution is None:
        return {"outcome": None, "failing": [], "ran": [], "duration": None, "cpu": None}
    return {"outcome": str(execution.outcome), "failing": index.ranges(execution.failing_tests),
            "ran": index.ranges(execution.tests_run), "duration": _rounded(execution.duration),
            "cpu": _rounded(execution.cpu_seconds)}


def _harness(labels: Pass, matrix: Pass | None) -> dict:
    return {"version": HARNESS_VERSION, "python_version": labels.config.python_version,
            "pytest_args": list(labels.config.pytest_args), "fingerprint": labels.fingerprint,
            "assertion_counter": ASSERTION_COUNTER,
            "kill_matrix_fingerprint": matrix.fingerprint if matrix else None}


def _cost(labels: Pass, matrix: Pass | None, cost: Cost) -> dict:
    passes = [labels, *([matrix] if matrix else [])]
    executions = [e for p in passes for e in p.executions.values()]
    return {"execution_wall_seconds": _rounded(sum(e.duration for e in executions)),
            "execution_cpu_seconds": _rounded(sum(e.cpu_seconds for e in executions)),
            "kill_matrix_cpu_seconds": _rounded(sum(e.cpu_seconds for e in matrix.executions.values()))
            if matrix else 0.0,
            "baseline_seconds": _rounded(sum(p.baseline.seconds for p in passes)),
            "build_wall_seconds": _rounded(cost.wall_seconds)}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
