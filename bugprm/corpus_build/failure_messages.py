"""The failing tests' messages (pytest's short tracebacks) of a corpus package's killed bugs, read from the corpus
build's store or, without one, from the committed record (``message_record``): the verdict files keep which tests
failed, not how, and a repair trajectory's traceback features (``bugprm.repair.tracebacks``) need the same kind of
text ``bugprm repair`` reads from its failing state.

A store keeps one message per execution, its first failing test's: per bug the labelling run's and, for a bug of
the kill-matrix share, the matrix run's (often another test). The store is opened immutable, never written: the
build's folder is shared, and a package's store is complete once its verdict file exists (a store whose write log still holds
pages, left by a connection not yet closed, is read in read-only mode, which sees the log).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from bugprm.corpus_build.message_record import MESSAGE_DIR, Messages, committed_messages
from bugprm.errors import InputError
from bugprm.records import Outcome
from bugprm.store import DB_NAME


def stored_messages(store: Path, fingerprints: tuple[str, ...]) -> Messages:
    """Each killed bug's first failing test and its message under each fingerprint (the first one's kept where two
    runs name the same test)."""
    found: Messages = {}
    for fingerprint in fingerprints:
        for bug, failing, detail in _killed_rows(Path(store) / DB_NAME, fingerprint):
            tests = json.loads(failing)
            if tests and detail:
                found.setdefault(bug, {}).setdefault(tests[0], detail)
    return found


def document_messages(stores: Path | None, document: dict, verdict_file: Path | None = None,
                      records: Path = MESSAGE_DIR) -> Messages:
    """The messages of the package a verdict file describes: from ``stores/NAME`` where ``stores`` is given, else
    from its committed record in ``records`` (``message_record``); none where neither is there."""
    if stores is None:
        return {} if verdict_file is None else committed_messages(records, Path(verdict_file), document)
    harness = document["harness"]
    fingerprints = tuple(f for f in (harness.get("fingerprint"), harness.get("kill_matrix_fingerprint")) if f)
    return stored_messages(Path(stores) / document["package"]["name"], fingerprints)


def _killed_rows(database: Path, fingerprint: str) -> list[tuple[str, str, str]]:
    if not database.is_file():
        raise InputError(f"{database}: no corpus build store there (--stores names the build's stores/ folder)")
    wal = database.with_name(database.name + "-wal")
    mode = "mode=ro" if wal.exists() and wal.stat().st_size else "immutable=1"  # an immutable read skips the log
    with closing(sqlite3.connect(f"file:{quote(str(database))}?{mode}", uri=True)) as db:
        return db.execute("SELECT candidate_id, failing_tests, detail FROM executions "
                          "WHERE fingerprint = ? AND outcome = ? ORDER BY candidate_id",
                          (fingerprint, str(Outcome.KILLED))).fetchall()
