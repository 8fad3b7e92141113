"""Candidates on Ray: one actor per cluster CPU, each with its own workspace and warm worker on its node.

The driver measures the baseline as locally, then ships the repository as a tar snapshot (once, through the
object store). Each node unpacks it once under ``$BUGPRM_RAY_ROOT`` (default: the temp dir), keyed by its digest,
and every actor there copies its workspace from it; actors live as long as the session, so later batches and
rounds reuse them. Batches of candidates go to idle actors; each batch's verdicts come back as it finishes and
only the driver writes the store. An actor (or node) that dies loses its batch, which goes to a fresh actor, up to
``MAX_ATTEMPTS`` times; nothing of a lost batch was recorded, so no candidate counts twice. A harness failure inside
an actor is an ``infra_error`` with its traceback, as locally.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import logging
import os
import platform
import tarfile
import tempfile
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import ray
from ray.exceptions import RayActorError, RayTaskError

from bugprm.errors import HarnessError
from bugprm.execute.baseline import Baseline
from bugprm.execute.config import HarnessConfig, is_skipped_dir
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.executors import ExecutorChoice
from bugprm.execute.guarded import execute_guarded
from bugprm.execute.slot import Slot
from bugprm.execute.verdict import infra_error
from bugprm.execute.workspace import RunFolder
from bugprm.records import Candidate, Execution

ROOT_ENV = "BUGPRM_RAY_ROOT"
SNAPSHOTS = "bugprm-snapshots"
MAX_ATTEMPTS = 3
BATCHES_PER_ACTOR = 4
MAX_BATCH = 8
CLOSE_SECONDS = 10.0


@dataclass(frozen=True)
class Snapshot:
    digest: str
    archive: bytes


@dataclass(frozen=True)
class NodeJob:
    """What every actor needs to run candidates exactly as the driver's baseline was measured."""

    snapshot: Snapshot
    baseline: Baseline
    config: HarnessConfig
    fingerprint: str
    corpus: str | None = None  # the corpus manifest that can rebuild the interpreter on a node lacking it


@dataclass(frozen=True)
class Batch:
    candidates: tuple[Candidate, ...]
    attempts: int = 0


def snapshot_of(repo: Path) -> Snapshot:
    """The repository as a tar archive, without what workspaces never copy (VCS data, caches, venvs, the store)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(repo, arcname=".", filter=lambda info: None if _skipped(repo, info.name) else info)
    archive = buffer.getvalue()
    return Snapshot(hashlib.sha256(archive).hexdigest()[:16], archive)


def _skipped(repo: Path, name: str) -> bool:
    return name != "." and is_skipped_dir(repo / name)


def node_root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or tempfile.gettempdir())


def node_snapshot(snapshot: Snapshot, root: Path) -> Path:
    """The snapshot unpacked on this node, once: the first actor unpacks it, the others wait and reuse it."""
    target = root / SNAPSHOTS / snapshot.digest
    with _node_lock(root):
        if not target.is_dir():
            partial = Path(tempfile.mkdtemp(prefix="unpacking-", dir=target.parent))
            with tarfile.open(fileobj=io.BytesIO(snapshot.archive)) as tar:
                tar.extractall(partial, filter="tar")
            partial.rename(target)
    return target


@contextmanager
def _node_lock(root: Path):
    (root / SNAPSHOTS).mkdir(parents=True, exist_ok=True)
    with open(root / SNAPSHOTS / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def node_config(config: HarnessConfig, corpus: str | None, root: Path) -> HarnessConfig:
    """The driver's settings, with this node's interpreter: the same path, or the corpus manifest's venv built here."""
    if Path(config.python).exists():
        return config
    if corpus is None:
        raise HarnessError(f"node {platform.node()} has no interpreter {config.python}: install the subject's "
                           "environment at the same path on every node")
    from bugprm.corpus_build.fetch import fetch

    with _node_lock(root):
        fetched = fetch(corpus, root / "bugprm-corpora", check_suite=False)
    return replace(config, python=fetched.python)


class NodeWorker:
    """A Ray actor: one workspace and one warm worker on its node, running batches of candidates in turn."""

    def __init__(self, job: NodeJob):
        root = node_root()
        source = node_snapshot(job.snapshot, root)
        config = node_config(job.config, job.corpus, root)
        self.node = f"{platform.node()}:{ray.get_runtime_context().get_node_id()[:8]}"
        self._folder = RunFolder(root)
        self._slot = Slot(self._folder.workspace(source, 0), config, job.baseline.preload)
        self._runner = CandidateRunner(source, job.baseline, config, job.fingerprint)

    def run_batch(self, candidates: tuple[Candidate, ...]) -> tuple[str, list[Execution]]:
        return self.node, [execute_guarded(self._runner, self._slot, c) for c in candidates]

    def where(self) -> dict:
        """This actor's node, process and workspace (tests use it to fail a node on purpose)."""
        return {"node": self.node, "pid": os.getpid(), "workspace": str(self._slot.workspace.root)}

    def close(self) -> None:
        self._slot.close()
        self._folder.close()


