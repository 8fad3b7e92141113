"""A harness session on one repository: settings, fingerprint, workspaces, warm workers, baseline, then candidates.

Candidate patches (``Kind.REPAIR``) run through a ``RepairRunner`` for their failing state, candidate bugs through
the ``CandidateRunner``; both record their verdicts under the session's fingerprint. ``allow_failing`` measures a
red suite instead of refusing it (``bugprm repair`` on the repository's own failing state).

The interpreter and pytest arguments given explicitly win and are remembered in the store's meta; later commands on
the repository (the active-learning loop, ``score --verify``) reuse them, so their verdicts share the fingerprint.
``full_matrix`` is per call: it is in the fingerprint, so its verdicts never mix with stop-at-first-failure ones.
A session holds the store's lock (``store_lock``) from open to close: one run executes on a store at a time.

Across commits: the fingerprint leaves the sources out; each verdict of a candidate bug carries its context (its
function and its covering tests, ``bugprm.execute.context``). Once the baseline of the current sources is known, a
verdict whose context changed is deleted (and so made again when asked for); every other one is reused.
"""

from __future__ import annotations

import queue
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from bugprm.errors import BugprmError, RepoError
from bugprm.execute.baseline import Baseline, measure_baseline
from bugprm.config import load_config
from bugprm.execute.config import HarnessConfig, make_config, resolve_python
from bugprm.execute.context import VerdictContexts
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.executors import LOCAL, ExecutorChoice, ExecutorName, local_node
from bugprm.execute.failing import FailingState, bug_state, killed_verdict, suite_state
from bugprm.execute.guarded import execute_guarded
from bugprm.execute.repair import RepairRunner, Unrunnable
from bugprm.execute.sanity import forced_failure_check
from bugprm.execute.saved import BASELINE_META, SOURCES_META, load_baseline, save_baseline
from bugprm.execute.slot import Slot
from bugprm.execute.spectrum import bug_spectrum, full_matrix_runner
from bugprm.execute.workspace import RunFolder
from bugprm.records import Candidate, Execution, Kind
from bugprm.store import Store
from bugprm.store_identity import check_repository, refuse_stale
from bugprm.store_lock import store_lock



