"""One writing run at a time per store: an advisory ``flock`` on ``lock`` in the store directory.

Two ``label`` (or ``train``, ``repair``, ``generate``) runs on one store would each execute the same candidates.
The second run waits ``BUGPRM_LOCK_WAIT`` seconds (0 by default) for the first, then stops with a message naming
the holder. The kernel drops the lock when its process dies, ``kill -9`` included, so a stale lock never blocks.
Within one process the lock is re-entrant: ``train`` holds it while its harness sessions take it again.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bugprm.errors import BugprmError, ConfigError

LOCK_NAME = "lock"
WAIT_ENV = "BUGPRM_LOCK_WAIT"
POLL_SECONDS = 0.2
_held: dict[Path, list] = {}  # lock file -> [open file, depth]


class StoreBusy(BugprmError):
    """Another run holds the store: a runtime condition (exit 3), to retry when it is done."""


@contextmanager
def store_lock(directory: Path, wait: float | None = None) -> Iterator[None]:
    path = (Path(directory) / LOCK_NAME).resolve()
    if path in _held:
        _held[path][1] += 1
    else:
        _held[path] = [_acquire(path, lock_wait() if wait is None else wait), 1]
    try:
        yield
    finally:
        _release(path)


def lock_wait() -> float:
    text = os.environ.get(WAIT_ENV, "0")
    try:
        seconds = float(text)
    except ValueError:
        raise ConfigError(f"{WAIT_ENV} must be a number of seconds, got {text!r}") from None
    if not 0 <= seconds < float("inf"):
        raise ConfigError(f"{WAIT_ENV} must be a finite number of seconds >= 0, got {text!r}")
    return seconds


def _acquire(path: Path, wait: float):
    handle = open(path, "a+")
    deadline = time.monotonic() + wait
    while not _try_lock(handle):
        if time.monotonic() >= deadline:
            holder = _holder(handle)
            handle.close()
            raise StoreBusy(f"another bugprm run ({holder}) is using the store at {path.parent}; wait for it to "
                            f"finish, or set {WAIT_ENV}=SECONDS to wait for it")
        time.sleep(POLL_SECONDS)
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}: bugprm {' '.join(sys.argv[1:])}".strip())
    handle.flush()
    return handle


def _try_lock(handle) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(handle) -> str:
    handle.seek(0)
    return handle.read().strip()[:200] or "pid unknown"


def _release(path: Path) -> None:
    entry = _held[path]
    entry[1] -= 1
    if entry[1] == 0:
        del _held[path]
        entry[0].close()
