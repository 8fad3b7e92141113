"""The baseline: what the unmodified suite does, measured before any verdict is made (mutmut's sanity phases).

1. Reference run, in a fresh interpreter traced by the harness (standard library only) per test: which lines each
   test covers (import-time lines land in the empty context), assertions per test, the third-party modules to
   preload into warm workers, the import-time lines only pytest's collection of the test modules runs, and, traced
   first, the lines a plain import of the repository's own packages runs.
   Test modules that fail to import (a missing dependency) are ignored from then on; a test that hangs is
   deselected; both are reported.
2. Confirmation runs: the whole suite once in every worker at the same time, as candidates will run: per-test
   durations for the timeouts, and any test whose outcome changes is flaky. A fork-unsafe suite falls back to spawn.
3. Tests failing in every run are broken. Broken and flaky tests are excluded and reported; a suite where more than
   ``MAX_BROKEN_FRACTION`` of the tests are broken, that collects nothing, or where nothing passes is refused.
   Broken tests are also kept as ``failing`` with their durations and messages: the failing state that
   ``bugprm repair`` repairs. For that, ``allow_failing`` measures a red suite instead of refusing it.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bugprm.errors import HarnessError
from bugprm.execute.results import RunResults
from bugprm.execute.self_import import collection_lines, package_sources, without_collection_context
from bugprm.execute.slot import Slot
from bugprm.execute.warm import ChildReport, WorkerDied

MAX_BROKEN_FRACTION = 0.1
MAX_HANGING_TESTS = 3
SHOWN = 8


@dataclass(frozen=True)
class Baseline:
    fingerprint: str
    durations: dict[str, float]
    coverage: dict[tuple[str, int], list[str]]
    assertions: dict[str, int] = field(default_factory=dict)
    excluded: dict[str, str] = field(default_factory=dict)
    extra_args: tuple[str, ...] = ()
    overhead: float = 0.0
    preload: tuple[str, ...] = ()
    isolation: str = "fork"
    seconds: float = 0.0
    failing: dict[str, float] = field(default_factory=dict)  # broken tests and their durations
    messages: dict[str, str] = field(default_factory=dict)  # why each failing test fails
    # lines the package's own import runs ({file: lines}; harness.self_import); None: not traced
    self_import: dict[str, list[int]] | None = None
    # import-time lines only pytest's collection runs ({file: lines}; self_import.collection_lines); None: not traced
    collection: dict[str, list[int]] | None = None


def measure_baseline(slots: list[Slot], fingerprint: str, allow_failing: bool = False) -> Baseline:
    reference, coverage, extra_args, excluded, preload, own_import, collected = _reference_run(slots[0])
    for slot in slots:
        slot.worker.preload = preload
        slot.worker.close()  # restarted warm, with the preload, on its next job
    runs, isolation = _confirmation_runs(slots, extra_args)
    flaky, broken = _unstable_tests(reference, [r for _, r in runs])
    if not allow_failing:
        _refuse_red_suite(reference, broken)
    excluded |= {t: "flaky: outcome changed between baseline runs" for t in flaky}
    excluded |= {t: f"broken: fails at baseline: {_first_line(reference.tests[t].message)}" for t in broken}
    passing = [t for t, r in reference.tests.items() if r.outcome == "passed" and t not in excluded]
    if not passing:
        raise HarnessError(f"no test passes at baseline{_listing(excluded)}")
    return Baseline(fingerprint, _durations(passing, runs), coverage, dict(reference.assertions), excluded,
                    extra_args, _overhead(runs), preload, isolation, sum(r.wall for r, _ in runs),
                    _durations(sorted(broken), runs), {t: reference.tests[t].message for t in sorted(broken)},
                    own_import, collected)


def _reference_run(slot: Slot):
    deselected: tuple[str, ...] = ()
    excluded: dict[str, str] = {}
    files = {"coverage": str(slot.workspace.tmp / "coverage.json"), "modules": str(slot.workspace.tmp / "modules.json")}
    own_import = slot.workspace.tmp / "self_import.json"  # traced in the same child, before pytest starts
    files["self_import"] = {"sources": package_sources(slot.workspace.root), "out": str(own_import)}
    for _ in range(MAX_HANGING_TESTS + 1):
        report, results = _run_or_refuse(slot, ("--continue-on-collection-errors", *deselected), mode="spawn",
                                         assertions=True, collection=True, **files)
        if not report.timed_out:
            break
        deselected, excluded = _deselect_hanging(results, slot, deselected, excluded)
    else:
        raise HarnessError(f"the baseline run kept timing out{_listing(excluded)}")
    _check_reference(report, results)
    ignores, excluded = _ignore_unimportable(results, excluded)
    coverage, collected = _read_coverage(files["coverage"], _test_files(results))
    preload = tuple(json.loads(Path(files["modules"]).read_text(encoding="utf-8")))
    lines = json.loads(own_import.read_text(encoding="utf-8"))["lines"] if own_import.exists() else None
    return results, coverage, deselected + ignores, excluded, preload, lines, collected


def _run_or_refuse(slot: Slot, extra: tuple[str, ...], mode: str | None = None, **options):
    try:
        return slot.run(None, slot.config.baseline_timeout, extra_args=extra, mode=mode, **options)
    except WorkerDied as exc:
        raise HarnessError(f"the baseline run could not be started in {slot.config.python}: {exc}") from exc


def _deselect_hanging(results: RunResults, slot: Slot, extra, excluded):
    hung = results.unfinished
    if hung is None:
        raise HarnessError(f"the baseline run timed out after {slot.config.baseline_timeout:.0f}s before any test "
                           f"ran (collection hangs?)\n{results.log_tail()}")
    reason = f"hangs: still running after {slot.config.baseline_timeout:.0f}s at baseline; deselected"
    return (*extra, "--deselect", hung), {**excluded, hung: reason}


def _check_reference(report: ChildReport, results: RunResults) -> None:
    if results.exitstatus is None:
        inside = f" inside {results.unfinished} (os._exit?)" if results.unfinished else ""
        raise HarnessError(f"the baseline run did not finish (exit {report.code}, signal {report.signal}){inside}:\n"
                           f"{results.log_tail()}")
    if not results.tests and not results.collect_errors:
        raise HarnessError(f"the suite collects no tests (pytest exit status {results.exitstatus}):\n"
                           f"{results.log_tail()}")


def _ignore_unimportable(results: RunResults, excluded: dict[str, str]):
    ignores: list[str] = []
    for where, message in results.collect_errors.items():
        if not where.endswith(".py"):
            raise HarnessError(f"collection fails at baseline in {where or 'the session'}: {message}")
        ignores.append(f"--ignore={where}")
        excluded = {**excluded, where: f"cannot be collected: {_first_line(message, last=True)}"}
    return tuple(ignores), excluded


def _test_files(results: RunResults) -> set[str]:
    """Files holding Python test functions (doctest items have none), whose own lines are not candidates."""
    return {t.split("::")[0] for t in results.assertions}


def _read_coverage(path: str, test_files: set[str]):
    """Coverage as selection reads it (collection's lines are import-time lines like any other), and apart from it
    the lines only the collection ran."""
    with open(path, encoding="utf-8") as source:
        raw = {f: lines for f, lines in json.load(source).items()
               if f not in test_files and not f.endswith("conftest.py")}
    covered = {}
    for file, lines in raw.items():
        covered.update({(file, int(line)): without_collection_context(contexts) for line, contexts in lines.items()})
    return covered, collection_lines(raw)


def _confirmation_runs(slots: list[Slot], extra_args: tuple[str, ...]):
    isolation = slots[0].config.isolation
    runs = _run_everywhere(slots, extra_args, isolation)
    if isolation == "fork" and any(_crashed(report) for report, _ in runs):
        isolation = "spawn"
        runs = _run_everywhere(slots, extra_args, isolation)
    return runs, isolation


def _run_everywhere(slots: list[Slot], extra_args: tuple[str, ...], mode: str):
    with ThreadPoolExecutor(len(slots)) as pool:
        return list(pool.map(lambda slot: _run_or_refuse(slot, extra_args, mode=mode), slots))


def _crashed(report: ChildReport) -> bool:
    return report.signal is not None or report.timed_out or report.code not in (0, 1)


def _unstable_tests(reference: RunResults, runs: list[RunResults]) -> tuple[set[str], set[str]]:
    flaky, broken = set(), set()
    for test, result in reference.tests.items():
        seen = {result.outcome, *(r.tests[test].outcome if test in r.tests else "missing" for r in runs)}
        if len(seen) > 1:
            flaky.add(test)
        elif result.outcome == "failed":
            broken.add(test)
    return flaky, broken


def _refuse_red_suite(reference: RunResults, broken: set[str]) -> None:
    if len(broken) > MAX_BROKEN_FRACTION * len(reference.tests):
        raise HarnessError(
            f"the suite is red at baseline: {len(broken)} of {len(reference.tests)} tests fail"
            f"{_listing({t: _first_line(reference.tests[t].message, last=True) for t in sorted(broken)})}\n"
            "Fix them, or leave them out with --pytest-args \"--deselect TEST_ID\".")


def _durations(passing: list[str], runs) -> dict[str, float]:
    return {t: max((r.tests[t].duration for _, r in runs if t in r.tests), default=0.0) for t in passing}


def _overhead(runs) -> float:
    """Wall time of a whole-suite child beyond its tests' own durations (startup, collection, teardown)."""
    return max(max(report.wall - sum(t.duration for t in results.tests.values()), 0.0) for report, results in runs)


def _listing(tests: dict[str, str]) -> str:
    shown = [f"\n  {t}: {why}" if why else f"\n  {t}" for t, why in list(tests.items())[:SHOWN]]
    more = f"\n  ... and {len(tests) - SHOWN} more" if len(tests) > SHOWN else ""
    return ":" + "".join(shown) + more if tests else ""


def _first_line(message: str, last: bool = False) -> str:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    return (lines[-1] if last else lines[0]).strip()[:200] if lines else ""
