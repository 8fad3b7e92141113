"""``bugprm corpus messages``: record a corpus package's failure messages by executing its sampled killed bugs again.

The bugs are those repair trajectories draw (``repair_trajectories.killed_sample`` for each of ``SAMPLE_SIZES``, on
the pool ``train-base`` regenerates). Each one is applied in a throw-away copy of the fetched repository (a harness
slot, as the corpus build runs candidates: the checkout is never written) and every test the verdict file records
failing, in the labelling run or the kill matrix, runs once without stopping at the first failure, with the
package's interpreter (a run that times out, once more with a longer timeout). A recorded failing test that passes
now, or a bug that cannot run, is a disagreement with the verdict file: it is recorded and reported, and its
messages are those of the tests that did fail. Every failing test's message is kept, as ``bugprm repair`` keeps one
per failing test of a state (``execute.spectrum``).

Resumable per package: a package whose record belongs to its current verdict file is skipped.
"""

from __future__ import annotations

import json
import resource
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bugprm.corpus_build.build import generated_pool
from bugprm.corpus_build.fetch import MANIFEST_DIR, FetchedRepo, Manifest, manifest, prepared
from bugprm.corpus_build.message_record import MESSAGE_DIR, is_current, record_path, verdict_digest, write_record
from bugprm.corpus_build.repair_trajectories import RepairSample, failing_tests, killed_sample
from bugprm.corpus_build.trajectories import POOLS, verdict_baseline
from bugprm.corpus_build.verdicts import from_ranges, read_verdicts
from bugprm.execute.config import HarnessConfig, make_config
from bugprm.execute.executor import CandidateRunner
from bugprm.execute.selection import TestPlan
from bugprm.execute.slot import Slot
from bugprm.execute.spectrum import MESSAGE_CHARS
from bugprm.execute.verdict import judge
from bugprm.execute.workspace import RunFolder
from bugprm.records import Candidate, Outcome
from bugprm.store import Store

SAMPLE_SIZES = (15, 30)  # --repair-bugs values whose states find their messages recorded
RETRY_FACTOR = 10  # a run that timed out runs once more with this many times its timeout


@dataclass(frozen=True)
class BugMessages:
    bug_id: str
    messages: dict[str, str]  # failing test -> its message
    disagreement: dict | None  # what differed from the verdict file, None where nothing did


def backfill_package(name: str, verdict_file: Path, work: Path, out: Path = MESSAGE_DIR,
                     manifests: Path = MANIFEST_DIR, say: Callable[[str], None] = print) -> Path:
    """The package's record, executed and written unless the current one is already there."""
    document = read_verdicts(verdict_file)
    path = record_path(out, name, document["package"]["version"])
    if is_current(out, verdict_file, document):
        say(f"{name}: {path} is current, skipped")
        return path
    spec = manifest(name, manifests)
    cpu, started = _children_cpu(), time.monotonic()
    repo = prepared(spec, work / "corpora", manifests)
    fetch_cpu = _children_cpu() - cpu
    with Store.open(work / POOLS / spec.name, create=True) as store:
        pool = generated_pool(spec, Path(repo.path), store)
    return record_messages(spec, verdict_file, document, repo, pool, out, say,
                           {"fetch_cpu_seconds": round(fetch_cpu, 2), "fetch_wall_seconds": round(
                               time.monotonic() - started, 2)})


def record_messages(spec: Manifest, verdict_file: Path, document: dict, repo: FetchedRepo, pool: list[Candidate],
                    out: Path, say: Callable[[str], None] = print, cost: dict | None = None) -> Path:
    """Execute the sampled bugs of ``pool`` in ``repo`` and write their record for ``verdict_file``."""
    bugs = sampled_bugs(pool, document)
    cpu, started = _children_cpu(), time.monotonic()
    config = make_config(Path(repo.path), repo.python, repo.pytest_args or None, full_matrix=True)
    found = executed_messages(repo, config, document, bugs)
    cost = {**(cost or {}), "cpu_seconds": round(_children_cpu() - cpu, 2),
            "wall_seconds": round(time.monotonic() - started, 2)}
    record = {**_record(document, verdict_file, found, cost), "execution_fingerprint": config.fingerprint()}
    path = record_path(out, spec.name, spec.version)
    size = write_record(path, record)
    disagreeing = len(record["disagreements"])
    say(f"{spec.name}: {len(bugs)} bugs executed, {len(bugs) - disagreeing} agree with the verdict file, "
        f"{disagreeing} disagree; {cost['cpu_seconds']:.0f} CPU s; wrote {path} ({size} bytes)")
    return path


