"""Execute one candidate in a slot: plan its tests, apply its edits, run, revert, judge.

A harness failure is retried once with a fresh worker. A kill is confirmed before it is recorded: the tests run up
to the killer must pass on the UNMODIFIED code in the same selection and order (cached per prefix). Selection and
fastest-first order can break a suite's hidden order dependencies (semver's docs doctests rely on an autouse
fixture of tests/conftest.py having filled the session's doctest namespace); when the killer also fails unmodified,
the candidate is judged again on the whole suite in pytest's own order, as a plain run of the suite would.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

from bugprm.execute.baseline import Baseline
from bugprm.execute.config import HarnessConfig
from bugprm.execute.results import RunResults, phase_seconds
from bugprm.execute.features import BaselineCoverage
from bugprm.execute.selection import TestPlan, natural_order_plan, plan_tests
from bugprm.execute.slot import Slot
from bugprm.execute.verdict import infra_error, judge
from bugprm.execute.warm import WorkerDied
from bugprm.execute.workspace import EditMismatch
from bugprm.records import Candidate, Edit, Execution, Outcome

EDIT_MISMATCH = "the edit does not match the file (changed since the pool was generated?)"


class CandidateRunner:
    def __init__(self, repo: Path, baseline: Baseline, config: HarnessConfig, fingerprint: str):
        self.repo = repo
        self.baseline = baseline
        self.config = config
        self.fingerprint = fingerprint
        self.timings: Counter = Counter()
        self._sources: dict[str, bytes] = {}
        self._fails_unmodified: dict[tuple[str, ...], frozenset[str]] = {}
        self._lock = threading.Lock()
        self._extra_args = (*baseline.extra_args, *(() if config.full_matrix else ("-x",)))

    @property
    def coverage(self) -> BaselineCoverage:
        return BaselineCoverage(self.baseline, self.source)

    def covering(self, candidate: Candidate) -> tuple[set[str], bool]:
        return self.coverage.covering(candidate)

    def function_covering(self, candidate: Candidate) -> set[str]:
        return self.coverage.function_covering(candidate)

    def plan(self, candidate: Candidate) -> TestPlan | None:
        tests, module_level = self.covering(candidate)
        return plan_tests(tests, module_level, self.baseline.durations, self.baseline.overhead,
                          self.config.timeout_multiplier, self.config.timeout_constant,
                          then=self.function_covering(candidate))

    def execute(self, slot: Slot, candidate: Candidate) -> Execution:
        if not candidate.edits:
            return infra_error(candidate.id, self.fingerprint, "the candidate has no edits to apply")
        try:
            plan = self.plan(candidate)
        except OSError as exc:
            return infra_error(candidate.id, self.fingerprint, f"cannot read the edited file: {exc}")
        if plan is None:
            return Execution(candidate.id, Outcome.NO_COVERAGE, fingerprint=self.fingerprint,
                             detail="no passing test covers the changed lines")
        return self._confirmed(slot, candidate, plan, self.run_plan(slot, candidate, plan))

    def source(self, file: str) -> bytes:
        if file not in self._sources:
            self._sources[file] = (self.repo / file).read_bytes()
        return self._sources[file]

    def run_plan(self, slot: Slot, candidate: Candidate, plan: TestPlan) -> Execution:
        """The candidate's edits applied, the plan run and judged; a harness failure is retried once."""
        execution = self._judged(candidate.id, *self.run_edits(slot, candidate.edits, plan))
        if execution.outcome is Outcome.INFRA_ERROR and not execution.detail.startswith(EDIT_MISMATCH):
            slot.worker.close()  # a fresh worker for the one retry
            execution = self._judged(candidate.id, *self.run_edits(slot, candidate.edits, plan))
        return execution

    def _confirmed(self, slot: Slot, candidate: Candidate, plan: TestPlan, execution: Execution) -> Execution:
        if execution.outcome is not Outcome.KILLED or plan.natural_order:
            return execution
        real = self.real_failures(slot, plan.tests, execution.failing_tests)
        if real:
            return replace(execution, failing_tests=real)
        return self.run_plan(slot, candidate, self.natural_order_plan(self.baseline.durations))

    def real_failures(self, slot: Slot, tests: tuple[str, ...], failing: tuple[str, ...]) -> tuple[str, ...]:
        """The failing tests that pass on the unmodified code run exactly as the candidate ran (the others fail
        from the selection and order alone)."""
        prefix = _prefix(tests, failing, self.config.full_matrix)
        return tuple(t for t in failing if t not in self._failing_unmodified(slot, prefix))

    def natural_order_plan(self, durations: dict[str, float]) -> TestPlan:
        return natural_order_plan(durations, self.baseline.overhead, self.config.timeout_multiplier,
                                  self.config.timeout_constant)

    def timeout_for(self, tests: tuple[str, ...]) -> float:
        durations = {**self.baseline.failing, **self.baseline.durations}
        expected = sum(durations.get(t, 0.0) for t in tests) + self.baseline.overhead
        return self.config.timeout_multiplier * expected + self.config.timeout_constant

    def _failing_unmodified(self, slot: Slot, prefix: tuple[str, ...]) -> frozenset[str]:
        """Tests of ``prefix`` that fail (or crash) on the unmodified code when run exactly as the candidate ran."""
        with self._lock:
            known = self._fails_unmodified.get(prefix)
        if known is None:
            plan = TestPlan(prefix, False, self.timeout_for(prefix))
            report, results = self.run_edits(slot, (), plan)
            if report is None:  # the check itself could not run: keep the kill rather than guess
                return frozenset()
            known = frozenset([*results.failed, *([results.unfinished] if results.unfinished else [])])
            with self._lock:
                self._fails_unmodified[prefix] = known
                self.timings["confirmations"] += 1
        return known

    def run_edits(self, slot: Slot, edits: tuple[Edit, ...], plan: TestPlan):
        """(report, results) of one child, or the Execution-ready error text when the harness itself failed."""
        try:
            slot.workspace.apply(edits)
            files = () if plan.whole_suite else tuple(dict.fromkeys(t.split("::")[0] for t in plan.tests))
            report, results = slot.run(plan.tests, plan.timeout, files=files, extra_args=self._extra_args,
                                       mode=self.baseline.isolation, keep_order=plan.natural_order)
        except EditMismatch as exc:
            return None, f"{EDIT_MISMATCH}: {exc}"
        except (WorkerDied, OSError) as exc:
            return None, f"harness failure: {exc}"
        finally:
            slot.workspace.revert()
        self._account(report, results)
        return report, results

    def _judged(self, candidate_id: str, report, results: RunResults | str) -> Execution:
        if report is None:
            return infra_error(candidate_id, self.fingerprint, results)
        return judge(candidate_id, report, results, self.fingerprint)

    def _account(self, report, results: RunResults) -> None:
        with self._lock:
            self.timings.update(phase_seconds(report.started_at, report.wall, results))
            self.timings["runs"] += 1


def _prefix(tests: tuple[str, ...], failing: tuple[str, ...], full_matrix: bool) -> tuple[str, ...]:
    """The tests that ran up to and including the first killer (all of them in full-matrix mode)."""
    if full_matrix:
        return tests
    last = max((tests.index(t) for t in failing if t in tests), default=len(tests) - 1)
    return tests[: last + 1]
