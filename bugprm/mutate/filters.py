"""Why a mutant is dropped: an excluded region, a pragma, a duplicate source, or a file that no longer parses."""

from __future__ import annotations

import bisect
import hashlib
import re
import warnings

from bugprm.mutate.operator import Replacement
from bugprm.parsing import EditChecker, Function, Language, ParsedFile
from bugprm.records import StrEnum

PRAGMA = "pragma: no mutate"


class Drop(StrEnum):
    OUTSIDE_FUNCTION = "outside_function"
    EXCLUDED_REGION = "excluded_region"
    PRAGMA = "pragma"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    SYNTAX_ERROR = "syntax_error"
    COMPILE_ERROR = "compile_error"


class MutantFilter:
    """The static checks for one file; remembers the sources it has seen to drop duplicates."""

    def __init__(self, parsed: ParsedFile):
        self.parsed = parsed
        self._pragma_lines = pragma_lines(parsed.source)
        self._excluded = _disjoint(parsed.skip_regions)
        self._excluded_starts = [start for start, _ in self._excluded]
        self._seen: set[tuple] = set()
        self._parser = EditChecker(parsed.source, parsed.language)
        self._compiler = PythonCompileCheck(parsed) if parsed.language is Language.PYTHON else None

    def region_drop(self, edit: Replacement) -> Drop | None:
        """Checks that need no mutated source: cheap, so they run first."""
        if self._excluded_overlaps(edit.start, edit.end):
            return Drop.EXCLUDED_REGION
        if self._pragma_lines and self._touches_pragma(edit):
            return Drop.PRAGMA
        return None

    def source_drop(self, edit: Replacement, function: Function) -> Drop | None:
        """Checks of the mutated source, read around the edit only: no per-mutant work may grow with the file."""
        drop = self._repeat_drop(edit)
        if drop is not None:
            return drop
        if not self._parser.parses_after(edit.start, edit.end, edit.text.encode("utf-8")):
            return Drop.SYNTAX_ERROR
        if self._compiler and self._compiler.error(edit, function):
            return Drop.COMPILE_ERROR
        return None

    def _repeat_drop(self, edit: Replacement) -> Drop | None:
        """UNCHANGED or DUPLICATE, judged on the top-level statement the edit lies in (two edits in different
        statements never give the same file), so no per-mutant work hashes the whole file."""
        source = self.parsed.source
        low, high = self._parser.unit(edit.start, edit.end) or (0, len(source))
        spliced = source[low:edit.start] + edit.text.encode("utf-8") + source[edit.end:high]
        if spliced == source[low:high]:
            return Drop.UNCHANGED
        key = (low, high, hashlib.sha1(spliced).digest())
        if key in self._seen:
            return Drop.DUPLICATE
        self._seen.add(key)
        return None

    def _excluded_overlaps(self, start: int, end: int) -> bool:
        index = bisect.bisect_left(self._excluded_starts, end) - 1
        return index >= 0 and start < self._excluded[index][1]

    def _touches_pragma(self, edit: Replacement) -> bool:
        first, last = self.parsed.lines.line_of(edit.start), self.parsed.lines.line_of(edit.end)
        return any(line in self._pragma_lines for line in range(first, last + 1))


class PythonCompileCheck:
    """Compiles the mutated function on its own when the original function compiles on its own.

    The file's other functions are unchanged and the original file compiled, so the function is the whole
    question; a function that cannot stand alone (``nonlocal`` to an outer scope) falls back to the file.
    """

    def __init__(self, parsed: ParsedFile):
        self.parsed = parsed
        self._alone: dict[int, bool] = {}

    def error(self, edit: Replacement, function: Function) -> str | None:
        source, replacement = self.parsed.source, edit.text.encode("utf-8")
        if self._stands_alone(function):
            span = function.span
            return python_compile_error(_unit(source[span.start:edit.start] + replacement + source[edit.end:span.end],
                                              function), self.parsed.path)
        return python_compile_error(source[:edit.start] + replacement + source[edit.end:], self.parsed.path)

    def _stands_alone(self, function: Function) -> bool:
        if function.span.start not in self._alone:
            starts_line = len(function.span.indent) == function.span.column
            unit = _unit(self.parsed.source[function.span.start:function.span.end], function)
            self._alone[function.span.start] = starts_line and python_compile_error(unit, self.parsed.path) is None
        return self._alone[function.span.start]


def _unit(text: bytes, function: Function) -> bytes:
    """The function's source, nested under ``if 1:`` so that its original indentation stays valid."""
    return b"if 1:\n" + function.span.indent.encode("utf-8") + text if function.span.indent else text


def _disjoint(regions) -> list[tuple[int, int]]:
    """Byte regions merged where they overlap, sorted: an edit overlaps one of them iff it overlaps the merge."""
    merged: list[tuple[int, int]] = []
    for region in sorted(regions, key=lambda r: r.start):
        if merged and region.start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], region.end))
        else:
            merged.append((region.start, region.end))
    return merged


def pragma_lines(source: bytes) -> frozenset[int]:
    marker = PRAGMA.encode()
    if marker not in source:
        return frozenset()
    return frozenset(number for number, line in enumerate(source.split(b"\n"), 1) if marker in line)


def python_compile_error(source: bytes, path: str) -> str | None:
    """Why CPython refuses the source, or None; the parse tree alone misses errors such as ``break`` outside a loop."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return _compile_message(exc)
    return None


def _compile_message(exc: Exception) -> str:
    if isinstance(exc, SyntaxError):
        return f"{exc.msg} (line {exc.lineno})"
    return re.sub(r"\s+", " ", str(exc))
