"""Workspaces: edits apply and revert byte-exactly, caches can never serve a stale module, stale runs are swept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bugprm.execute.workspace import EditMismatch, RunFolder, Workspace, apply_edits, remove_stale
from bugprm.records import Edit


def _workspace(tmp_path, text="def f():\n    return 1 + 2\n") -> Workspace:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".bugprm").mkdir()
    (repo / "venv").mkdir()
    (repo / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (repo / "m.py").write_text(text)
    return Workspace.copy_of(repo, tmp_path / "copy")


def test_the_copy_leaves_out_vcs_store_and_virtualenvs(tmp_path):
    workspace = _workspace(tmp_path)
    assert (workspace.root / "m.py").exists() and workspace.tmp.is_dir()
    assert not any((workspace.root / name).exists() for name in (".git", ".bugprm", "venv"))


def test_apply_then_revert_restores_bytes_and_mtime(tmp_path):
    workspace = _workspace(tmp_path)
    path = workspace.root / "m.py"
    original, mtime = path.read_bytes(), path.stat().st_mtime_ns
    workspace.apply((Edit("m.py", 22, 23, "+", "-"),))
    assert path.read_bytes() == b"def f():\n    return 1 - 2\n"
    assert path.stat().st_mtime_ns != mtime
    workspace.revert()
    assert path.read_bytes() == original and path.stat().st_mtime_ns == mtime


def test_same_size_edits_never_share_a_modification_time(tmp_path):
    workspace = _workspace(tmp_path)
    seen = set()
    for replacement in "-*-":
        workspace.apply((Edit("m.py", 22, 23, "+", replacement),))
        seen.add(int((workspace.root / "m.py").stat().st_mtime))
        workspace.revert()
    assert len(seen) == 3


def test_a_stale_edit_is_refused(tmp_path):
    with pytest.raises(EditMismatch):
        apply_edits(b"return 1 + 2", [Edit("m.py", 0, 6, "yield", "return")], "m.py")


def test_edits_apply_from_the_end_so_offsets_hold():
    edits = [Edit("m.py", 0, 1, "a", "long"), Edit("m.py", 4, 5, "b", "x")]
    assert apply_edits(b"a + b", edits) == b"long + x"


def test_folders_of_dead_runs_are_swept_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f"run-{dead.stdout.strip()}-abc"
    live = tmp_path / f"run-{os.getpid()}-def"
    stale.mkdir()
    live.mkdir()
    assert remove_stale(tmp_path) == [stale]
    assert live.exists()


def test_a_run_folder_removes_itself(tmp_path):
    folder = RunFolder(tmp_path)
    assert folder.path.exists()
    folder.close()
    assert not folder.path.exists()
