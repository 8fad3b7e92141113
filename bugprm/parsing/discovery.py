"""Which files of a repository bugprm parses, and why it leaves the others out.

Test files are not mutated (they judge the mutants); symbolic links are never followed, so a link loop or a link
out of the repository is listed as skipped rather than walked; FIFOs, devices and sockets are skipped unopened.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path

from bugprm.files import special_kind
from bugprm.parsing.languages import Language, language_for_path

MAX_BYTES = 1_000_000
MINIFIED_MEAN_LINE = 200
MINIFIED_LONGEST_LINE = 10_000

_TEST_DIRS = frozenset({"tests", "test", "__tests__"})
_SKIPPED_DIRS = frozenset({
    "node_modules", "venv", "build", "dist", "target", "out", "vendor", "site-packages", "__pycache__",
}) | _TEST_DIRS
_TEST_FILES = (
    "test_*.py", "*_test.py", "conftest.py", "*.test.*", "*.spec.*", "*_test.go", "*Test.java", "*Tests.java",
)
_GENERATED_NAMES = ("*.min.js", "*_pb2.py", "*_pb2_grpc.py", "*.pb.go", "*.generated.*")
_GENERATED_MARKER = re.compile(rb"@generated|DO NOT EDIT|Code generated|automatically generated", re.IGNORECASE)


class FileSkipped(ValueError):
    """A file bugprm will not parse; the message is the reason shown to the user."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    relative: str
    language: Language


def discover_sources(root: Path) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Source files under ``root`` in a stable order, and (path, reason) for entries left out on purpose."""
    sources: list[SourceFile] = []
    skipped: list[tuple[str, str]] = []
    for folder, dirnames, filenames in os.walk(root):
        here = Path(folder)
        dirnames[:] = _walkable(here, sorted(dirnames), root, skipped)
        for name in sorted(filenames):
            _consider(here / name, root, sources, skipped)
    return sorted(sources, key=lambda s: s.relative), sorted(skipped)


def in_scope(sources: list[SourceFile], include: tuple[str, ...],
             exclude: tuple[str, ...]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """The sources under ``include`` (every one when empty) and not under ``exclude`` (path prefixes or globs,
    ``[tool.bugprm]``), and (path, reason) for the others."""
    kept, left_out = [], []
    for source in sources:
        if include and not any(_matches(source.relative, pattern) for pattern in include):
            left_out.append((source.relative, "not under [tool.bugprm] include"))
        elif any(_matches(source.relative, pattern) for pattern in exclude):
            left_out.append((source.relative, "under [tool.bugprm] exclude"))
        else:
            kept.append(source)
    return kept, left_out


def _matches(relative: str, pattern: str) -> bool:
    prefix = pattern.strip("/")
    return relative == prefix or relative.startswith(prefix + "/") or fnmatch.fnmatchcase(relative, pattern)


def read_source(source: SourceFile) -> bytes:
    """The file's bytes; raises FileSkipped for huge, binary, non-UTF-8, generated or minified files."""
    try:
        if source.path.stat().st_size > MAX_BYTES:
            raise FileSkipped(f"larger than {MAX_BYTES // 1_000_000} MB")
        data = source.path.read_bytes()
    except OSError as exc:
        raise FileSkipped(f"unreadable ({exc.strerror or exc})") from exc
    _check_text(data)
    return data


def _walkable(here: Path, dirnames: list[str], root: Path, skipped: list[tuple[str, str]]) -> list[str]:
    kept = []
    for name in dirnames:
        if (here / name).is_symlink():
            skipped.append((_relative(here / name, root), "symbolic link, not followed"))
        elif not _skipped_dir(here / name, name):
            kept.append(name)
    return kept


def _skipped_dir(path: Path, name: str) -> bool:
    hidden = name.startswith(".")
    return hidden or name in _SKIPPED_DIRS or name.endswith(".egg-info") or (path / "pyvenv.cfg").exists()


def _consider(path: Path, root: Path, sources: list[SourceFile], skipped: list[tuple[str, str]]) -> None:
    language = language_for_path(path)
    if language is None or _is_test_file(path.name) or path.name.startswith("."):
        return
    relative = _relative(path, root)
    if not _is_utf8(relative):
        skipped.append((relative.encode("utf-8", "backslashreplace").decode("utf-8"), "file name is not UTF-8"))
    elif path.is_symlink():
        skipped.append((relative, "symbolic link, not followed"))
    elif kind := special_kind(path):
        skipped.append((relative, f"{kind}, not a regular file"))
    elif any(fnmatch.fnmatch(path.name, pattern) for pattern in _GENERATED_NAMES):
        skipped.append((relative, "generated file"))
    else:
        sources.append(SourceFile(path, relative, language))


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_test_path(relative: str) -> bool:
    """A repo-relative path of a test file or of a file in a test folder (``tests/``, ``test/``, ``__tests__/``)."""
    *folders, name = relative.split("/")
    return _is_test_file(name) or any(folder in _TEST_DIRS for folder in folders)


def _is_test_file(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in _TEST_FILES)


def _check_text(data: bytes) -> None:
    if b"\0" in data:
        raise FileSkipped("binary file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileSkipped(f"not UTF-8 text (invalid byte at offset {exc.start})") from exc
    if _GENERATED_MARKER.search(b"\n".join(data.split(b"\n", 10)[:10])):
        raise FileSkipped("generated file (marker in its header)")
    if _looks_minified(text):
        raise FileSkipped("minified file (very long lines)")


def _looks_minified(text: str) -> bool:
    lines = text.split("\n")
    longest = max(len(line) for line in lines)
    return longest > MINIFIED_LONGEST_LINE or (len(text) > 2_000 and len(text) / len(lines) > MINIFIED_MEAN_LINE)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()
