"""Turn what a child did (its exit, its JSON events) into an Execution with one honest outcome.

Order matters: a timeout is a timeout even if a test failed on the way; a failing test kills even if the child
crashed later; a crash inside a test kills (that test did not pass); a crash or error before any test ran means the
candidate broke import or collection (``incompetent``); only a failure of the harness itself is ``infra_error``.
"""

from __future__ import annotations

import signal

from harness.job import EXIT_HARNESS_CRASHED

from bugprm.execute.results import RunResults
from bugprm.execute.warm import ChildReport
from bugprm.records import Execution, Outcome

PYTEST_OK, PYTEST_FAILED, PYTEST_NO_TESTS = 0, 1, 5
PYTEST_BROKE = frozenset({2, 3, 4})


def judge(candidate_id: str, report: ChildReport, results: RunResults, fingerprint: str) -> Execution:
    outcome, failing, detail = _classify(report, results)
    ran = tuple(t for t in dict.fromkeys(results.started) if t in results.tests)
    return Execution(candidate_id=candidate_id, outcome=outcome, failing_tests=tuple(failing), tests_run=ran,
                     duration=round(report.wall, 4), cpu_seconds=round(report.cpu, 4), fingerprint=fingerprint,
                     detail=detail[:2000])


def infra_error(candidate_id: str, fingerprint: str, detail: str) -> Execution:
    return Execution(candidate_id=candidate_id, outcome=Outcome.INFRA_ERROR, fingerprint=fingerprint, detail=detail)


def _classify(report: ChildReport, results: RunResults) -> tuple[Outcome, list[str], str]:
    running = results.unfinished
    if report.timed_out or report.signal == signal.SIGXCPU:
        return Outcome.TIMEOUT, [], f"killed after {report.wall:.1f}s while running {running or 'collection'}"
    if results.failed:
        return Outcome.KILLED, results.failed, results.tests[results.failed[0]].message
    if report.signal is not None:
        return _crashed(report.signal, running, results)
    if results.collect_errors:
        where, message = next(iter(results.collect_errors.items()))
        return Outcome.INCOMPETENT, [], f"collection error in {where or 'the session'}: {message}"
    if results.exitstatus is None and report.code != EXIT_HARNESS_CRASHED and running is not None:
        return _exited(report.code, running, results)
    return _by_exit_status(report, results)


def _exited(code: int | None, running: str, results: RunResults) -> tuple[Outcome, list[str], str]:
    """The process ended inside a test without pytest finishing (``os._exit``, ``sys.exit`` from a thread...): that
    test did not pass, whatever the status."""
    detail = f"the test process exited with status {code} inside {running} (os._exit?)"
    return Outcome.KILLED, [running], f"{detail}\n{results.log_tail()}"


def _crashed(signum: int, running: str | None, results: RunResults) -> tuple[Outcome, list[str], str]:
    name = _signal_name(signum)
    if running is not None:
        return Outcome.KILLED, [running], f"crashed with {name} in {running}\n{results.log_tail()}"
    return Outcome.INCOMPETENT, [], f"crashed with {name} before any test ran\n{results.log_tail()}"


def _by_exit_status(report: ChildReport, results: RunResults) -> tuple[Outcome, list[str], str]:
    if report.code == EXIT_HARNESS_CRASHED:
        return Outcome.INFRA_ERROR, [], f"the harness crashed:\n{results.log_tail()}"
    status = results.exitstatus if results.exitstatus is not None else report.code
    if status in (PYTEST_OK, PYTEST_NO_TESTS):
        missing = f"{len(results.missing)} selected tests were not collected" if results.missing else ""
        return Outcome.SURVIVED, [], missing
    if status in PYTEST_BROKE:
        return Outcome.INCOMPETENT, [], f"pytest stopped with exit status {status}:\n{results.log_tail()}"
    return Outcome.INFRA_ERROR, [], f"pytest exit status {status} without a failing test:\n{results.log_tail()}"


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
