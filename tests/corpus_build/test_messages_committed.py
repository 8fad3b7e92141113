"""The failure message records committed under corpora/messages/ belong to the committed verdict files: each names
its verdict file's bytes and harness, holds the bugs repair trajectories draw (the verdict file lists candidates in
pool order, so the draw is made again here without the pool), and only tests the file records failing."""

from pathlib import Path
from types import SimpleNamespace

import pytest

from bugprm.corpus_build.message_backfill import SAMPLE_SIZES, recorded_failing, sampled_bugs
from bugprm.corpus_build.message_record import MESSAGE_DIR, read_record, verdict_digest
from bugprm.corpus_build.verdicts import read_verdicts
from bugprm.execute.spectrum import MESSAGE_CHARS

VERDICTS = Path(__file__).parents[2] / "corpora" / "verdicts"
RECORDS = sorted(MESSAGE_DIR.glob("*.json.gz"))
MAX_TOTAL_BYTES = 2_000_000


def test_the_records_are_the_repositorys_and_small():
    assert MESSAGE_DIR == VERDICTS.parent / "messages"
    assert RECORDS, "no failure message record committed"
    assert sum(p.stat().st_size for p in RECORDS) < MAX_TOTAL_BYTES


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_a_record_belongs_to_its_verdict_file_and_holds_the_sampled_bugs(path):
    verdicts = VERDICTS / path.name
    record, document = read_record(path), read_verdicts(verdicts)
    assert record["verdicts_sha256"] == verdict_digest(verdicts) and record["harness"] == document["harness"]
    assert record["sample"] == {"sizes": list(SAMPLE_SIZES), "seed": 0}
    pool = [SimpleNamespace(id=c["id"]) for c in document["candidates"]]
    assert record["executed"] == [c.id for c in sampled_bugs(pool, document)]
    recorded = recorded_failing(document)
    assert set(record["bugs"]) | set(record["disagreements"]) <= set(record["executed"])
    for bug, messages in record["bugs"].items():
        assert set(messages) <= set(recorded[bug]) and all(len(m) <= MESSAGE_CHARS for m in messages.values())
        assert bug in record["disagreements"] or set(messages) == set(recorded[bug])