class HarnessSession:
    def __init__(self, store: Store, repo: Path, config: HarnessConfig, workers: int = 1,
                 allow_failing: bool = False, executor: ExecutorChoice = LOCAL):
        if not repo.is_dir():
            raise RepoError(f"{repo} is not a directory")
        self.store = store
        self.repo = repo.resolve()
        self.config = config
        self.fingerprint = config.fingerprint()
        self.baseline_key = config.baseline_fingerprint()
        self.workers = max(1, workers)
        self.allow_failing = allow_failing
        self.sanity = ""
        self._folder: RunFolder | None = None
        self._slots: list[Slot] = []
        self._baseline: Baseline | None = None
        self._runner: CandidateRunner | None = None
        self._contexts: VerdictContexts | None = None
        self._spectrum_runner: CandidateRunner | None = None
        self._repair_runners: dict[str | None, RepairRunner | Unrunnable] = {}
        self.executor = executor
        self.cpu_by_node: Counter = Counter()
        self._remote = ExitStack()
        self.ray_pool = None
        self._hold = ExitStack()
        self._hold.enter_context(store_lock(store.directory))

    @classmethod
    def open(cls, store: Store, repo: Path, *, workers: int = 1, python: str | None = None,
             pytest_args: str | None = None, full_matrix: bool = False, allow_failing: bool = False,
             executor: ExecutorChoice = LOCAL, **settings) -> "HarnessSession":
        """Under the store's lock, once the store is known to be this repository's and not stale (a failing state's
        changed source is repair's input: there only the bug repaired is checked, in ``failing_state``)."""
        with store_lock(store.directory):  # held again by the session itself until close()
            check_repository(store, Path(repo))
            if not allow_failing:
                refuse_stale(store, Path(repo))
            return cls._settled(store, repo, workers, python, pytest_args, full_matrix, allow_failing, executor,
                               settings)

    @classmethod
    def _settled(cls, store, repo, workers, python, pytest_args, full_matrix, allow_failing, executor, settings):
        """The interpreter and pytest arguments given (else the repository's ``[tool.bugprm]``) win and are
        remembered once they have been checked; otherwise the remembered ones apply, and one that fails says how to
        replace it."""
        remembered = store.harness_settings()
        project = load_config(repo=Path(repo)).project
        python, pytest_args = python or project.python or None, pytest_args or project.pytest_args or None
        chosen = {"python": resolve_python(python) if python else None, "pytest_args": pytest_args}
        merged = {**remembered, **{k: v for k, v in chosen.items() if v is not None}}
        try:
            config = make_config(Path(repo), merged.get("python"), merged.get("pytest_args"),
                                 full_matrix=full_matrix, **settings)
        except BugprmError as exc:
            raise _with_remembered_hint(exc, remembered, chosen, store) from exc
        store.set_harness_settings(merged)
        return cls(store, Path(repo), config, workers, allow_failing, executor)

    def __enter__(self) -> "HarnessSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def baseline(self) -> Baseline:
        """Loaded or measured; either way the store's current verdict fingerprint (meta ``fingerprint``, which
        export, scoring and the loop read verdicts under) and baseline (meta ``baseline``: coverage) become ours,
        and the verdicts whose context changed since are pruned."""
        if self._baseline is None:
            self._baseline = load_baseline(self.store, self.baseline_key) or self._measure()
            self.store.set_fingerprint(self.fingerprint)
            self.store.set_meta(BASELINE_META, self.baseline_key)
            self.store.set_meta(SOURCES_META, self.config.source_digest)
            self._prune_stale_verdicts()
        return self._baseline

    @property
    def contexts(self) -> VerdictContexts:
        if self._contexts is None:
            self._contexts = VerdictContexts(self.runner)
        return self._contexts

    @property
    def runner(self) -> CandidateRunner:
        if self._runner is None:
            self._runner = CandidateRunner(self.repo, self.baseline, self.config, self.fingerprint)
        return self._runner

    def failing_state(self, bug_id: str | None) -> FailingState:
        """A killed bug's failing state (its verdict under this fingerprint, every failing test measured once), or
        the repository's own (None)."""
        if bug_id is None:
            return suite_state(self.baseline)
        bug = self.store.candidate(bug_id)
        refuse_stale(self.store, self.repo, [bug.file])
        verdict = killed_verdict(bug, self.executed().get(bug_id))
        if self._spectrum_runner is None:
            self._spectrum_runner = full_matrix_runner(self.runner)
        return bug_state(bug, bug_spectrum(self.store, self._spectrum_runner, self._ready_slots()[0], bug, verdict))

    def executed(self) -> dict[str, Execution]:
        """Verdicts already made under this fingerprint and still in context (an infra_error is none, so it is tried
        again)."""
        self.baseline  # noqa: B018 - prunes the verdicts whose context changed
        return self.store.verdicts(self.fingerprint)

    def execute(self, candidates: Iterable[Candidate],
                on_result: Callable[[Execution], None] | None = None) -> list[Execution]:
        """Run candidates not yet executed under this fingerprint; each verdict is stored as soon as it exists."""
        done = self.executed()
        todo = [c for c in candidates if c.id not in done]
        fresh = self._run_all(todo, on_result) if todo else {}
        return [fresh.get(c.id) or done[c.id] for c in candidates if c.id in fresh or c.id in done]

    def executor_status(self) -> str:
        """Where candidates run now, for the progress line."""
        if self.ray_pool is not None:
            return self.ray_pool.status()
        return f"{self.executor.describe()}: {self.workers} workers"

    def close(self) -> None:
        self._remote.close()
        for slot in self._slots:
            slot.close()
        if self._folder is not None:
            self._folder.close()
        self._hold.close()

    def _prune_stale_verdicts(self) -> None:
        stored = self.store.executions(self.fingerprint)
        bugs = self.store.candidates(kind=Kind.BUG, ids=stored)
        self.store.delete_executions([c.id for c in bugs if stored[c.id].context != self.contexts.of(c)],
                                     self.fingerprint)

    def _measure(self) -> Baseline:
        baseline = measure_baseline(self._ensure_slots(), self.baseline_key, self.allow_failing)
        runner = CandidateRunner(self.repo, baseline, self.config, self.fingerprint)
        self.sanity = forced_failure_check(runner, self._slots[0])
        save_baseline(self.store, baseline)
        return baseline

    def _ensure_slots(self) -> list[Slot]:
        if not self._slots:
            self._folder = RunFolder()
            self._slots = [Slot(self._folder.workspace(self.repo, i), self.config) for i in range(self.workers)]
        return self._slots

    def _ready_slots(self) -> list[Slot]:
        for slot in self._ensure_slots():
            slot.worker.preload = self.baseline.preload
        return self._slots

    def _runner_for(self, candidate: Candidate) -> CandidateRunner | RepairRunner | Unrunnable:
        if candidate.kind is not Kind.REPAIR:
            return self.runner
        if candidate.bug_id not in self._repair_runners:
            try:
                found = RepairRunner(self.runner, self.failing_state(candidate.bug_id))
            except BugprmError as exc:
                found = Unrunnable(self.fingerprint, f"the failing state cannot be rebuilt: {exc}")
            self._repair_runners[candidate.bug_id] = found
        return self._repair_runners[candidate.bug_id]

    def _run_all(self, todo: list[Candidate], on_result) -> dict[str, Execution]:
        if self.executor.name is ExecutorName.LOCAL:
            return self._run_local(todo, on_result)
        results: dict[str, Execution] = {}
        bugs = [c for c in todo if c.kind is not Kind.REPAIR]  # a repair's failing state is rebuilt here, locally
        if bugs:
            by_id = {c.id: c for c in bugs}
            self._remote_pool().run(bugs, lambda e, node: self._record(by_id[e.candidate_id], e, node, results,
                                                                        on_result))
        return {**results, **self._run_local([c for c in todo if c.kind is Kind.REPAIR], on_result)}

    def _remote_pool(self):
        if self.ray_pool is None:
            from bugprm.execute.ray_pool import NodeJob, RayPool, ray_connection, snapshot_of

            self._remote.enter_context(ray_connection(self.executor, self.workers))
            job = NodeJob(snapshot_of(self.repo), self.baseline, self.config, self.fingerprint, _corpus_of(self.repo))
            self.ray_pool = RayPool(job)
            self._remote.callback(self.ray_pool.close)
        return self.ray_pool

    def _record(self, candidate: Candidate, execution: Execution, node: str, results: dict, on_result) -> None:
        execution = replace(execution, context=self.contexts.of(candidate))
        self.store.record_execution(execution)
        self.cpu_by_node[node] += execution.cpu_seconds
        results[execution.candidate_id] = execution
        if on_result is not None:
            on_result(execution)

    def _run_local(self, todo: list[Candidate], on_result) -> dict[str, Execution]:
        if not todo:
            return {}
        runners, slots = [self._runner_for(c) for c in todo], queue.Queue()
        for slot in self._ready_slots():
            slots.put(slot)
        results: dict[str, Execution] = {}
        with ThreadPoolExecutor(len(self._slots)) as pool:
            try:
                futures = {pool.submit(_on_free_slot, slots, r, c): c for r, c in zip(runners, todo)}
                self._collect(futures, results, on_result)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                for slot in self._slots:
                    slot.worker.kill()
                raise
        return results

    def _collect(self, candidates: dict, results, on_result) -> None:
        pending = list(candidates)
        while pending:
            finished, still = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                self._record(candidates[future], future.result(), local_node(), results, on_result)
            pending = list(still)


