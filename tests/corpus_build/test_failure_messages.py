"""Repair trajectories' failing-test messages come from the corpus build's store, read without writing it, or from
the committed record that belongs to the verdict file's bytes."""

import pytest

from bugprm.corpus_build.failure_messages import document_messages, stored_messages
from bugprm.corpus_build.message_record import is_current, read_record, record_path, verdict_digest, write_record
from bugprm.errors import InputError
from bugprm.records import Execution, Outcome
from bugprm.store import DB_NAME, Store


def _store(directory):
    with Store.open(directory, create=True) as store:
        for run, test in (("label", "t_a"), ("matrix", "t_b")):
            store.record_execution(Execution("bug", Outcome.KILLED, (test, "t_c"), fingerprint=run, detail=f"{run} message"))
        store.record_execution(Execution("other", Outcome.KILLED, ("t_a",), fingerprint="matrix", detail="matrix of other"))
        store.record_execution(Execution("kept", Outcome.SURVIVED, fingerprint="label"))
    return directory


def test_each_run_adds_its_first_failing_test_and_the_store_is_left_as_it_was(tmp_path):
    store = _store(tmp_path / "pkg")
    before = (store / DB_NAME).read_bytes()
    found = stored_messages(store, ("label", "matrix"))
    assert found == {"bug": {"t_a": "label message", "t_b": "matrix message"}, "other": {"t_a": "matrix of other"}}
    assert (store / DB_NAME).read_bytes() == before


def test_a_document_finds_its_package_store_and_a_missing_one_is_an_input_error(tmp_path):
    _store(tmp_path / "pkg")
    document = {"package": {"name": "pkg"}, "harness": {"fingerprint": "label", "kill_matrix_fingerprint": None}}
    assert document_messages(tmp_path, document) == {"bug": {"t_a": "label message"}}
    assert document_messages(None, document) == {}
    with pytest.raises(InputError, match="no corpus build store"):
        document_messages(tmp_path / "elsewhere", document)


def _recorded(tmp_path):
    verdicts = tmp_path / "pkg-1.0.json.gz"
    verdicts.write_bytes(b"the verdict file's bytes")
    document = {"package": {"name": "pkg", "version": "1.0"}, "harness": {"fingerprint": "label"}}
    bugs = {"bug": {"t_a": "t_a.py:3: in t_a\nE   assert 1 == 2", "t_b": "E   KeyError"}}
    write_record(record_path(tmp_path / "messages", "pkg", "1.0"),
                 {"verdicts_sha256": verdict_digest(verdicts), "bugs": bugs, "disagreements": {}})
    return verdicts, document, bugs


def test_without_stores_the_committed_record_of_the_same_verdict_file_gives_the_messages(tmp_path):
    verdicts, document, bugs = _recorded(tmp_path)
    assert document_messages(None, document, verdicts, tmp_path / "messages") == bugs
    assert document_messages(None, document, verdicts, tmp_path / "no records here") == {}
    assert read_record(record_path(tmp_path / "messages", "pkg", "1.0"))["schema_version"] == 1


def test_a_record_of_other_verdict_bytes_is_an_input_error_naming_the_command_that_records_it(tmp_path):
    verdicts, document, _ = _recorded(tmp_path)
    assert is_current(tmp_path / "messages", verdicts, document)
    verdicts.write_bytes(b"recounted since")
    assert not is_current(tmp_path / "messages", verdicts, document)  # so `corpus messages` records it again
    with pytest.raises(InputError, match="belongs to another pkg-1.0.json.gz.*bugprm corpus messages pkg"):
        document_messages(None, document, verdicts, tmp_path / "messages")
    (tmp_path / "messages" / "pkg-1.0.json.gz").write_bytes(b"not gzip")
    with pytest.raises(InputError, match="not a readable failure message record"):
        document_messages(None, document, verdicts, tmp_path / "messages")
