"""Exceptions from below bugprm (the operating system, SQLite) read as the documented errors: what failed, where,
and what to do next. Anything else that escapes is a bug in bugprm: exit 3, never exit 1, which means a failed gate.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from bugprm.errors import BugprmError, InputError, StoreError

_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)
_NOT_A_FOLDER = (errno.ENOTDIR, errno.EEXIST, errno.EISDIR)


def store_database_error(path: Path | str, exc: sqlite3.Error) -> StoreError:
    """A read-only store is not a corrupt one: each says so, and how to go on."""
    text = str(exc)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(f"the store at {path} is read-only or cannot be opened for writing ({text}): make it "
                          "writable, or pass --store DIR to work in another run directory")
    return StoreError(f"the store at {path} is corrupt or not a bugprm store ({text}): remove it and rerun "
                      "`bugprm generate`, or pass --store DIR")


def os_failure(exc: OSError) -> BugprmError:
    where = exc.filename or "a file"
    if exc.errno in _NOT_WRITABLE:
        return InputError(f"cannot write {where}: {exc.strerror} (a read-only repository or store? pass --store DIR "
                          "to keep the store in a writable folder)")
    if exc.errno in _NOT_A_FOLDER:
        return InputError(f"{where}: {exc.strerror} (a file stands where bugprm needs a folder, such as a file named "
                          ".bugprm: move it, or pass --store DIR)")
    return BugprmError(f"{where}: {exc.strerror or exc}")


def classified(exc: Exception) -> BugprmError:
    """The documented error for an exception that escaped a command."""
    if isinstance(exc, sqlite3.Error):
        return store_database_error("this run directory", exc)
    if isinstance(exc, OSError):
        return os_failure(exc)
    return BugprmError(f"internal error: {type(exc).__name__}: {exc}. This is a bug in bugprm: rerun with "
                       "`bugprm --debug ...` for the traceback and report it")
