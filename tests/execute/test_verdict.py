"""One outcome per way a child can end, in the order the verdict module promises."""

from __future__ import annotations

import signal

import pytest

from bugprm.execute.results import RunResults, TestResult
from bugprm.execute.verdict import judge
from bugprm.execute.warm import ChildReport
from bugprm.records import Outcome


def _results(passed=(), failed=(), started=(), collect_errors=None, exitstatus=0) -> RunResults:
    tests = {t: TestResult("passed", 0.1) for t in passed} | {t: TestResult("failed", 0.1, "boom") for t in failed}
    return RunResults(tests=tests, started=[*started, *tests], collect_errors=collect_errors or {},
                      exitstatus=exitstatus)


def _report(code=0, sig=None, timed_out=False) -> ChildReport:
    return ChildReport(code=code, signal=sig, timed_out=timed_out, wall=0.5, cpu=0.4)


@pytest.mark.parametrize("report, results, outcome", [
    (_report(), _results(passed=["a"]), Outcome.SURVIVED),
    (_report(1), _results(passed=["a"], failed=["b"], exitstatus=1), Outcome.KILLED),
    (_report(None, signal.SIGKILL, True), _results(passed=["a"], started=["b"], exitstatus=None), Outcome.TIMEOUT),
    (_report(None, signal.SIGXCPU), _results(started=["b"], exitstatus=None), Outcome.TIMEOUT),
    (_report(None, signal.SIGSEGV), _results(passed=["a"], started=["b"], exitstatus=None), Outcome.KILLED),
    (_report(None, signal.SIGSEGV), _results(exitstatus=None), Outcome.INCOMPETENT),
    (_report(2), _results(collect_errors={"t.py": "SyntaxError"}, exitstatus=2), Outcome.INCOMPETENT),
    (_report(4), _results(exitstatus=None), Outcome.INCOMPETENT),
    (_report(70), _results(exitstatus=None), Outcome.INFRA_ERROR),
])
def test_each_ending_has_one_outcome(report, results, outcome):
    assert judge("c", report, results, "fp").outcome is outcome


def test_a_crash_inside_a_test_kills_and_names_that_test():
    execution = judge("c", _report(None, signal.SIGSEGV), _results(passed=["a"], started=["b"], exitstatus=None), "f")
    assert execution.failing_tests == ("b",) and "SIGSEGV" in execution.detail
    assert execution.tests_run == ("a",) and execution.fingerprint == "f"
