"""One run per store: a second `bugprm label` on the same store waits for the first or stops with a clear message,
and nothing is executed twice. Two real processes, a real store."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bugprm.store_lock import StoreBusy, store_lock

MUTATIONS = [("a + b", "a - b"), ("a / b", "a * b"), ("value > high", "value >= high"), ("b == 0", "b != 0")]


def _label(repo: Path, wait: float) -> subprocess.Popen:
    env = {**os.environ, "BUGPRM_LOCK_WAIT": str(wait), "BUGPRM_TIMEOUT_CONSTANT": "3",
           "BUGPRM_BASELINE_TIMEOUT": "60"}
    return subprocess.Popen([sys.executable, "-m", "bugprm", "label", str(repo)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _executed(repo: Path) -> int:
    try:
        with sqlite3.connect(repo / ".bugprm" / "bugprm.sqlite", timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM executions").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _lock_taken(repo: Path, process: subprocess.Popen, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not (repo / ".bugprm" / "lock").exists() or not (repo / ".bugprm" / "lock").read_text():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.05)


def test_a_second_label_stops_or_waits_and_nothing_runs_twice(h, tmp_path):
    repo = h.copy_fixture("h_calc", tmp_path)
    candidates = [h.replace_once(repo, h.OPS, old, new) for old, new in MUTATIONS]
    h.store_with(repo, candidates)
    first = _label(repo, 0)
    _lock_taken(repo, first)
    refused = _label(repo, 0)
    waiting = _label(repo, 300)
    refused_out, refused_err = refused.communicate(timeout=120)
    assert first.poll() is None, "the first run ended before the second asked: the test proves nothing"
    first_out, _ = first.communicate(timeout=300)
    waiting_out, waiting_err = waiting.communicate(timeout=300)

    assert refused.returncode == 3
    assert "another bugprm run (pid " in refused_err and f"is using the store at {repo / '.bugprm'}" in refused_err
    assert "Traceback" not in refused_err
    assert first.returncode == 0 and f"executed {len(candidates)} candidates" in first_out
    assert waiting.returncode == 0, waiting_err
    assert "executed 0 candidates" in waiting_out and "already done under fingerprint" in waiting_out
    assert _executed(repo) == len(candidates)


def test_the_lock_is_reentrant_in_one_process_and_exclusive_across_processes(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
                               "from bugprm.store_lock import store_lock\n"
                               f"with store_lock(Path({str(tmp_path)!r})):\n"
                               "    print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="another bugprm run \\(pid "):
            with store_lock(tmp_path, wait=0.3):
                pass
    finally:
        holder.kill()
        holder.wait()
    with store_lock(tmp_path, wait=5), store_lock(tmp_path):  # a killed holder's lock is free; re-entrant here
        assert (tmp_path / "lock").read_text().startswith(f"pid {os.getpid()}")


@pytest.mark.parametrize("written, named", [("", "(pid unknown)"),
                                            ("pid 7: " + "x" * 300, "(pid 7: " + "x" * 193 + ")")])
def test_the_busy_message_names_the_holder_as_it_wrote_itself_cut_to_200_characters(tmp_path, written, named):
    import fcntl

    with open(tmp_path / "lock", "w") as holder:
        holder.write(written)
        holder.flush()
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreBusy) as raised:
            with store_lock(tmp_path, wait=0):
                pass
    assert f"another bugprm run {named} is using the store" in str(raised.value)


def test_a_waiting_run_polls_until_the_holder_lets_go(tmp_path, monkeypatch):
    import fcntl
    import threading

    from bugprm import store_lock as lock_module

    tries = []
    real_try = lock_module._try_lock
    monkeypatch.setattr(lock_module, "_try_lock", lambda handle: tries.append(1) or real_try(handle))
    holder = open(tmp_path / "lock", "w")
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    threading.Timer(0.5, holder.close).start()
    started = time.monotonic()
    with store_lock(tmp_path, wait=30):
        waited = time.monotonic() - started
    assert 0.4 < waited < 20 and len(tries) <= waited / lock_module.POLL_SECONDS + 2  # polled, not spun
