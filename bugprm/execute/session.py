"""A harness session on one repository: settings, fingerprint, workspaces, warm workers, baseline, then candidates.

Candidate patches (``Kind.REPAIR``) run through a ``RepairRunner`` for their failing state, candidate bugs through
the ``CandidateRunner``; both record their verdicts under the session's fingerprint. ``allow_failing`` measures a
red suite instead of refusing it (``bugprm repair`` on the repository's own failing state).

The interpreter and pytest arguments given explicitly win and are remembered in the store's meta; later commands on
the repository (the active-learning loop, ``score --verify``) reuse them, so their verdicts share the fingerprint.
``full_matrix`` is per call: it is in the fingerprint, so its verdicts never mix with stop-at-first-failure ones.
"""

from __future__ import annotations

import queue
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Iterable

from bugprm.errors import BugprmError, RepoError
from bugprm.execute.baseline import Baseline, measure_baseline
from bugprm.config import load_config
from bugprm.execute.config import HarnessConfig, make_config, resolve_python
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.failing import FailingState, bug_state, killed_verdict, suite_state
from bugprm.execute.repair import RepairRunner, Unrunnable
from bugprm.execute.sanity import forced_failure_check
from bugprm.execute.saved import load_baseline, save_baseline
from bugprm.execute.slot import Slot
from bugprm.execute.spectrum import bug_spectrum, full_matrix_runner
from bugprm.execute.verdict import infra_error
from bugprm.execute.workspace import RunFolder
from bugprm.records import Candidate, Execution, Kind
from bugprm.store import Store



class HarnessSession:
    def __init__(self, store: Store, repo: Path, config: HarnessConfig, workers: int = 1,
                 allow_failing: bool = False):
        if not repo.is_dir():
            raise RepoError(f"{repo} is not a directory")
        self.store = store
        self.repo = repo.resolve()
        self.config = config
        self.fingerprint = config.fingerprint()
        self.workers = max(1, workers)
        self.allow_failing = allow_failing
        self.sanity = ""
        self._folder: RunFolder | None = None
        self._slots: list[Slot] = []
        self._baseline: Baseline | None = None
        self._runner: CandidateRunner | None = None
        self._spectrum_runner: CandidateRunner | None = None
        self._repair_runners: dict[str | None, RepairRunner | Unrunnable] = {}

    @classmethod
    def open(cls, store: Store, repo: Path, *, workers: int = 1, python: str | None = None,
             pytest_args: str | None = None, full_matrix: bool = False, allow_failing: bool = False,
             **settings) -> "HarnessSession":
        """The interpreter and pytest arguments given (else the repository's ``[tool.bugprm]``) win and are
        remembered; otherwise the remembered ones apply."""
        remembered = store.harness_settings()
        project = load_config(repo=Path(repo)).project
        python, pytest_args = python or project.python or None, pytest_args or project.pytest_args or None
        chosen = {"python": resolve_python(python) if python else None, "pytest_args": pytest_args}
        merged = {**remembered, **{k: v for k, v in chosen.items() if v is not None}}
        store.set_harness_settings(merged)
        config = make_config(Path(repo), merged.get("python"), merged.get("pytest_args"), full_matrix=full_matrix,
                             **settings)
        return cls(store, Path(repo), config, workers, allow_failing)

    def __enter__(self) -> "HarnessSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def baseline(self) -> Baseline:
        """Loaded or measured; either way its fingerprint becomes the store's current one (meta ``fingerprint``),
        which export, scoring and the loop read verdicts and coverage under."""
        if self._baseline is None:
            self._baseline = load_baseline(self.store, self.fingerprint) or self._measure()
            self.store.set_fingerprint(self.fingerprint)
        return self._baseline

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
        verdict = killed_verdict(bug, self.executed().get(bug_id))
        if self._spectrum_runner is None:
            self._spectrum_runner = full_matrix_runner(self.runner)
        return bug_state(bug, bug_spectrum(self.store, self._spectrum_runner, self._ready_slots()[0], bug, verdict))

    def executed(self) -> dict[str, Execution]:
        """Verdicts already made under this fingerprint (an infra_error is none, so it is tried again)."""
        return self.store.verdicts(self.fingerprint)

    def execute(self, candidates: Iterable[Candidate],
                on_result: Callable[[Execution], None] | None = None) -> list[Execution]:
        """Run candidates not yet executed under this fingerprint; each verdict is stored as soon as it exists."""
        if self._baseline is not None or load_baseline(self.store, self.fingerprint) is not None:
            self.store.set_fingerprint(self.fingerprint)
        done = self.executed()
        todo = [c for c in candidates if c.id not in done]
        fresh = self._run_all(todo, on_result) if todo else {}
        return [fresh.get(c.id) or done[c.id] for c in candidates if c.id in fresh or c.id in done]

    def close(self) -> None:
        for slot in self._slots:
            slot.close()
        if self._folder is not None:
            self._folder.close()

    def _measure(self) -> Baseline:
        baseline = measure_baseline(self._ensure_slots(), self.fingerprint, self.allow_failing)
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
        runners, slots = [self._runner_for(c) for c in todo], queue.Queue()
        for slot in self._ready_slots():
            slots.put(slot)
        results: dict[str, Execution] = {}
        with ThreadPoolExecutor(len(self._slots)) as pool:
            try:
                futures = [pool.submit(_on_free_slot, slots, r, c) for r, c in zip(runners, todo)]
                self._collect(pool, futures, results, on_result)
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                for slot in self._slots:
                    slot.worker.kill()
                raise
        return results

    def _collect(self, pool, pending, results, on_result) -> None:
        while pending:
            finished, still = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                execution = future.result()
                self.store.record_execution(execution)
                results[execution.candidate_id] = execution
                if on_result is not None:
                    on_result(execution)
            pending = list(still)


def _on_free_slot(slots: queue.Queue, runner: CandidateRunner | RepairRunner | Unrunnable,
                  candidate: Candidate) -> Execution:
    slot = slots.get()
    try:
        return runner.execute(slot, candidate)
    except Exception:  # noqa: BLE001 - a bug of ours becomes a recorded infra_error with its traceback, not a lost run
        return infra_error(candidate.id, runner.fingerprint, f"harness failure:\n{traceback.format_exc()[-1500:]}")
    finally:
        slots.put(slot)
