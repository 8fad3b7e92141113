"""Repair trajectories' failing-test messages come from the corpus build's store, read without writing it."""

import pytest

from bugprm.corpus_build.failure_messages import document_messages, stored_messages
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
