"""The warm worker: a long-lived process in the subject interpreter that runs one job at a time.

It has imported pytest and the subject's third-party test dependencies, never the workspace's own modules, and it
FORKS a child per job, so each child starts warm yet imports the edited files afresh. ``spawn`` mode starts a fresh
interpreter instead, for suites that are not fork-safe.

Protocol: one JSON object per line on stdin (``{"op": "run", "job": {...}, "mode": "fork", "timeout": 3.5}`` or
``{"op": "preload", "modules": [...]}``); one JSON reply per line on the ORIGINAL stdout, which is moved to a
private descriptor so nothing a test prints can corrupt the protocol.

What it protects against: a job running past its wall timeout (its whole process group is killed), a child that
segfaults or exits early (reported with its signal and status), runaway memory, CPU or file size (resource limits
in the child), the network (``--isolate-network``: see ``contain``; the ``status`` op says whether it held), and
being orphaned (EOF on stdin, even mid-job, kills the job's process group and ends the worker; a job's child also
dies with the worker). bugprm starts it with a scrubbed environment and HOME/TMPDIR inside the workspace.
What it does not: tests that read or write outside the workspace by absolute path (bugprm's README, "Threat model").
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import json
import os
import select
import signal
import sys
import time

from .contain import isolate_network
from .job import EXIT_HARNESS_CRASHED, run_guarded

PR_SET_PDEATHSIG = 1
ADDR_NO_RANDOMIZE = 0x0040000
QUERY_PERSONALITY = 0xFFFFFFFF
_running: dict[str, int] = {}
_network = {"state": "allowed"}


def main() -> None:
    _without_address_randomisation()
    if "--isolate-network" in sys.argv[1:]:
        _network["state"] = isolate_network()
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    _redirect(1, os.devnull)
    # No parent-death signal here: Linux sends it when the parent THREAD exits, and bugprm starts workers from
    # pool threads. EOF on stdin is the parent's death instead (see _wait_or_kill); SIGTERM is bugprm's "stop".
    signal.signal(signal.SIGTERM, _on_stop)
    for line in sys.stdin:
        request = json.loads(line)
        replies.write(json.dumps(_handle(request)) + "\n")
    sys.exit(0)


def _handle(request: dict) -> dict:
    if request["op"] == "status":
        return {"network": _network["state"]}
    if request["op"] == "preload":
        return {"loaded": _preload(request["modules"])}
    if request["op"] == "run":
        return _run(request["job"], request.get("mode", "fork"), float(request["timeout"]))
    return {"error": f"unknown op {request['op']!r}"}


def _preload(modules: list[str]) -> int:
    loaded = 0
    for name in modules:
        try:
            importlib.import_module(name)
            loaded += 1
        except BaseException:  # noqa: BLE001 - a module that cannot preload is simply imported by the child later
            continue
    gc.freeze()  # what the children inherit is never scanned by their collector, nor copied by it page by page
    return loaded


def _run(job: dict, mode: str, timeout: float) -> dict:
    started, started_at = time.monotonic(), time.time()
    pid = _fork_child(job) if mode == "fork" else _spawn_child(job)
    _running["pid"] = pid
    timed_out = _wait_or_kill(pid, timeout)
    _kill_group(pid)
    _, status, usage = os.wait4(pid, 0)
    _running.pop("pid", None)
    reply = {"wall": time.monotonic() - started, "cpu": usage.ru_utime + usage.ru_stime, "timed_out": timed_out,
             "started_at": started_at}
    if os.WIFSIGNALED(status):
        return {**reply, "signal": os.WTERMSIG(status), "code": None}
    return {**reply, "signal": None, "code": os.WEXITSTATUS(status)}


def _fork_child(job: dict) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = EXIT_HARNESS_CRASHED
    try:
        _become_child(job["log"])
        code = run_guarded(job)
    finally:
        os._exit(code)


def _become_child(log: str) -> None:
    os.setsid()
    _die_with_parent(signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _redirect(0, os.devnull, os.O_RDONLY)
    _redirect(1, log)
    os.dup2(1, 2)


def _spawn_child(job: dict) -> int:
    job_file = job["log"] + ".job.json"
    with open(job_file, "w", encoding="utf-8") as out:
        json.dump(job, out)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_OPEN, 1, job["log"], flags, 0o644),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    argv = [sys.executable, "-m", f"{__package__}.job", job_file]
    return os.posix_spawn(sys.executable, argv, dict(os.environ), file_actions=actions, setsid=True)


def _wait_or_kill(pid: int, timeout: float) -> bool:
    """Wait for the child; True when it ran past ``timeout`` and its process group was killed."""
    watched = os.pidfd_open(pid)
    try:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            ready, _, _ = select.select([watched, sys.stdin], [], [], remaining)
            if watched in ready:
                return False
            if sys.stdin in ready:  # requests never overlap, so this is EOF: the parent went away
                _kill_group(pid)
                os._exit(0)
    finally:
        os.close(watched)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _redirect(fd: int, path: str, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> None:
    target = os.open(path, flags, 0o644)
    os.dup2(target, fd)
    os.close(target)


def _die_with_parent(signum: int) -> None:
    """Linux: get ``signum`` when the parent (the single-threaded worker) dies."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signum))
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signum)


def _without_address_randomisation() -> None:
    """Re-exec once with ASLR off (Linux; a no-op where refused). Objects hashed by address (``None`` before Python
    3.12) then hash alike in every worker and spawned child, so parametrised ids built by iterating a set of such
    tuples (isodate's are) name the same tests in the baseline and in every candidate run."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        current = libc.personality(QUERY_PERSONALITY)
        if current == -1 or current & ADDR_NO_RANDOMIZE or libc.personality(current | ADDR_NO_RANDOMIZE) == -1:
            return
    except (OSError, AttributeError):
        return
    os.execv(sys.executable, [sys.executable, "-m", __spec__.name, *sys.argv[1:]])


def _on_stop(signum, frame) -> None:
    if "pid" in _running:
        _kill_group(_running["pid"])
    os._exit(0)


if __name__ == "__main__":
    main()
