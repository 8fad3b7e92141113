"""The full failing spectrum of a killed bug: every test that fails with it, not only the first.

Labelling stops at a bug's first failing test (pytest ``-x``), so its verdict names one failing test, while fault
localisation (Ochiai) needs them all. The bug's tests (those covering its lines, then the other tests of its
functions) run once more without ``-x``, as in full-matrix mode; a new failure that also happens on the unmodified
code run the same way is dropped (order dependencies). The verdict's own failing tests are kept as they are. A test
the plan leaves out never runs the bug's lines, so it cannot fail.

The spectrum is stored under the full-matrix fingerprint, the baseline's and the bug's id (a blob of the store):
measured once per bug, harness settings and state of the sources, and a resumed run reuses it. When the run itself
fails, the verdict's tests stand in and nothing is stored, so the next call tries again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bugprm.execute.config import with_settings
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.slot import Slot
from bugprm.records import Candidate, Execution
from bugprm.store import Store

BLOB_PREFIX = "spectrum:"
MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Spectrum:
    failing: tuple[str, ...]
    messages: dict[str, str] = field(default_factory=dict)


def full_matrix_runner(runner: CandidateRunner) -> CandidateRunner:
    """A runner on the same baseline that runs every planned test (no ``-x``), under its own fingerprint."""
    config = with_settings(runner.config, full_matrix=True)
    return CandidateRunner(runner.repo, runner.baseline, config, config.fingerprint())


def bug_spectrum(store: Store, runner: CandidateRunner, slot: Slot, bug: Candidate, verdict: Execution) -> Spectrum:
    """The stored spectrum of a killed bug, else measured with ``runner`` (a full-matrix one) and stored."""
    key = spectrum_key(runner, bug.id)
    saved = store.get_json(key)
    if saved is not None:
        return Spectrum(tuple(saved["failing"]), saved["messages"])
    measured = measure_spectrum(runner, slot, bug, verdict)
    if measured is None:
        return verdict_spectrum(verdict)
    store.put_json(key, asdict(measured))
    return measured


def spectrum_key(runner: CandidateRunner, bug_id: str) -> str:
    return f"{BLOB_PREFIX}{runner.fingerprint}:{runner.baseline.fingerprint}:{bug_id}"


def measure_spectrum(runner: CandidateRunner, slot: Slot, bug: Candidate, verdict: Execution) -> Spectrum | None:
    plan = runner.plan(bug)
    if plan is None:
        return None
    report, results = runner.run_edits(slot, bug.edits, plan)
    if report is None:
        return None
    new = tuple(t for t in results.failed if t not in verdict.failing_tests)
    confirmed = (*verdict.failing_tests, *(runner.real_failures(slot, plan.tests, new) if new else ()))
    messages = {t: results.tests[t].message[:MESSAGE_CHARS] for t in confirmed if t in results.tests}
    return Spectrum(confirmed, {**verdict_spectrum(verdict).messages, **messages})


def verdict_spectrum(verdict: Execution) -> Spectrum:
    """What the verdict alone says: its failing tests, and the first one's message."""
    return Spectrum(verdict.failing_tests, {verdict.failing_tests[0]: verdict.detail})
