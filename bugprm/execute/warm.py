"""The bugprm side of a warm worker: start ``harness.worker`` in the subject interpreter and talk JSON lines.

The harness folder is linked into a private directory under a package name no subject uses, and that directory goes
on PYTHONPATH after the workspace's ``src/`` and root, so the tests import the subject from the WORKSPACE copy even
when the package is installed in the interpreter's environment.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import harness

from bugprm.execute.config import HarnessConfig, hash_seed
from bugprm.execute.containment import contained_env, say_network_state
from bugprm.execute.workspace import Workspace

HARNESS_PACKAGE = "_bugprm_harness"
REPLY_GRACE_SECONDS = 30.0


class WorkerDied(Exception):
    """The worker process stopped answering: a harness failure, never a verdict on a candidate."""


@dataclass(frozen=True)
class ChildReport:
    code: int | None
    signal: int | None
    timed_out: bool
    wall: float
    cpu: float
    started_at: float = 0.0


class WarmWorker:
    def __init__(self, config: HarnessConfig, workspace: Workspace, preload: tuple[str, ...] = ()):
        self.config = config
        self.python = config.python
        self.workspace = workspace
        self.preload = preload
        self._process: subprocess.Popen | None = None
        self._stopped = False
        self.network = "not started"

    def run(self, job: dict, timeout: float, mode: str) -> ChildReport:
        reply = self._ask({"op": "run", "job": job, "mode": mode, "timeout": timeout}, timeout + REPLY_GRACE_SECONDS)
        return ChildReport(reply["code"], reply["signal"], reply["timed_out"], reply["wall"], reply["cpu"],
                           reply["started_at"])

    def kill(self) -> None:
        """Stop now, from any thread: a job in flight ends as WorkerDied, and no new worker is started."""
        self._stopped = True
        if self._process is not None:
            _kill_group(self._process.pid, signal.SIGTERM)  # the worker takes its job's process group along

    def close(self) -> None:
        if self._process is None:
            return
        _kill_group(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill_group(self._process.pid)
            self._process.wait()
        for stream in (self._process.stdin, self._process.stdout):
            try:
                stream.close()
            except OSError:  # the pipe's other end is gone: nothing left to flush
                pass
        self._process = None

    def _start(self) -> None:
        if self._stopped:
            raise WorkerDied("the run was stopped")
        with open(self._log, "ab") as log:
            self._process = subprocess.Popen(
                [self.python, "-m", f"{HARNESS_PACKAGE}.worker", *self._flags], cwd=self.workspace.root,
                env=worker_env(self.workspace, self.config.env_allow), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log, start_new_session=True)
        self.network = self._ask({"op": "status"}, 60.0)["network"]
        say_network_state(self.network, self.config.network)
        if self.preload:
            self._ask({"op": "preload", "modules": list(self.preload)}, 300.0)

    def _ask(self, request: dict, wait: float) -> dict:
        if self._process is None:
            self._start()
        try:
            self._process.stdin.write((json.dumps(request) + "\n").encode())
            self._process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerDied(f"the worker is gone ({exc})") from exc
        try:
            return json.loads(_read_line(self._process.stdout, wait, self._process.pid))
        except (WorkerDied, ValueError) as exc:
            raise WorkerDied(f"{exc}\n{self._log_tail()}") from exc

    @property
    def _flags(self) -> tuple[str, ...]:
        return ("--isolate-network",) if self.config.network == "isolate" else ()

    @property
    def _log(self) -> Path:
        return self.workspace.tmp / "worker.log"

    def _log_tail(self, limit: int = 1500) -> str:
        try:
            return self._log.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def worker_env(workspace: Workspace, allow: tuple[str, ...]) -> dict:
    """The allow-listed environment (``containment``), the workspace first on PYTHONPATH, one hash seed."""
    env = contained_env(dict(os.environ), allow, workspace.tmp)
    paths = [workspace.root / "src", workspace.root, _harness_link(workspace)]
    existing = [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []
    env.update(PYTHONPATH=os.pathsep.join([*(str(p) for p in paths if p.exists()), *existing]),
               PYTHONFAULTHANDLER="1", PYTHONHASHSEED=hash_seed())
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _harness_link(workspace: Workspace) -> Path:
    folder = workspace.tmp / "harness-path"
    link = folder / HARNESS_PACKAGE
    if not link.exists():
        folder.mkdir(parents=True, exist_ok=True)
        link.symlink_to(Path(harness.__file__).parent, target_is_directory=True)
    return folder


def _read_line(stream, wait: float, pid: int) -> str:
    if not select.select([stream], [], [], wait)[0]:
        _kill_group(pid)
        raise WorkerDied(f"the worker did not answer within {wait:.0f}s")
    line = stream.readline()
    if not line:
        raise WorkerDied("the worker exited without answering")
    return line.decode()


def _kill_group(pid: int, signum: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
