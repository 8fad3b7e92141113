"""Unified diffs as plain values: files, hunks, the lines each hunk changes, and whether a diff applies."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from bugprm.errors import InputError

_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_NO_NEWLINE = "\\"


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    context: str  # what follows the second @@: git's guess at the enclosing function
    lines: tuple[str, ...]  # each with its ' ', '-', '+' or '\' prefix

    @property
    def text(self) -> str:
        counts = f"-{self.old_start},{self.old_count} +{self.new_start},{self.new_count}"
        header = f"@@ {counts} @@" + (f" {self.context}" if self.context else "")
        return "\n".join((header, *self.lines))

    @property
    def old_lines(self) -> list[str]:
        return [line[1:] for line in self.lines if line[:1] in (" ", "-")]

    @property
    def new_lines(self) -> list[str]:
        return [line[1:] for line in self.lines if line[:1] in (" ", "+")]

    @property
    def removed(self) -> list[tuple[int, str]]:
        """(old line number, text) of each removed line."""
        return [(n, text) for n, sign, text in self._numbered() if sign == "-"]

    @property
    def added(self) -> list[tuple[int, str]]:
        """(new line number, text) of each added line."""
        return [(n, text) for n, sign, text in self._numbered() if sign == "+"]

    def first_changed(self, side: str) -> int:
        """The first changed line on the ``old`` or ``new`` side (where a pure insertion or deletion lands)."""
        changes = self.removed if side == "old" else self.added
        if changes:
            return changes[0][0]
        start = self.old_start if side == "old" else self.new_start
        offset = next((i for i, line in enumerate(self._body()) if line[:1] != " "), 0)
        return max(1, start + offset)

    def last_changed(self, side: str) -> int:
        changes = self.removed if side == "old" else self.added
        return changes[-1][0] if changes else self.first_changed(side)

    def _body(self) -> list[str]:
        return [line for line in self.lines if not line.startswith(_NO_NEWLINE)]

    def _numbered(self) -> list[tuple[int, str, str]]:
        numbered, old, new = [], self.old_start, self.new_start
        for line in self._body():
            sign, text = line[:1], line[1:]
            numbered.append((old if sign == "-" else new, sign, text))
            old += sign in (" ", "-")
            new += sign in (" ", "+")
        return numbered


@dataclass(frozen=True)
class FilePatch:
    old_path: str | None  # None: the file is new
    new_path: str | None  # None: the file is deleted
    header: tuple[str, ...]
    hunks: tuple[Hunk, ...]

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def text(self) -> str:
        return "\n".join((*self.header, *(h.text for h in self.hunks))) + "\n"

    def changed_new_lines(self) -> list[tuple[int, int]]:
        """Inclusive line ranges of the new file that the patch added or rewrote."""
        return line_ranges(n for hunk in self.hunks for n, _ in hunk.added)


def parse_unified_diff(text: str, origin: str = "diff") -> list[FilePatch]:
    """Every file of a unified diff (plain or ``git diff``); raises ``InputError`` when it is not one."""
    lines, patches, index = text.splitlines(), [], 0
    while index < len(lines):
        if lines[index].startswith("--- ") and index + 1 < len(lines) and lines[index + 1].startswith("+++ "):
            patch, index = _file_patch(lines, index, origin)
            patches.append(patch)
        else:
            index += 1
    if not any(p.hunks for p in patches):
        raise InputError(f"{origin} is not a unified diff (no '--- a/FILE', '+++ b/FILE' and '@@' hunk found)")
    return patches


def line_ranges(numbers) -> list[tuple[int, int]]:
    """Sorted line numbers folded into inclusive ranges: 3, 4, 5, 9 -> (3, 5), (9, 9)."""
    ranges: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if ranges and n == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], n)
        else:
            ranges.append((n, n))
    return ranges


def hunk_position(hunk: Hunk, file_lines: list[str]) -> int | None:
    """The 0-based index where the hunk's old lines start in the file (at the stated line or any offset)."""
    expected = hunk.old_lines
    if not expected:
        return hunk.old_start if hunk.old_start <= len(file_lines) else None
    at = hunk.old_start - 1
    if file_lines[at:at + len(expected)] == expected:
        return at
    return _find_block(file_lines, expected)


def hunk_mismatch(hunk: Hunk, file_lines: list[str]) -> str | None:
    """Why the hunk does not apply to the file's lines, or None when it does."""
    if hunk_position(hunk, file_lines) is not None:
        return None
    last = hunk.old_start + max(len(hunk.old_lines) - 1, 0)
    return f"the lines at {hunk.old_start}-{last} differ from the patch's"


def _find_block(lines: list[str], block: list[str]) -> int | None:
    return next((i for i in range(len(lines) - len(block) + 1) if lines[i:i + len(block)] == block), None)


def _file_patch(lines: list[str], index: int, origin: str) -> tuple[FilePatch, int]:
    header = _header_before(lines, index) + [lines[index], lines[index + 1]]
    old_path, new_path = _path(lines[index][4:]), _path(lines[index + 1][4:])
    hunks, index = [], index + 2
    while index < len(lines) and lines[index].startswith("@@"):
        hunk, index = _hunk(lines, index, origin)
        hunks.append(hunk)
    return FilePatch(old_path, new_path, tuple(header), tuple(hunks)), index


def _header_before(lines: list[str], index: int) -> list[str]:
    """The ``diff --git`` and ``index`` lines just above ``---`` that belong to the same file."""
    start = index
    while start > 0 and re.match(r"(diff |index |new file|deleted file|similarity|rename |old mode|new mode)",
                                 lines[start - 1]):
        start -= 1
        if lines[start].startswith("diff "):
            break
    return lines[start:index]


def _hunk(lines: list[str], index: int, origin: str) -> tuple[Hunk, int]:
    match = _HUNK_HEADER.match(lines[index])
    if match is None:
        raise InputError(f"{origin}: malformed hunk header at line {index + 1}: {lines[index]!r}")
    old_start, old_count, new_start, new_count, context = match.groups()
    old_left, new_left = int(old_count or 1), int(new_count or 1)
    body, index = [], index + 1
    while index < len(lines) and (old_left > 0 or new_left > 0 or lines[index].startswith(_NO_NEWLINE)):
        line = lines[index] or " "  # some tools strip the space of an empty context line
        if line[0] not in " -+\\":
            raise InputError(f"{origin}: hunk at line {index + 1} ends early (expected more '{line[0]}' lines)")
        old_left -= line[0] in " -"
        new_left -= line[0] in " +"
        body.append(line)
        index += 1
    if old_left > 0 or new_left > 0:
        raise InputError(f"{origin}: the last hunk is cut short")
    return Hunk(int(old_start), int(old_count or 1), int(new_start), int(new_count or 1), context, tuple(body)), index


def _path(raw: str) -> str | None:
    path = _unquoted(raw.split("\t", 1)[0].strip())
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def _unquoted(path: str) -> str:
    """git quotes unusual names C-style, with UTF-8 bytes as octal escapes: ``"a/caf\\303\\251.py"``."""
    if len(path) < 2 or path[0] != '"' or path[-1] != '"':
        return path
    return codecs.escape_decode(path[1:-1].encode("ascii", "backslashreplace"))[0].decode("utf-8", "replace")