def sampled_bugs(pool: list[Candidate], document: dict, sizes: tuple[int, ...] = SAMPLE_SIZES) -> list[Candidate]:
    """The union, in pool order, of the killed bugs each sample size draws."""
    outcomes = {c["id"]: Outcome(c["outcome"]) for c in document["candidates"] if c["outcome"]}
    failing = failing_tests(document)
    chosen = {c.id for size in sizes for c in killed_sample(pool, outcomes, failing, RepairSample(size))}
    return [c for c in pool if c.id in chosen]


def recorded_failing(document: dict) -> dict[str, tuple[str, ...]]:
    """Candidate id -> the tests the verdict file records failing: the labelling run's, then the kill matrix's."""
    tests = document["tests"]
    matrix = failing_tests(document)
    found = {}
    for candidate in document["candidates"]:
        labelled = tuple(tests[t] for t in from_ranges(candidate.get("failing") or []))
        found[candidate["id"]] = tuple(dict.fromkeys((*labelled, *matrix.get(candidate["id"], ()))))
    return found


def executed_messages(repo: FetchedRepo, config: HarnessConfig, document: dict,
                      bugs: list[Candidate]) -> list[BugMessages]:
    """Each bug run in one slot (``config``: a full-matrix one), with every one of its recorded failing tests."""
    runner = CandidateRunner(Path(repo.path), verdict_baseline(document), config, config.fingerprint())
    recorded = recorded_failing(document)
    folder = RunFolder()
    try:
        slot = warmed_slot(folder, Path(repo.path), config, tuple(dict.fromkeys(t for b in bugs for t in recorded[b.id])))
        try:
            return [bug_messages(runner, slot, bug, recorded[bug.id]) for bug in bugs]
        finally:
            slot.close()
    finally:
        folder.close()


def warmed_slot(folder: RunFolder, repo: Path, config: HarnessConfig, tests: tuple[str, ...]) -> Slot:
    """A slot whose worker preloads what the unmodified tests import, as the build's baseline made its workers, and
    is started before any bug is applied: a package pytest itself imports (iniconfig, pluggy) then stays pytest's
    own unmodified copy while a bug is applied to the workspace's."""
    slot = Slot(folder.workspace(repo, 0), config)
    modules = slot.workspace.tmp / "modules.json"
    slot.run(tests, config.baseline_timeout, mode="spawn", modules=str(modules))
    slot.worker.preload = tuple(json.loads(modules.read_text())) if modules.exists() else ()
    slot.worker.close()
    slot.run(tests, config.baseline_timeout)  # restarted with the preload while the sources are unmodified
    return slot


def bug_messages(runner: CandidateRunner, slot: Slot, bug: Candidate, tests: tuple[str, ...]) -> BugMessages:
    report, results, execution = _run(runner, slot, bug, tests, runner.timeout_for(tests))
    if execution is not None and execution.outcome is Outcome.TIMEOUT:
        # the timeout follows the tests' passing durations; failing ones (tracebacks, their own waits) take longer
        report, results, execution = _run(runner, slot, bug, tests, RETRY_FACTOR * runner.timeout_for(tests))
    if report is None:  # the harness itself failed: results is its error text
        return BugMessages(bug.id, {}, {"error": results[:600]})
    messages = {t: results.tests[t].message[:MESSAGE_CHARS] for t in results.failed if t in tests}
    if execution.outcome is Outcome.KILLED and execution.failing_tests[0] not in results.tests:
        messages[execution.failing_tests[0]] = execution.detail  # a crash inside a test: the harness's account
    passed = [t for t in tests if t not in messages]
    if execution.outcome is Outcome.KILLED and not passed:
        return BugMessages(bug.id, messages, None)
    return BugMessages(bug.id, messages, {"outcome": str(execution.outcome), "not_failing": passed,
                                          "detail": "" if messages else execution.detail[:600]})


def _run(runner: CandidateRunner, slot: Slot, bug: Candidate, tests: tuple[str, ...], timeout: float):
    report, results = runner.run_edits(slot, bug.edits, TestPlan(tests, False, timeout))
    return report, results, None if report is None else judge(bug.id, report, results, runner.fingerprint)


def _record(document: dict, verdict_file: Path, found: list[BugMessages], cost: dict) -> dict:
    package = document["package"]
    return {"package": {"name": package["name"], "version": package["version"]},
            "verdicts_sha256": verdict_digest(verdict_file), "harness": document["harness"],
            "sample": {"sizes": list(SAMPLE_SIZES), "seed": RepairSample(SAMPLE_SIZES[0]).seed}, "cost": cost,
            "bugs": {b.bug_id: b.messages for b in found if b.messages},
            "disagreements": {b.bug_id: b.disagreement for b in found if b.disagreement is not None},
            "executed": [b.bug_id for b in found]}


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (the harness workers, once their slot is closed)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