@contextmanager
def ray_connection(choice: ExecutorChoice, cpus: int):
    """Connected to ``choice``'s cluster, or to a local Ray with ``cpus`` CPUs started for the run and stopped after;
    a Ray this process already joined is reused and left running."""
    if ray.is_initialized():
        yield
        return
    try:
        ray.init(address=choice.ray_address, num_cpus=None if choice.ray_address else cpus, include_dashboard=False,
                 log_to_driver=False, logging_level=logging.WARNING, configure_logging=True)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise HarnessError(f"cannot start or join Ray ({choice.describe()}): {exc}") from exc
    try:
        yield
    finally:
        ray.shutdown()


class RayPool:
    """The driver's side: actors, the batch queue, retries, and what the progress line shows."""

    def __init__(self, job: NodeJob):
        self._job = ray.put(job)
        self._actor_class = ray.remote(NodeWorker).options(num_cpus=1, max_restarts=0, scheduling_strategy="SPREAD")
        self._fingerprint = job.fingerprint
        self._actors: list = []
        self.running = 0
        self.retried = 0

    def run(self, candidates: list[Candidate], on_result: Callable[[Execution, str], None]) -> None:
        """Execute ``candidates``; ``on_result(execution, node)`` is called on the driver as each batch finishes."""
        batches = deque(Batch(c) for c in _chunks(candidates, self._batch_size(len(candidates))))
        idle = self._actors_for(len(batches))
        in_flight: dict = {}
        while batches or in_flight:
            while batches and idle:
                actor, batch = idle.pop(), batches.popleft()
                in_flight[actor.run_batch.remote(batch.candidates)] = (actor, batch)
            self.running = len(in_flight)
            [finished], _ = ray.wait(list(in_flight), num_returns=1)
            actor, batch = in_flight.pop(finished)
            idle.append(self._collect(finished, actor, batch, batches, on_result))

    def status(self) -> str:
        alive = sum(1 for node in ray.nodes() if node.get("Alive"))
        retried = f", {self.retried} batches retried" if self.retried else ""
        return f"ray: {alive} nodes, {len(self._actors)} actors, {self.running} tasks running{retried}"

    def close(self) -> None:
        """Each actor removes its workspace; one that does not answer is killed (its node's next run sweeps it)."""
        closing = [actor.close.remote() for actor in self._actors]
        ray.wait(closing, num_returns=len(closing), timeout=CLOSE_SECONDS)
        for actor in self._actors:
            ray.kill(actor)
        self._actors.clear()

    def _collect(self, finished, actor, batch: Batch, batches: deque, on_result):
        """Record a finished batch and return the actor to use next (a fresh one when this one died)."""
        try:
            node, executions = ray.get(finished)
        except RayActorError as exc:
            self._retry(batch, batches, on_result, f"the Ray actor running it died: {exc}")
            return self._replace(actor)
        except RayTaskError as exc:
            executions, node = [self._failed(c, f"harness failure on Ray:\n{exc}") for c in batch.candidates], "?"
        for execution in executions:
            on_result(execution, node)
        return actor

    def _retry(self, batch: Batch, batches: deque, on_result, why: str) -> None:
        if batch.attempts + 1 < MAX_ATTEMPTS:
            self.retried += 1
            batches.append(Batch(batch.candidates, batch.attempts + 1))
            return
        for candidate in batch.candidates:
            on_result(self._failed(candidate, f"harness failure: {MAX_ATTEMPTS} tries, the last: {why}"), "?")

    def _failed(self, candidate: Candidate, why: str) -> Execution:
        return infra_error(candidate.id, self._fingerprint, why[-2000:])

    def _replace(self, dead):
        ray.kill(dead)
        self._actors[self._actors.index(dead)] = fresh = self._new_actor()
        return fresh

    def _actors_for(self, batches: int) -> list:
        wanted = max(1, min(int(ray.cluster_resources().get("CPU", 1)), batches))
        while len(self._actors) < wanted:
            self._actors.append(self._new_actor())
        return list(self._actors)

    def _new_actor(self):
        return self._actor_class.remote(self._job)

    def _batch_size(self, count: int) -> int:
        actors = max(1, int(ray.cluster_resources().get("CPU", 1)))
        return max(1, min(MAX_BATCH, -(-count // (actors * BATCHES_PER_ACTOR))))


def _chunks(items: list, size: int) -> list[tuple]:
    return [tuple(items[i:i + size]) for i in range(0, len(items), size)]

