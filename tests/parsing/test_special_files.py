"""FIFOs, devices and links to them are skipped with a reason, never opened: a FIFO named pipe.py used to hang
``generate`` and a .py link to /dev/zero ran ``label``'s source hashing out of memory. Links are treated alike by
discovery (skipped), the source digest (hashed by target, not followed) and the workspace copy (copied as links)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bugprm.execute.config import source_digest
from bugprm.execute.workspace import Workspace
from bugprm.mutate.run import generate_pool

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")


@pytest.fixture
def hostile(tmp_path) -> Path:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "mod.py").write_text("def f(a):\n    return a + 1\n")
    os.mkfifo(repo / "pkg" / "pipe.py")
    (repo / "pkg" / "zero.py").symlink_to("/dev/zero")
    return repo


def test_generate_skips_a_fifo_and_a_link_to_a_device_with_reasons(hostile, tmp_path):
    summary = generate_pool(hostile, tmp_path / "store")
    skipped = dict(summary.files_skipped)
    assert skipped["pkg/pipe.py"] == "named pipe (FIFO), not a regular file"
    assert skipped["pkg/zero.py"] == "symbolic link, not followed"
    assert summary.files_parsed == 1 and summary.candidates_found > 0


def test_the_source_digest_reads_links_and_special_files_without_opening_them(hostile):
    first = source_digest(hostile)
    (hostile / "pkg" / "zero.py").unlink()
    (hostile / "pkg" / "zero.py").symlink_to("/dev/null")
    assert source_digest(hostile) != first  # a link's target is part of the state


def test_the_workspace_copy_leaves_special_files_out_and_links_as_links(hostile, tmp_path):
    copy = Workspace.copy_of(hostile, tmp_path / "copy").root
    assert (copy / "pkg" / "mod.py").is_file() and not (copy / "pkg" / "pipe.py").exists()
    assert os.readlink(copy / "pkg" / "zero.py") == "/dev/zero"
