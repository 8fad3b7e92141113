"""The run store: one SQLite file per run directory, the only seam between stages.

WAL mode and one transaction per logical write make a killed run lose at most the work in flight; every table is
keyed by content so a resumed run never counts anything twice.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from bugprm.errors import StoreError
from bugprm.failures import store_database_error
from bugprm.records import UNLABELLED_OUTCOMES, Candidate, Edit, Execution, Kind, Outcome, Step, StepName

SCHEMA_VERSION = 1
STORE_DIRNAME = ".bugprm"
DB_NAME = "bugprm.sqlite"
# The store's vocabulary: each meta key and blob key is spelled here only, behind an accessor of its own.
REPO_META = "repo"  # the repository the pool was generated from
FINGERPRINT_META = "fingerprint"  # the harness fingerprint whose verdicts are current
FEATURES_META = "harness.features_fingerprint"  # the fingerprint the candidates' dynamic features came from
SETTINGS_META = "harness.settings"  # the interpreter and pytest arguments remembered for the repository
LAST_SCORE_KEY = "last_score"  # where `bugprm score --bugs` leaves its predictions

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS candidates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL, kind TEXT NOT NULL, repo TEXT NOT NULL, file TEXT NOT NULL,
    function TEXT NOT NULL, line INTEGER NOT NULL, operator TEXT NOT NULL, family TEXT NOT NULL,
    diff TEXT NOT NULL, steps TEXT NOT NULL, edits TEXT NOT NULL, bug_id TEXT, features TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS skipped (path TEXT PRIMARY KEY, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
    candidate_id TEXT NOT NULL, fingerprint TEXT NOT NULL, outcome TEXT NOT NULL,
    failing_tests TEXT NOT NULL, tests_run TEXT NOT NULL, duration REAL NOT NULL, cpu_seconds REAL NOT NULL,
    detail TEXT NOT NULL, executed_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0),
    context TEXT NOT NULL DEFAULT '', PRIMARY KEY (candidate_id, fingerprint));
CREATE TABLE IF NOT EXISTS baseline_tests (
    fingerprint TEXT NOT NULL, test_id TEXT NOT NULL, outcome TEXT NOT NULL, duration REAL NOT NULL,
    assertions INTEGER NOT NULL, module TEXT NOT NULL, PRIMARY KEY (fingerprint, test_id));
CREATE TABLE IF NOT EXISTS coverage (
    fingerprint TEXT NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, test_id TEXT NOT NULL,
    PRIMARY KEY (fingerprint, file, line, test_id));
CREATE TABLE IF NOT EXISTS rounds (
    run_id TEXT NOT NULL, round INTEGER NOT NULL, selected TEXT NOT NULL, metrics TEXT NOT NULL,
    created REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0), PRIMARY KEY (run_id, round));
CREATE TABLE IF NOT EXISTS blobs (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Store:
    """A handle on one run directory's SQLite store."""

    def __init__(self, directory: Path, connection: sqlite3.Connection):
        self.directory = directory
        self._db = connection

    # -- opening -------------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, directory: str | Path, create: bool = False) -> "Store":
        directory = Path(directory)
        path = directory / DB_NAME
        if not path.exists() and not create:
            raise StoreError(f"no bugprm store at {directory} (run `bugprm generate REPO` first, or pass --store DIR)")
        if create:
            _make_run_directory(directory)
        return cls(directory, _connect(path, create))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db:
            yield self._db

    # -- meta and blobs ------------------------------------------------------------------------------------------
    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put_json(self, key: str, value) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (key, json.dumps(value)))

    def get_json(self, key: str, default=None):
        row = self._db.execute("SELECT value FROM blobs WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    # -- what the stages share -----------------------------------------------------------------------------------
    def repository(self) -> str | None:
        return self.get_meta(REPO_META)

    def set_repository(self, path: str | Path) -> None:
        self.set_meta(REPO_META, str(path))

    def fingerprint(self) -> str | None:
        """The harness fingerprint whose verdicts are current (None before the first baseline)."""
        return self.get_meta(FINGERPRINT_META)

    def set_fingerprint(self, fingerprint: str) -> None:
        self.set_meta(FINGERPRINT_META, fingerprint)

    def features_fingerprint(self) -> str | None:
        """The harness fingerprint the candidates' dynamic features were computed under."""
        return self.get_meta(FEATURES_META)

    def set_features_fingerprint(self, fingerprint: str) -> None:
        self.set_meta(FEATURES_META, fingerprint)

    def harness_settings(self) -> dict:
        """The interpreter and pytest arguments remembered for the repository (``python``, ``pytest_args``)."""
        return json.loads(self.get_meta(SETTINGS_META, "{}"))

    def set_harness_settings(self, settings: dict) -> None:
        self.set_meta(SETTINGS_META, json.dumps(settings, sort_keys=True))

    def verdicts(self, fingerprint: str | None = None) -> dict[str, Execution]:
        """The current verdicts: executions under ``fingerprint`` (default: the current one) that judged their
        candidate. An ``infra_error`` is none: the harness failed, so ``label`` tries it again and no model learns
        from it. A changed harness config never reuses stale verdicts."""
        fingerprint = fingerprint or self.fingerprint()
        if fingerprint is None:
            return {}
        return {i: e for i, e in self.executions(fingerprint).items() if e.outcome not in UNLABELLED_OUTCOMES}

    def last_score(self) -> dict | None:
        return self.get_json(LAST_SCORE_KEY)

    def set_last_score(self, record: dict) -> None:
        self.put_json(LAST_SCORE_KEY, record)

    # -- candidates ----------------------------------------------------------------------------------------------
    def add_candidates(self, candidates: Iterable[Candidate]) -> int:
        """Insert candidates not already present; returns how many were new."""
        rows = [_candidate_row(c) for c in candidates]
        with self.transaction() as db:
            before = db.total_changes
            db.executemany(
                "INSERT OR IGNORE INTO candidates (id, kind, repo, file, function, line, operator, family, diff,"
                " steps, edits, bug_id, features) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
            return db.total_changes - before

    def candidates(self, kind: Kind | None = None, ids: Iterable[str] | None = None) -> list[Candidate]:
        query, params = "SELECT * FROM candidates", []
        if kind is not None:
            query, params = query + " WHERE kind = ?", [str(kind)]
        rows = self._db.execute(query + " ORDER BY seq", params).fetchall()
        found = [_candidate_from_row(r) for r in rows]
        if ids is None:
            return found
        wanted = set(ids)
        return [c for c in found if c.id in wanted]

    def candidate(self, candidate_id: str) -> Candidate:
        row = self._db.execute("SELECT * FROM candidates WHERE id = ?", (candidate_id,)).fetchone()
        if row is None:
            raise StoreError(f"no candidate {candidate_id} in the store at {self.directory}")
        return _candidate_from_row(row)

    def update_candidates(self, candidates: Iterable[Candidate]) -> None:
        """Rewrite the steps and features of existing candidates (for example once the baseline run exists)."""
        rows = [(_steps_json(c.steps), json.dumps(c.features, sort_keys=True), c.id) for c in candidates]
        with self.transaction() as db:
            db.executemany("UPDATE candidates SET steps = ?, features = ? WHERE id = ?", rows)

    def count_candidates(self, kind: Kind | None = None) -> int:
        if kind is None:
            return self._db.execute("SELECT COUNT(*) FROM candidates").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM candidates WHERE kind = ?", (str(kind),)).fetchone()[0]

    # -- skipped files -------------------------------------------------------------------------------------------
    def record_skipped(self, items: Iterable[tuple[str, str]]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO skipped VALUES (?, ?)", list(items))

    def skipped(self) -> list[tuple[str, str]]:
        return [tuple(r) for r in self._db.execute("SELECT path, reason FROM skipped ORDER BY path")]

    # -- executions ----------------------------------------------------------------------------------------------
    def record_execution(self, execution: Execution) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO executions (candidate_id, fingerprint, outcome, failing_tests, tests_run,"
                " duration, cpu_seconds, detail, context) VALUES (?,?,?,?,?,?,?,?,?)",
                _execution_row(execution),
            )

    def executions(self, fingerprint: str | None = None) -> dict[str, Execution]:
        """Executions by candidate id; with a fingerprint, only verdicts made under that config."""
        query, params = "SELECT * FROM executions", ()
        if fingerprint is not None:
            query, params = query + " WHERE fingerprint = ?", (fingerprint,)
        return {r["candidate_id"]: _execution_from_row(r) for r in self._db.execute(query + " ORDER BY rowid", params)}

    # -- baseline ------------------------------------------------------------------------------------------------
    def save_baseline(self, fingerprint: str, tests: Iterable[tuple], coverage: Iterable[tuple]) -> None:
        """tests: (test_id, outcome, duration, assertions, module); coverage: (file, line, test_id)."""
        with self.transaction() as db:
            db.execute("DELETE FROM baseline_tests WHERE fingerprint = ?", (fingerprint,))
            db.execute("DELETE FROM coverage WHERE fingerprint = ?", (fingerprint,))
            db.executemany("INSERT INTO baseline_tests VALUES (?,?,?,?,?,?)", [(fingerprint, *t) for t in tests])
            db.executemany("INSERT OR IGNORE INTO coverage VALUES (?,?,?,?)", [(fingerprint, *c) for c in coverage])

    def baseline_tests(self, fingerprint: str) -> list[sqlite3.Row]:
        sql = "SELECT * FROM baseline_tests WHERE fingerprint = ? ORDER BY test_id"
        return self._db.execute(sql, (fingerprint,)).fetchall()

    def coverage(self, fingerprint: str) -> dict[tuple[str, int], list[str]]:
        covered: dict[tuple[str, int], list[str]] = {}
        sql = "SELECT file, line, test_id FROM coverage WHERE fingerprint = ? ORDER BY test_id"
        for file, line, test_id in self._db.execute(sql, (fingerprint,)):
            covered.setdefault((file, line), []).append(test_id)
        return covered

    # -- active-learning rounds ----------------------------------------------------------------------------------
    def record_round(self, run_id: str, round_index: int, selected: list[str], metrics: dict) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO rounds (run_id, round, selected, metrics) VALUES (?,?,?,?)",
                (run_id, round_index, json.dumps(selected), json.dumps(metrics)),
            )

    def rounds(self, run_id: str) -> list[dict]:
        sql = "SELECT round, selected, metrics FROM rounds WHERE run_id = ? ORDER BY round"
        return [
            {"round": r, "selected": json.loads(s), "metrics": json.loads(m)}
            for r, s, m in self._db.execute(sql, (run_id,))
        ]

    def latest_run(self) -> str | None:
        """The run id of the round written last (a resumed run rewrites its rounds, so it counts as latest)."""
        row = self._db.execute("SELECT run_id FROM rounds ORDER BY rowid DESC LIMIT 1").fetchone()
        return row[0] if row else None

    # -- across commits: relocated candidates, pruned stale rows -------------------------------------------------
    def relocate_candidates(self, candidates: Iterable[Candidate]) -> None:
        """Move existing candidates to where the current sources have them (same id: same function, same place in
        it; only the file's offsets, line and diff change with edits elsewhere)."""
        rows = [(c.file, c.line, c.diff, json.dumps([e.__dict__ for e in c.edits]), c.id) for c in candidates]
        with self.transaction() as db:
            db.executemany("UPDATE candidates SET file = ?, line = ?, diff = ?, edits = ? WHERE id = ?", rows)

    def prune_candidates(self, kind: Kind, repo: str, keep: set[str]) -> int:
        """Delete ``repo``'s candidates of ``kind`` not in ``keep``, and their executions; returns how many."""
        sql = "SELECT id FROM candidates WHERE kind = ? AND repo = ?"
        stale = [r[0] for r in self._db.execute(sql, (str(kind), repo)) if r[0] not in keep]
        with self.transaction() as db:
            db.executemany("DELETE FROM executions WHERE candidate_id = ?", [(i,) for i in stale])
            db.executemany("DELETE FROM candidates WHERE id = ?", [(i,) for i in stale])
        return len(stale)

    def delete_executions(self, candidate_ids: Iterable[str], fingerprint: str) -> None:
        rows = [(i, fingerprint) for i in candidate_ids]
        with self.transaction() as db:
            db.executemany("DELETE FROM executions WHERE candidate_id = ? AND fingerprint = ?", rows)

    def drop_baselines_except(self, fingerprint: str, blob_prefix: str) -> None:
        """Keep one baseline: the coverage of older sources is never read again (it would map by line number)."""
        with self.transaction() as db:
            db.execute("DELETE FROM baseline_tests WHERE fingerprint != ?", (fingerprint,))
            db.execute("DELETE FROM coverage WHERE fingerprint != ?", (fingerprint,))
            db.execute("DELETE FROM blobs WHERE key LIKE ? AND key != ?",
                       (blob_prefix + "%", blob_prefix + fingerprint))


def find_store_directory(store: str | Path | None, repo: str | Path | None = None, cwd: Path | None = None) -> Path:
    """``--store DIR`` if given, else ``.bugprm/`` in REPO, else in the repository containing the current directory."""
    if store is not None:
        return Path(store)
    if repo is not None:
        return Path(repo).resolve() / STORE_DIRNAME
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STORE_DIRNAME).is_dir() or (folder / ".git").exists():
            return folder / STORE_DIRNAME
    return here / STORE_DIRNAME


def _make_run_directory(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by bugprm: the run store never shows as untracked\n*\n")


def _connect(path: Path, create: bool) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        _check_or_create_schema(db, path, create)
    except sqlite3.DatabaseError as exc:
        raise store_database_error(path, exc) from exc
    return db


def _check_or_create_schema(db: sqlite3.Connection, path: Path, create: bool) -> None:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "meta" not in tables:
        if not create:
            raise StoreError(f"{path} is not a bugprm store (no meta table)")
        with db:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        return
    row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    found = row[0] if row else "none"
    if found != str(SCHEMA_VERSION):
        raise StoreError(
            f"the store at {path} has schema version {found}; this bugprm reads version {SCHEMA_VERSION}. "
            "Remove the directory or use another --store."
        )
    _add_missing_columns(db)


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Additive migrations of version-1 stores: columns added since, with their defaults."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(executions)")}
    if "context" not in columns:
        with db:
            db.execute("ALTER TABLE executions ADD COLUMN context TEXT NOT NULL DEFAULT ''")


