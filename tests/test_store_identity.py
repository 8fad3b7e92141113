"""A store knows its repository and the source it was drawn from: a foreign store is exit 2, a stale one is refused
before anything runs (no verdict on code that no longer exists) and `generate` again refreshes it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bugprm.errors import InputError, StoreError
from bugprm.execute import label_pool
from bugprm.execute.workspace import apply_edits
from bugprm.mutate.run import generate_pool
from bugprm.records import Kind
from bugprm.store import Store
from bugprm.store_identity import check_repository, stale_files

FIXTURES = Path(__file__).parent / "fixtures"
OPS = "src/calc/ops.py"


def _generated(name: str, tmp_path: Path) -> Path:
    repo = shutil.copytree(FIXTURES / name, tmp_path / name)
    generate_pool(repo, None)
    return repo


def test_a_foreign_store_is_exit_2_before_anything_runs(tmp_path):
    calc, other = _generated("h_calc", tmp_path), _generated("h_order", tmp_path)
    with pytest.raises(StoreError, match=f"describes {calc}, not {other}") as raised:
        label_pool(other, calc / ".bugprm")
    assert raised.value.exit_code == 2
    with pytest.raises(StoreError, match="describes"):
        generate_pool(other, calc / ".bugprm")
    done = subprocess.run([sys.executable, "-m", "bugprm", "label", str(other), "--store", str(calc / ".bugprm")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "describes" in done.stderr and "Traceback" not in done.stderr
    with Store.open(calc / ".bugprm") as store:
        assert store.executions() == {}


def test_a_moved_copy_of_the_same_tree_is_not_foreign(tmp_path):
    calc = _generated("h_calc", tmp_path)
    moved = shutil.copytree(calc, tmp_path / "elsewhere")
    with Store.open(moved / ".bugprm") as store:
        check_repository(store, moved)


def test_a_stale_store_is_refused_then_generate_refreshes_it(tmp_path):
    calc = _generated("h_calc", tmp_path)
    ops = calc / OPS
    ops.write_text("# one line added above everything\n" + ops.read_text())
    with pytest.raises(InputError, match=f"source changed since `bugprm generate`: {OPS}") as raised:
        label_pool(calc, None, limit=3)
    assert raised.value.exit_code == 2
    with Store.open(calc / ".bugprm") as store:
        assert store.executions() == {}  # refused before any verdict, no_coverage or other

    generate_pool(calc, None)
    with Store.open(calc / ".bugprm") as store:
        assert stale_files(store, calc) == []
        bugs = [c for c in store.candidates(kind=Kind.BUG) if c.file == OPS]
    assert bugs
    current = ops.read_bytes()
    for bug in bugs:  # every candidate of the changed file now points into its current text
        apply_edits(current, [e for e in bug.edits if e.file == OPS], OPS)