def _on_free_slot(slots: queue.Queue, runner: CandidateRunner | RepairRunner | Unrunnable,
                  candidate: Candidate) -> Execution:
    slot = slots.get()
    try:
        return execute_guarded(runner, slot, candidate)
    finally:
        slots.put(slot)


def _corpus_of(repo: Path) -> str | None:
    """The corpus manifest ``repo`` was fetched from (``<dest>/repos/<root>``), if any: a Ray node lacking the
    interpreter rebuilds it from the manifest."""
    from bugprm.corpus_build.fetch import load_manifests

    return next((spec.name for spec in load_manifests().values()
                 if repo.parent.name == "repos" and repo.name == Path(spec.root).name), None)


def _with_remembered_hint(exc: BugprmError, remembered: dict, chosen: dict, store: Store) -> BugprmError:
    """The error, plus which of its settings were remembered from an earlier run and how to replace them."""
    from_memory = [key for key in ("python", "pytest_args") if key in remembered and chosen[key] is None]
    if not from_memory:
        return exc
    flags = {"python": "--python PATH", "pytest_args": "--pytest-args '...' (or '' for none)"}
    settings = ", ".join(f"{key} = {remembered[key]!r}" for key in from_memory)
    hint = " or ".join(flags[key] for key in from_memory)
    return type(exc)(f"{exc}\n  remembered from an earlier run in {store.directory}: {settings}; pass {hint} "
                     "to replace it")
