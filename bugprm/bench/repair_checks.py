"""Helpers of the repair benchmarks (``benchmarks/bench_repair*.py``): a scratch snapshot of a repository and its
store, where Ochiai ranks a bug's own line, and an independent full-suite check of a patch judged ``correct``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bugprm.bench.reference import fresh_copy, run_suite
from bugprm.records import Candidate
from bugprm.repair.sites import Localisation
from bugprm.store import DB_NAME, STORE_DIRNAME


def snapshot(repo: Path, store: Path, target: Path) -> Path:
    """A copy of the tree and of its store's files, the write-ahead log included (opening the original with SQLite,
    even to read, could write beside it)."""
    shutil.copytree(repo, target, symlinks=True, ignore=shutil.ignore_patterns(STORE_DIRNAME))
    (target / STORE_DIRNAME).mkdir()
    for name in (DB_NAME, f"{DB_NAME}-wal"):
        if (store / name).exists():
            shutil.copy2(store / name, target / STORE_DIRNAME / name)
    return target


def line_rank(localisation: Localisation, bug: Candidate) -> int | None:
    """Where Ochiai puts the bug's line (for the report only: rankings never see the bug)."""
    return next((s.suspicion.rank for s in localisation.lines if (s.file, s.suspicion.line) == (bug.file, bug.line)),
                None)


def check_patch(bug: Candidate, patch: Candidate, repo: Path, baseline: dict[str, bool], runner, scratch: Path) -> dict:
    """No test fails that passes on the unmodified copy, and no fewer tests pass. Outcomes are compared by count
    as well as by id because some suites' parametrised ids change between processes (isodate builds them from a
    set holding None, whose hash is its address under Python 3.11, so it moves with ASLR)."""
    copy = fresh_copy(repo, scratch / "candidate")
    applied = [_patch(copy, diff) for diff in (bug.diff, patch.diff)]
    if not all(applied):
        return {"bug": bug.id, "patch": patch.id, "ok": False, "why": "patch -p1 failed"}
    code, tests = run_suite(runner.python, runner.pytest_args, runner.timeout, copy)
    failed = sorted(t for t, ok in tests.items() if not ok and baseline.get(t, True))
    passing, before = sum(tests.values()), sum(baseline.values())
    return {"bug": bug.id, "patch": patch.id, "ok": not failed and passing >= before and code in (0, 1),
            "exit": code, "failed": failed[:5], "passing": passing, "passing_unmodified": before}


def _patch(copy: Path, diff: str) -> bool:
    done = subprocess.run(["patch", "-p1", "--quiet", "--no-backup-if-mismatch"], cwd=copy, input=diff, text=True,
                          capture_output=True)
    return done.returncode == 0
