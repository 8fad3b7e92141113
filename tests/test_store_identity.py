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


def _store_of(tmp_path: Path, files: dict[str, bytes]) -> Store:
    from bugprm.store_identity import REPO_META, record_sources

    store = Store.open(tmp_path / "store", create=True)
    store.set_meta(REPO_META, str(tmp_path / "recorded"))
    record_sources(store, tmp_path, files)
    return store


@pytest.mark.parametrize("changed, foreign", [(1, False), (2, True)])
def test_a_tree_is_the_same_while_fewer_than_half_its_files_changed(tmp_path, changed, foreign):
    files = {f"m{i}.py": f"x = {i}\n".encode() for i in range(4)}
    here = tmp_path / "here"
    here.mkdir()
    for i, (name, data) in enumerate(files.items()):
        (here / name).write_bytes(data + b"# changed\n" * (i < changed))
    with _store_of(tmp_path, files) as store:
        if foreign:
            with pytest.raises(StoreError, match="describes"):
                check_repository(store, here)
        else:
            check_repository(store, here)


def test_the_first_commit_is_read_at_a_repositorys_root_only(tmp_path):
    from bugprm.store_identity import root_commit

    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    assert root_commit(repo) == ""  # no commit yet
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "first"], check=True)
    first = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "second"], check=True)
    assert root_commit(repo) == first and root_commit(repo / "sub") == "" and root_commit(tmp_path) == ""
    with _store_of(tmp_path, {"gone.py": b"", "also_gone.py": b""}) as store:
        store.set_meta("identity.root_commit", first)
        check_repository(store, repo)  # every recorded file is gone, but the history is the same
