"""One pytest session in the subject interpreter: the unit the worker forks or spawns.

A job is a JSON object: ``root`` (the workspace), ``args`` (pytest arguments), ``results`` (JSON-lines file),
``wanted`` (node ids to keep, fastest first, or null for all), ``log`` (where stdout/stderr go), ``purge``
(top-level module names of the workspace, dropped from ``sys.modules`` so a forked child imports the edited files
afresh), ``memory_mb``, ``cpu_seconds`` and ``file_size_mb`` (resource limits), ``coverage`` (file for per-test line
coverage, or null; measured by ``tracing`` with the standard library, never coverage.py), ``assertions`` (count
assertions per test), ``keep_order`` (wanted tests in pytest's order), ``modules`` (file listing the modules imported
by the end), ``self_import`` (``{"sources": [folder or file], "out": file}``: trace a plain import of
the package's own modules first, ``self_import``), ``collection`` (with ``coverage``: lines run while pytest collects
go to their own context, ``plugin.COLLECTION``).

pytest-cov: when it is installed, ``--no-cov`` is appended. It keeps every ``--cov*`` option of the subject's
``addopts`` valid (``-p no:cov`` would make them unknown) while stopping pytest-cov from tracing, which would fight
our own coverage contexts and slow every candidate run.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import resource
import sys
import traceback

from . import RESULTS_ENV
from .plugin import ResultsRecorder
from .self_import import trace_self_import
from .tracing import make_tracer

EXIT_HARNESS_CRASHED = 70


def run_job(job: dict) -> int:
    """Run pytest for one job and return its exit status (the caller exits with it)."""
    _set_limits(job.get("memory_mb"), job.get("cpu_seconds"), job.get("file_size_mb"))
    os.chdir(job["root"])
    os.environ[RESULTS_ENV] = job["results"]
    _purge_modules(job.get("purge", ()))
    importlib.invalidate_caches()
    if job.get("self_import"):
        trace_self_import(job["root"], job["self_import"]["sources"], job["self_import"]["out"])
    tracer = _start_coverage(job["root"]) if job.get("coverage") else None
    disposable = tracer is None and not job.get("modules")
    recorder = ResultsRecorder(job["results"], job.get("wanted"), job.get("assertions", False), tracer, disposable,
                               job.get("keep_order", False), job.get("collection", False))
    import pytest

    try:
        code = int(pytest.main(_pytest_args(job["args"]), plugins=[recorder]))
    finally:
        if tracer is not None:
            _save_coverage(tracer, job["root"], job["coverage"])
    if job.get("modules"):
        _save_modules(job["modules"], job["root"])
    return code


def _pytest_args(args: list[str]) -> list[str]:
    if importlib.util.find_spec("pytest_cov") is not None and not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return [*args, "--no-cov"]
    return list(args)


def _set_limits(memory_mb: int | None, cpu_seconds: int | None, file_size_mb: int | None = None) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if file_size_mb:
        limit = int(file_size_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    if memory_mb:
        limit = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_seconds:
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds) + 5))


def _purge_modules(names) -> None:
    prefixes = tuple(f"{n}." for n in names)
    for name in [m for m in sys.modules if m in names or m.startswith(prefixes)]:
        del sys.modules[name]


def _start_coverage(root: str):
    tracer = make_tracer(root)
    tracer.start()
    return tracer


def _save_coverage(tracer, root: str, path: str) -> None:
    tracer.stop()
    with open(path, "w", encoding="utf-8") as out:
        json.dump(tracer.lines(), out)


def _save_modules(path: str, root: str) -> None:
    """Modules imported from outside the workspace: the worker preloads them so each fork starts warm."""
    outside = sorted(name for name, module in list(sys.modules.items()) if _outside(module, root))
    with open(path, "w", encoding="utf-8") as out:
        json.dump(outside, out)


def _outside(module, root: str) -> bool:
    file = getattr(module, "__file__", None)
    return bool(file) and not os.path.abspath(file).startswith(os.path.abspath(root) + os.sep)


def main(argv: list[str]) -> None:
    """Spawn mode: ``python -m <harness>.job JOBFILE``."""
    with open(argv[1], encoding="utf-8") as source:
        job = json.load(source)
    os._exit(run_guarded(job))


def run_guarded(job: dict) -> int:
    """run_job, with a crash of the harness itself reported as its own exit status (never as a test failure)."""
    code = EXIT_HARNESS_CRASHED
    try:
        code = run_job(job)
    except BaseException:  # noqa: BLE001 - the traceback goes to the job's log; the status says what happened
        traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    return code


if __name__ == "__main__":
    main(sys.argv)
