"""What a directory entry is, read without following a link or opening the file: opening a FIFO blocks, and reading
a device (or a link to /dev/zero) never ends."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_SPECIAL = ((stat.S_ISFIFO, "named pipe (FIFO)"), (stat.S_ISCHR, "character device"),
            (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket"))


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file, a folder nor a symbolic link; None otherwise."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    return next((name for is_kind, name in _SPECIAL if is_kind(mode)), None)


def entry_bytes(path: Path) -> bytes:
    """The bytes that stand for an entry in a digest: a link's target (never followed), a special file's kind, a
    regular file's content."""
    if path.is_symlink():
        return b"symlink:" + os.fsencode(os.readlink(path))
    kind = special_kind(path)
    return b"special:" + kind.encode() if kind else path.read_bytes()
