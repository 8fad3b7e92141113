"""A plain ``python -m pytest`` run of a fresh copy of a repository: the reference that benchmarks check the
harness against, so it shares no code with ``bugprm/execute`` or ``harness/``."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

SKIP = shutil.ignore_patterns(".bugprm", ".git", "__pycache__", ".pytest_cache", "mutants", ".venv", "venv")


def fresh_copy(repo: Path, target: Path) -> Path:
    """``target``, replaced by a copy of ``repo`` without stores, VCS data, caches or virtual environments."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(repo, target, symlinks=True, ignore=SKIP)
    return target


def run_suite(python: str, pytest_args: list[str], timeout: float, copy: Path) -> tuple[int, dict[str, bool]]:
    """(pytest's exit status, test id -> passed) of the suite of ``copy``."""
    report = copy / "junit.xml"
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *pytest_args]
    # the copy's code must be what the tests import (src layouts need src/ on the path), and parametrised ids built
    # from sets must match between the baseline run and the candidate runs
    path = os.pathsep.join(str(p) for p in (copy / "src", copy) if p.is_dir())
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": path}
    done = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=timeout, env=env)
    return done.returncode, junit_results(report)


def junit_results(report: Path) -> dict[str, bool]:
    """Test id (classname.name) -> passed; a test with a failure or error element did not pass."""
    if not report.exists():
        return {}
    results = {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        bad = case.find("failure") is not None or case.find("error") is not None
        if case.find("skipped") is None:
            results[name] = results.get(name, True) and not bad
    return results
