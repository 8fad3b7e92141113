"""Execute candidate patches of one failing state.

A patch's edits are relative to the failing state; the workspace holds the unmodified repository. So the state's
edits (a bug's) and then the patch's are composed into one net edit per file over the repository's bytes, applied
in the slot's private copy, and reverted after the run, as for a candidate bug.

The previously failing tests run first (most patches fail them, and ``-x`` stops there), then the passing tests that
cover the lines the bug or the patch change, then the other tests of the enclosing functions. A patch is
``correct`` when every previously failing test ran and passed and no other test failed; ``incorrect`` when a test
failed; timeouts and broken imports are ``timeout`` and ``incompetent`` as for bugs. A failure that also happens on
the unmodified code in the same selection and order is judged again on the whole suite in pytest's order.
"""

from __future__ import annotations

from dataclasses import replace

from bugprm.execute.executor import EDIT_MISMATCH, CandidateRunner
from bugprm.execute.failing import FailingState
from bugprm.execute.selection import TestPlan, plan_tests
from bugprm.execute.slot import Slot
from bugprm.execute.verdict import infra_error
from bugprm.execute.workspace import EditMismatch, apply_edits, net_edit
from bugprm.records import Candidate, Edit, Execution, Outcome


class RepairRunner:
    def __init__(self, runner: CandidateRunner, state: FailingState):
        self.runner = runner
        self.state = state
        self.durations = {**runner.baseline.failing, **runner.baseline.durations}
        self.fingerprint = runner.fingerprint

    def execute(self, slot: Slot, patch: Candidate) -> Execution:
        try:
            applied = replace(patch, edits=self.net_edits(patch))
            plan = self.plan(applied)
        except (EditMismatch, UnicodeDecodeError) as exc:
            return infra_error(patch.id, self.fingerprint, f"{EDIT_MISMATCH}: {exc}")
        except OSError as exc:
            return infra_error(patch.id, self.fingerprint, f"cannot read the edited file: {exc}")
        return self._confirmed(slot, applied, plan, self._judged(slot, applied, plan))

    def net_edits(self, patch: Candidate) -> tuple[Edit, ...]:
        """The state's and the patch's edits as one edit per file over the repository's bytes (none where the patch
        restores a file exactly)."""
        files = dict.fromkeys(e.file for e in (*self.state.edits, *patch.edits))
        edits = (self._net_edit(file, [e for e in patch.edits if e.file == file]) for file in files)
        return tuple(e for e in edits if e is not None)

    def plan(self, applied: Candidate) -> TestPlan:
        located = replace(applied, edits=(*self.state.edits, *applied.edits))
        covering, module_level = self.runner.covering(located)
        failing = self.state.failing_tests
        config = self.runner.config
        chosen = plan_tests(covering | set(failing), module_level, self.durations, self.runner.baseline.overhead,
                            config.timeout_multiplier, config.timeout_constant,
                            then=self.runner.function_covering(located))
        tests = (*failing, *(t for t in chosen.tests if t not in failing))
        return TestPlan(tests, chosen.whole_suite, self.runner.timeout_for(tests))

    def _net_edit(self, file: str, patch_edits: list[Edit]) -> Edit | None:
        original = self.runner.source(file)
        return net_edit(file, original, apply_edits(self.state.source(file, original), patch_edits, file))

    def _judged(self, slot: Slot, applied: Candidate, plan: TestPlan) -> Execution:
        return repair_verdict(self.runner.run_plan(slot, applied, plan), self.state.failing_tests)

    def _confirmed(self, slot: Slot, applied: Candidate, plan: TestPlan, execution: Execution) -> Execution:
        if execution.outcome is not Outcome.INCORRECT or plan.natural_order:
            return execution
        if set(execution.failing_tests) & set(self.state.failing_tests):
            return execution
        if self.runner.real_failures(slot, plan.tests, execution.failing_tests):
            return execution
        return self._judged(slot, applied, self.runner.natural_order_plan(self.durations))


class Unrunnable:
    """Stands in for the runner of a failing state that cannot be rebuilt: every patch of it is an infra_error."""

    def __init__(self, fingerprint: str, reason: str):
        self.fingerprint = fingerprint
        self.reason = reason

    def execute(self, slot: Slot, patch: Candidate) -> Execution:
        return infra_error(patch.id, self.fingerprint, self.reason)


def repair_verdict(execution: Execution, previously_failing: tuple[str, ...]) -> Execution:
    """A bug-style verdict read as a patch's: a failing test makes it incorrect; all passing, correct."""
    if execution.outcome is Outcome.KILLED:
        return replace(execution, outcome=Outcome.INCORRECT)
    if execution.outcome is not Outcome.SURVIVED:
        return execution
    unrun = [t for t in previously_failing if t not in execution.tests_run]
    if unrun:
        return replace(execution, outcome=Outcome.INFRA_ERROR,
                       detail=f"previously failing tests did not run: {', '.join(unrun[:5])}")
    return replace(execution, outcome=Outcome.CORRECT)
