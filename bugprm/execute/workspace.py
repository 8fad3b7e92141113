"""Workspaces: private copies of the subject repository where candidates are applied, run and reverted.

The user's tree is only ever read. Each run owns a folder under the system temp dir named after its pid; it is
removed at exit (atexit, SIGTERM, SIGHUP) and, after a ``kill -9``, by the next run, which removes every run folder
whose owner process is gone (``bugprm.sweep``; every command sweeps at start). A workspace is reused across
candidates: apply writes the edited bytes, revert writes the original bytes back, and each edited state gets its own
modification time, so neither Python's bytecode cache nor pytest's assertion-rewrite cache (both keyed on mtime and
size) can serve a stale module.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import tempfile
from pathlib import Path

from bugprm.execute.config import is_skipped_dir
from bugprm.files import special_kind
from bugprm.records import Edit
from bugprm.sweep import ROOT_NAME, remove_stale, workspaces_base  # noqa: F401 - ROOT_NAME, remove_stale re-exported

_MTIME_STEP_NS = 1_000_000_000


class EditMismatch(Exception):
    """A candidate's edit does not match the file it names (the repository changed since the pool was made)."""


class Workspace:
    def __init__(self, root: Path):
        self.root = root
        self._originals: dict[str, tuple[bytes, int]] = {}
        self._edits_made = 0

    @classmethod
    def copy_of(cls, repo: Path, target: Path) -> "Workspace":
        shutil.copytree(repo, target, symlinks=True, ignore=_ignored)
        (target / ".bugprm-tmp").mkdir()
        return cls(target)

    @property
    def tmp(self) -> Path:
        return self.root / ".bugprm-tmp"

    def apply(self, edits: tuple[Edit, ...]) -> None:
        by_file: dict[str, list[Edit]] = {}
        for edit in edits:
            by_file.setdefault(edit.file, []).append(edit)
        for file, file_edits in by_file.items():
            self._write_edited(file, file_edits)

    def inside(self, file: str) -> Path:
        """``root / file``, refused when it is absolute or resolves (through a link) outside the copy: the user's
        tree must never be written."""
        path = self.root / file
        if Path(file).is_absolute() or not path.resolve().is_relative_to(self.root.resolve()):
            raise EditMismatch(f"{file}: outside the workspace {self.root}, not written")
        return path

    def revert(self) -> None:
        for file, (original, mtime_ns) in self._originals.items():
            path = self.root / file
            path.write_bytes(original)
            os.utime(path, ns=(mtime_ns, mtime_ns))
        self._originals.clear()

    def _write_edited(self, file: str, edits: list[Edit]) -> None:
        path = self.inside(file)
        original = self._originals[file][0] if file in self._originals else path.read_bytes()
        self._originals.setdefault(file, (original, path.stat().st_mtime_ns))
        path.write_bytes(apply_edits(original, edits, file))
        self._edits_made += 1
        unique_ns = self._originals[file][1] + (1000 + self._edits_made) * _MTIME_STEP_NS
        os.utime(path, ns=(unique_ns, unique_ns))


def apply_edits(source: bytes, edits: list[Edit], file: str = "") -> bytes:
    """Byte-span replacements, applied from the end so earlier spans keep their offsets."""
    for edit in sorted(edits, key=lambda e: e.start_byte, reverse=True):
        found = source[edit.start_byte:edit.end_byte]
        if found != edit.original.encode("utf-8"):
            raise EditMismatch(f"{file}: bytes {edit.start_byte}-{edit.end_byte} are {found[:60]!r}, "
                               f"expected {edit.original[:60]!r}")
        source = source[:edit.start_byte] + edit.replacement.encode("utf-8") + source[edit.end_byte:]
    return source


def net_edit(file: str, before: bytes, after: bytes) -> Edit | None:
    """The one span replacement that turns ``before`` into ``after`` (None when they are equal)."""
    if before == after:
        return None
    old, new = before.decode("utf-8"), after.decode("utf-8")
    head = len(os.path.commonprefix([old, new]))
    tail = len(os.path.commonprefix([old[head:][::-1], new[head:][::-1]]))
    start = len(old[:head].encode("utf-8"))
    removed, added = old[head:len(old) - tail], new[head:len(new) - tail]
    return Edit(file, start, start + len(removed.encode("utf-8")), removed, added)


def _ignored(folder: str, names: list[str]) -> set[str]:
    """Skipped folders, and special files: copying a FIFO blocks and a device never ends (links are copied as
    links, never followed)."""
    return {n for n in names if is_skipped_dir(Path(folder) / n) or special_kind(Path(folder) / n)}


class RunFolder:
    """This run's folder of workspaces; removed at exit, or by a later run if this process is killed."""

    def __init__(self, base: Path | None = None):
        self.base = workspaces_base(base)
        self.base.mkdir(parents=True, exist_ok=True)
        remove_stale(self.base)
        self.path = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=self.base))
        _cleanup_at_exit(self.path)

    def workspace(self, repo: Path, index: int) -> Workspace:
        return Workspace.copy_of(repo, self.path / f"w{index}")

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _cleanup_at_exit(path: Path) -> None:
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            _install_exit_handler(signum)


def _install_exit_handler(signum: int) -> None:
    try:
        signal.signal(signum, _exit_on_signal)
    except ValueError:  # not the main thread: atexit and the next run's stale sweep still clean up
        pass


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(128 + signum)
