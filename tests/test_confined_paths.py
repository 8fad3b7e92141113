"""Paths in a user's patch never leave the repository: an absolute path, ``../`` or a symbolic link out of the tree
is an input error (exit 2) naming the path, raised before anything reads or writes the file it names."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bugprm.errors import InputError
from bugprm.execute.workspace import EditMismatch, Workspace
from bugprm.records import Edit
from bugprm.scoring.sources import parse_unified_diff
from bugprm.scoring.sources.confined import check_patch_paths

FIXTURES = Path(__file__).parent / "fixtures"
MODULE = "def add(a, b):\n    return a - b\n"


def _patch(old: str, new: str | None = None) -> str:
    new = new or old
    return f"--- {old}\n+++ {new}\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n"


@pytest.fixture
def layout(tmp_path):
    """A plain (non-git) project, a folder beside it with a file the patch must not reach, a link into that folder."""
    project, outside = tmp_path / "project", tmp_path / "outside"
    (project / "pkg").mkdir(parents=True)
    outside.mkdir()
    (project / "pkg" / "mod.py").write_text(MODULE)
    (outside / "mod.py").write_text(MODULE)
    (project / "link").symlink_to(outside, target_is_directory=True)
    return project, outside


def _escapes(project: Path, outside: Path) -> dict[str, str]:
    return {"absolute": str(outside / "mod.py"), "dotdot": "a/../outside/mod.py", "symlink": "a/link/mod.py"}


def _snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "symlink"])
def test_score_patch_refuses_a_path_outside_the_repository(run_bugprm, layout, tmp_path, kind):
    project, outside = layout
    name = _escapes(project, outside)[kind]
    patch = tmp_path / "escape.diff"
    patch.write_text(_patch(name))
    before = _snapshot(outside / "mod.py")
    code, out, err = run_bugprm("score", "--patch", patch, "--repo", project, "--format", "json")
    assert code == 2, (out, err)
    assert "escape.diff" in err and ("absolute" in err or "outside" in err) and "Traceback" not in err
    assert name.removeprefix("a/") in err
    assert _snapshot(outside / "mod.py") == before


def test_a_path_inside_the_repository_passes(layout):
    project, _ = layout
    check_patch_paths(project, parse_unified_diff(_patch("a/pkg/mod.py", "b/pkg/mod.py")), "fix.diff")


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "symlink"])
def test_repair_patch_is_refused_before_anything_runs(run_bugprm, tmp_path, kind):
    repo = Path(shutil.copytree(FIXTURES / "h_calc", tmp_path / "calc"))
    (tmp_path / "outside").mkdir()
    shutil.copy(repo / "src" / "calc" / "ops.py", tmp_path / "outside" / "ops.py")
    (repo / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    names = {"absolute": str(repo / "src" / "calc" / "ops.py"),  # the user's own file, the case
             "dotdot": "a/../outside/ops.py", "symlink": "a/link/ops.py"}
    patch = tmp_path / "fix.diff"
    patch.write_text(f"--- {names[kind]}\n+++ {names[kind]}\n@@ -4,2 +4,2 @@\n def add(a, b):\n"
                     "-    return a + b\n+    return a - b\n")
    watched = [repo / "src" / "calc" / "ops.py", tmp_path / "outside" / "ops.py"]
    before = [_snapshot(p) for p in watched]
    code, out, err = run_bugprm("repair", repo, "--patch", patch, "--execute", "1", "--format", "json")
    assert code == 2, (out, err)
    assert names[kind].removeprefix("a/") in err and "Traceback" not in err
    assert [_snapshot(p) for p in watched] == before
    assert not (repo / ".bugprm").exists()  # refused before the store, the baseline or any workspace


def test_a_workspace_never_writes_through_a_link_or_to_an_absolute_path(layout, tmp_path):
    project, outside = layout
    workspace = Workspace.copy_of(project, tmp_path / "copy")
    before = _snapshot(outside / "mod.py")
    start = MODULE.index("-")
    for file in ("link/mod.py", str(outside / "mod.py")):
        with pytest.raises(EditMismatch, match="outside the workspace"):
            workspace.apply((Edit(file, start, start + 1, "-", "+"),))
    assert _snapshot(outside / "mod.py") == before
    workspace.apply((Edit("pkg/mod.py", start, start + 1, "-", "+"),))
    assert "a + b" in (tmp_path / "copy" / "pkg" / "mod.py").read_text()
    assert os.path.islink(tmp_path / "copy" / "link")


def test_the_error_names_the_path_and_says_what_to_do():
    with pytest.raises(InputError, match="relative to it"):
        check_patch_paths(Path("/tmp"), parse_unified_diff(_patch("/etc/passwd")), "p.diff")
