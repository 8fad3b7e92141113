"""Failing states: what ``bugprm repair`` repairs.

A failing state is either a killed candidate bug applied to the repository (its failing tests are those of its full
spectrum, ``bugprm.execute.spectrum``; every other test passing at baseline counts as passing) or the repository as
it stands, with the tests its own baseline run found failing (``bug_id`` None). Coverage is always the baseline's:
for a bug, the per-test coverage of the unmodified code, whose lines the bug's edits shift by the newlines they add
or remove.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bugprm.errors import InputError
from bugprm.execute.baseline import Baseline
from bugprm.execute.spectrum import Spectrum
from bugprm.execute.workspace import apply_edits
from bugprm.records import Candidate, Edit, Execution, Outcome


@dataclass(frozen=True)
class FailingState:
    bug_id: str | None
    edits: tuple[Edit, ...]
    failing_tests: tuple[str, ...]
    messages: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def edits_in(self, file: str) -> list[Edit]:
        return [e for e in self.edits if e.file == file]

    def source(self, file: str, original: bytes) -> bytes:
        """The file as it is in this state, from its bytes in the repository."""
        return apply_edits(original, self.edits_in(file), file)

    def line_in_state(self, file: str, original: bytes, line: int) -> int:
        """Where a line of the repository's file stands once this state's edits are applied."""
        shift = 0
        for edit in self.edits_in(file):
            if line > original.count(b"\n", 0, edit.end_byte) + 1:
                shift += edit.replacement.count("\n") - edit.original.count("\n")
        return line + shift


def killed_verdict(bug: Candidate, execution: Execution | None) -> Execution:
    """The bug's verdict, which must be a kill: only a failing state can be repaired."""
    if execution is None or execution.outcome is not Outcome.KILLED:
        found = execution.outcome if execution is not None else "no verdict under the current settings"
        raise InputError(f"candidate {bug.id} is not a killed bug ({found}): only a failing state can be repaired")
    return execution


def bug_state(bug: Candidate, spectrum: Spectrum) -> FailingState:
    """The failing state of a killed candidate bug: its failing tests and their messages."""
    return FailingState(bug.id, bug.edits, spectrum.failing, dict(spectrum.messages))


def suite_state(baseline: Baseline) -> FailingState:
    """The repository's own failing state: the tests that fail in every baseline run."""
    if not baseline.failing:
        raise InputError("every test passes at baseline: there is no failing state to repair "
                         "(repair a killed candidate bug with --bug ID or --from-store-killed N)")
    return FailingState(None, (), tuple(sorted(baseline.failing)), dict(baseline.messages))


def passing_tests(state: FailingState, baseline: Baseline) -> set[str]:
    return set(baseline.durations) - set(state.failing_tests)
