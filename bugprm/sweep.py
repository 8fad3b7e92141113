"""Leftover workspaces of killed runs, removed at the start of every command.

Each run keeps its workspaces under ``$TMPDIR/bugprm-workspaces/run-PID-*`` and removes them at exit; a ``kill -9``
leaves them behind. Any later bugprm command removes the folders whose owner process is gone. This module imports
only the standard library, so the sweep costs no start-up time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

ROOT_NAME = "bugprm-workspaces"


def workspaces_base(base: Path | None = None) -> Path:
    return Path(base or tempfile.gettempdir()) / ROOT_NAME


def sweep_leftovers(base: Path | None = None) -> list[Path]:
    """Remove the run folders of dead processes under the workspaces base (if it exists)."""
    folder = workspaces_base(base)
    return remove_stale(folder) if folder.is_dir() else []


def remove_stale(base: Path) -> list[Path]:
    """Remove run folders whose owning process no longer exists; returns what was removed."""
    removed = []
    for folder in base.glob("run-*-*"):
        owner = folder.name.split("-")[1]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
