"""kill -9 in the middle of `bugprm label`: the user's tree is untouched, no worker outlives the run, and a second
run finishes the job with every candidate executed exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bugprm.execute import label_pool
from bugprm.execute.workspace import ROOT_NAME

MUTATIONS = [("a + b", "a - b"), ("a + b", "a * b"), ("value < low", "value <= low"), ("value < low", "value > low"),
             ("value > high", "value >= high"), ("value > high", "value < high"), ("return low", "return high"),
             ("return value", "return low"), ("n % 2 == 0", "n % 2 == 1"), ("n % 2 == 0", "n % 3 == 0"),
             ("b == 0", "b != 0"), ("a / b", "a * b"), ("a / b", "a // b"), ("x * factor", "x + factor"),
             ("FACTOR = 3", "FACTOR = 2"), ("x - 1", "x + 1"), ("return a + b", "return b + a"),
             ("return high", "return value")]


def _executed(repo: Path) -> list[str]:
    try:
        with sqlite3.connect(repo / ".bugprm" / "bugprm.sqlite", timeout=5) as db:
            return [row[0] for row in db.execute("SELECT candidate_id FROM executions")]
    except sqlite3.OperationalError:
        return []


def _wait_for_executions(repo: Path, count: int, process: subprocess.Popen, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while len(_executed(repo)) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the label run made no progress"
        time.sleep(0.05)


def _processes_inside(folder: Path) -> list[int]:
    inside = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(folder) in os.readlink(entry / "cwd"):
                inside.append(int(entry.name))
        except OSError:
            continue
    return inside


def test_kill_9_mid_run_then_resume(h, tmp_path):
    repo = h.copy_fixture("h_calc", tmp_path)
    candidates = [h.replace_once(repo, h.OPS, old, new) for old, new in MUTATIONS]
    h.store_with(repo, candidates)
    before = h.tree_digest(repo)
    run = subprocess.Popen([sys.executable, "-m", "bugprm", "label", str(repo)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    _wait_for_executions(repo, 3, run)
    run.send_signal(signal.SIGKILL)
    run.wait()
    killed_folders = list((Path(tempfile.gettempdir()) / ROOT_NAME).glob(f"run-{run.pid}-*"))
    assert killed_folders, "the killed run left no workspace folder to sweep: the test proves nothing"
    time.sleep(0.5)  # workers die with their parent (PDEATHSIG); give the kernel a moment

    assert h.tree_digest(repo) == before
    assert all(not _processes_inside(folder) for folder in killed_folders)
    first = set(_executed(repo))
    assert 3 <= len(first) < len(candidates)

    second = label_pool(repo, None)
    assert second.skipped_already_done == len(first)
    assert second.executed == len(candidates) - len(first)
    executed = _executed(repo)
    assert sorted(executed) == sorted(c.id for c in candidates)  # each exactly once
    assert not any(folder.exists() for folder in killed_folders)  # the stale workspaces were swept
    assert h.tree_digest(repo) == before
