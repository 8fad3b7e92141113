"""A corpus package replayed from its committed verdict file (base58: 202 candidates) against its pool regenerated from
the real sdist, kept under tests/fixtures/sdists so nothing is fetched: the replay must hold what the file holds."""

import shutil
from collections import Counter
from pathlib import Path

import pytest

from bugprm.bench.pools import verdict_pool
from bugprm.corpus_build.verdicts import from_ranges, read_verdicts
from bugprm.records import Outcome

ROOT = Path(__file__).parents[2]
VERDICTS = ROOT / "corpora" / "verdicts" / "base58-2.1.1.json.gz"
SDIST = ROOT / "tests" / "fixtures" / "sdists" / "base58-2.1.1.tar.gz"


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    work = tmp_path_factory.mktemp("work")
    (work / "corpora" / "sdists").mkdir(parents=True)
    shutil.copy(SDIST, work / "corpora" / "sdists")
    return verdict_pool(VERDICTS, work), read_verdicts(VERDICTS)


def test_the_replayed_pool_counts_every_outcome_the_file_holds(replayed):
    pool, document = replayed
    recorded = Counter(c["outcome"] for c in document["candidates"] if c["outcome"] not in (None, "infra_error"))
    assert pool.name == "base58" and len(pool.candidates) == sum(recorded.values()) == 202
    assert Counter(pool.verdicts[c.id].outcome.value for c in pool.candidates) == recorded
    assert pool.dropped == len(document["candidates"]) - 202


def test_each_replayed_execution_carries_the_files_outcome_failing_tests_and_duration(replayed):
    pool, document = replayed
    tests = document["tests"]
    for entry in document["candidates"]:
        execution = pool.verdicts[entry["id"]]
        assert execution.outcome == Outcome(entry["outcome"])
        assert execution.failing_tests == tuple(tests[i] for i in from_ranges(entry.get("failing") or []))
        assert execution.duration == (entry.get("duration") or 0.0)
        assert execution.fingerprint == document["harness"]["fingerprint"]
    assert any(pool.verdicts[c.id].failing_tests for c in pool.candidates)


def test_replayed_candidates_carry_the_baselines_coverage_unlabelled(replayed):
    pool, _ = replayed
    covering = {c.id: c.features["covering_tests"] for c in pool.candidates}
    assert all((covering[c.id] == 0) == (pool.verdicts[c.id].outcome is Outcome.NO_COVERAGE) for c in pool.candidates)
    assert all(step.label is None for c in pool.candidates for step in c.steps)
