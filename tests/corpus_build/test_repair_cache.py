"""The repair trajectory cache: a key that changes with everything the trajectories are a function of, and files
read back as the trajectories that were written."""

import gzip
from dataclasses import replace

import pytest

from bugprm.corpus_build.repair_cache import BUILDER_SOURCES, builder_digest, cache_key, cache_path, read_cached, write_cached
from bugprm.corpus_build.message_record import messages_digest
from bugprm.corpus_build.repair_trajectories import LabelledRepairs, RepairSample
from bugprm.errors import InputError
from bugprm.records import Candidate, Edit, Kind, Step, StepName

PATCH = Candidate("p1", Kind.REPAIR, "calc", "m.py", "add", 2, "swap", "arith", "-a\n+b",
                  (Step(StepName.LOCATE, "where", 1), Step(StepName.EDIT, "what", 0)),
                  (Edit("m.py", 3, 4, "-", "+"),), bug_id="b1", features={"ochiai": 0.5, "operator": "swap"})


def test_the_key_changes_with_the_verdicts_the_sample_the_messages_and_the_builder(tmp_path):
    verdicts = tmp_path / "calc-1.0.json.gz"
    verdicts.write_bytes(b"one")
    messages = messages_digest({"b1": {"t::a": "E   assert 1 == 2"}})
    key = cache_key(verdicts, RepairSample(15), messages, "code")
    assert key == cache_key(verdicts, RepairSample(15), messages, "code")
    others = {cache_key(verdicts, RepairSample(10), messages, "code"),
              cache_key(verdicts, RepairSample(15, seed=1), messages, "code"),
              cache_key(verdicts, RepairSample(15), messages_digest({}), "code"),
              cache_key(verdicts, RepairSample(15), messages_digest({"b1": {"t::a": "E   assert 1 == 3"}}), "code"),
              cache_key(verdicts, RepairSample(15), messages, "other code")}
    verdicts.write_bytes(b"two")
    others.add(cache_key(verdicts, RepairSample(15), messages, "code"))
    assert key not in others and len(others) == 6


def test_the_builder_digest_changes_with_any_source_file_of_the_builder(tmp_path):
    for name in BUILDER_SOURCES:
        path = tmp_path / name / "a.py" if not name.endswith(".py") else tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")
    before = builder_digest.__wrapped__(tmp_path)
    (tmp_path / "repair" / "a.py").write_text("x = 2\n")
    assert builder_digest.__wrapped__(tmp_path) != before
    (tmp_path / "unrelated.py").write_text("y = 1\n")
    assert builder_digest.__wrapped__(tmp_path) == builder_digest.__wrapped__(tmp_path)
    assert len(builder_digest()) == 64  # the installed package's own builder sources are all there


def test_saved_repairs_read_back_the_same_and_a_broken_file_is_an_input_error(tmp_path):
    path = cache_path(tmp_path / "cache", "calc", "k")
    assert read_cached(path) is None
    saved = LabelledRepairs((PATCH, replace(PATCH, id="p2", bug_id=None, features={})), 1, 1, 3)
    write_cached(path, saved)
    found = read_cached(path)
    assert found == saved and [c.features for c in found.candidates] == [c.features for c in saved.candidates]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left
    with gzip.open(path, "wt") as broken:
        broken.write("{")
    with pytest.raises(InputError, match="delete it to rebuild"):
        read_cached(path)
