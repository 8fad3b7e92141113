"""Unified diffs that ``git apply`` and ``patch -p1`` accept, computed on a window around one edit."""

from __future__ import annotations

import difflib
import re

from bugprm.parsing.lines import LineTable

CONTEXT_LINES = 3
_HUNK = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", re.MULTILINE)


def edit_diff(path: str, source: bytes, start: int, end: int, replacement: bytes,
              lines: LineTable | None = None) -> str:
    """The diff of replacing ``source[start:end]``; difflib sees only the nearby lines, then hunks are renumbered
    (by ``lines``, the file's line table, when the caller has one: counting newlines per mutant is quadratic)."""
    low = _line_start_before(source, start, CONTEXT_LINES + 1)
    high = _line_end_after(source, end, CONTEXT_LINES + 1)
    before = source[low:high].decode("utf-8")
    after = (source[low:start] + replacement + source[end:high]).decode("utf-8")
    lines_before = lines.line_of(low) - 1 if lines is not None else source.count(b"\n", 0, low)
    return _shifted(unified_diff(path, before, after), lines_before)


def unified_diff(path: str, before: str, after: str) -> str:
    """A diff with ``a/<path>`` and ``b/<path>`` headers; lines split on newline only, as git does."""
    hunks = difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}", n=CONTEXT_LINES)
    return "".join(_terminated(line) for line in hunks)


def _line_start_before(source: bytes, offset: int, lines: int) -> int:
    start = source.rfind(b"\n", 0, offset) + 1
    for _ in range(lines):
        if start == 0:
            break
        start = source.rfind(b"\n", 0, start - 1) + 1
    return start


def _line_end_after(source: bytes, offset: int, lines: int) -> int:
    end = offset
    for _ in range(lines + 1):
        newline = source.find(b"\n", end)
        if newline == -1:
            return len(source)
        end = newline + 1
    return end


def _shifted(diff: str, offset: int) -> str:
    def renumber(match: re.Match) -> str:
        old, old_len, new, new_len = match.groups()
        return f"@@ -{int(old) + offset}{old_len or ''} +{int(new) + offset}{new_len or ''} @@"

    return _HUNK.sub(renumber, diff) if offset else diff


def _lines(text: str) -> list[str]:
    # str.splitlines would also split on \f, \x1c or \u2028 inside string literals; git does not.
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return lines + [parts[-1]] if parts[-1] else lines


def _terminated(line: str) -> str:
    return line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