def _steps_json(steps: Iterable[Step]) -> str:
    return json.dumps([{"name": str(s.name), "text": s.text, "label": s.label} for s in steps])


def _candidate_row(c: Candidate) -> tuple:
    edits = json.dumps([e.__dict__ for e in c.edits])
    features = json.dumps(c.features, sort_keys=True)
    return (c.id, str(c.kind), c.repo, c.file, c.function, c.line, c.operator, c.family, c.diff,
            _steps_json(c.steps), edits, c.bug_id, features)


def _candidate_from_row(row: sqlite3.Row) -> Candidate:
    steps = tuple(Step(StepName(s["name"]), s["text"], s["label"]) for s in json.loads(row["steps"]))
    return Candidate(
        id=row["id"], kind=Kind(row["kind"]), repo=row["repo"], file=row["file"], function=row["function"],
        line=row["line"], operator=row["operator"], family=row["family"], diff=row["diff"], steps=steps,
        edits=tuple(Edit(**e) for e in json.loads(row["edits"])), bug_id=row["bug_id"],
        features=json.loads(row["features"]),
    )


def _execution_row(e: Execution) -> tuple:
    return (e.candidate_id, e.fingerprint, str(e.outcome), json.dumps(list(e.failing_tests)),
            json.dumps(list(e.tests_run)), e.duration, e.cpu_seconds, e.detail, e.context)


def _execution_from_row(row: sqlite3.Row) -> Execution:
    return Execution(
        candidate_id=row["candidate_id"], outcome=Outcome(row["outcome"]),
        failing_tests=tuple(json.loads(row["failing_tests"])), tests_run=tuple(json.loads(row["tests_run"])),
        duration=row["duration"], cpu_seconds=row["cpu_seconds"], fingerprint=row["fingerprint"],
        detail=row["detail"], context=row["context"],
    )
