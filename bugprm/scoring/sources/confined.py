"""Paths named by a patch, held inside the tree they patch.

A diff's file names are the user's input: ``--- /home/me/repo/pkg/mod.py``, ``../other/mod.py`` or a path through
a symbolic link that points out of the repository would make a reader or a workspace touch files outside the copy.
Every name is resolved (symlinks followed) against the root before anything reads or writes it.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from bugprm.errors import InputError
from bugprm.scoring.sources.diffs import FilePatch


def check_patch_paths(root: Path, patches: list[FilePatch], origin: str) -> None:
    """Raises InputError naming the first path of ``patches`` that lies outside ``root``."""
    for patch in patches:
        for name in (patch.old_path, patch.new_path):
            if name is not None:
                inside(root, name, origin)


def inside(root: Path, name: str, origin: str) -> Path:
    """``root / name`` resolved, or InputError when it is absolute or resolves outside ``root``."""
    if not name or PurePosixPath(name).is_absolute() or Path(name).is_absolute():
        raise InputError(f"{origin}: the path {name!r} is absolute; a patch may only name files inside {root}, "
                         f"relative to it (as `git diff` writes them: a/pkg/mod.py)")
    base = root.resolve()
    target = (base / name).resolve()
    if not target.is_relative_to(base):
        raise InputError(f"{origin}: the path {name!r} resolves to {target}, outside {root}; "
                         f"a patch may only change files inside the repository")
    return target
