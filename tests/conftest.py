"""Shared test helpers: small fixture repositories live under tests/fixtures/, copied before use."""

import os
import shutil
from pathlib import Path

import pytest

# Set before anything imports torch, and inherited by the bugprm processes the tests start. The suite's models are
# tiny: a second intra-op thread buys them no time, and on a busy two-core machine its pool spins while it waits
# (tests/model's training tests took 4 times the CPU on two threads: BENCHMARKS.md, "CI test time"). A runner that
# sets the variable keeps its own.
os.environ.setdefault("OMP_NUM_THREADS", "1")

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_repo(tmp_path):
    """Copy a fixture repository by name into tmp_path and return the copy's path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


@pytest.fixture
def run_bugprm(monkeypatch):
    """Run the console entry point as a shell would, returning (exit code, stdout, stderr)."""
    import sys

    from click.testing import CliRunner

    from bugprm.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["bugprm", *map(str, args)])
        with CliRunner().isolation() as (out, err, _):
            try:
                main()
                code = 0
            except SystemExit as exit_:
                code = exit_.code
            sys.stdout.flush()  # what print() left buffered, as the interpreter's exit would
        return code, out.getvalue().decode(), err.getvalue().decode()

    return run


@pytest.fixture
def store_footprint():
    """``store_footprint(DIR)`` -> the row count of every table of the store in DIR, and its size in bytes as SQLite
    sees it (pages in use, the write-ahead log's included): what must not grow when nothing new was learnt."""
    import sqlite3
    from contextlib import closing

    def footprint(directory) -> dict[str, int]:
        with closing(sqlite3.connect(f"file:{directory}/bugprm.sqlite?mode=ro", uri=True)) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}
            pages = db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]
        return {**counts, "bytes": pages}

    return footprint
