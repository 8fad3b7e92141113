"""Why a mutant is dropped: an excluded region, a pragma, a duplicate source, or a file that no longer parses."""

from __future__ import annotations

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
        self._seen = {hashlib.sha1(parsed.source).digest()}
        self._parser = EditChecker(parsed.source, parsed.language)
        self._compiler = PythonCompileCheck(parsed) if parsed.language is Language.PYTHON else None

    def region_drop(self, edit: Replacement) -> Drop | None:
        """Checks that need no mutated source: cheap, so they run first."""
        if any(region.overlaps(edit.start, edit.end) for region in self.parsed.skip_regions):
            return Drop.EXCLUDED_REGION
        if self._pragma_lines and self._touches_pragma(edit):
            return Drop.PRAGMA
        return None

    def source_drop(self, edit: Replacement, mutated: bytes, function: Function) -> Drop | None:
        digest = hashlib.sha1(mutated).digest()
        if digest in self._seen:
            return Drop.DUPLICATE if mutated != self.parsed.source else Drop.UNCHANGED
        self._seen.add(digest)
        if not self._parser.parses_after(edit.start, edit.end, edit.text.encode("utf-8")):
            return Drop.SYNTAX_ERROR
        if self._compiler and self._compiler.error(mutated, function, len(mutated) - len(self.parsed.source)):
            return Drop.COMPILE_ERROR
        return None

    def _touches_pragma(self, edit: Replacement) -> bool:
        first = self.parsed.source.count(b"\n", 0, edit.start) + 1
        last = first + self.parsed.source.count(b"\n", edit.start, edit.end)
        return any(line in self._pragma_lines for line in range(first, last + 1))


class PythonCompileCheck:
    """Compiles the mutated function on its own when the original function compiles on its own.

    The file's other functions are unchanged and the original file compiled, so the function is the whole
    question; a function that cannot stand alone (``nonlocal`` to an outer scope) falls back to the file.
    """

    def __init__(self, parsed: ParsedFile):
        self.parsed = parsed
        self._alone: dict[int, bool] = {}

    def error(self, mutated: bytes, function: Function, delta: int) -> str | None:
        if self._stands_alone(function):
            return python_compile_error(_unit(mutated, function, delta), self.parsed.path)
        return python_compile_error(mutated, self.parsed.path)

    def _stands_alone(self, function: Function) -> bool:
        if function.span.start not in self._alone:
            starts_line = len(function.span.indent) == function.span.column
            unit = _unit(self.parsed.source, function, 0)
            self._alone[function.span.start] = starts_line and python_compile_error(unit, self.parsed.path) is None
        return self._alone[function.span.start]


def _unit(source: bytes, function: Function, delta: int) -> bytes:
    """The function's source, nested under ``if 1:`` so that its original indentation stays valid."""
    text = source[function.span.start:function.span.end + delta]
    return b"if 1:\n" + function.span.indent.encode("utf-8") + text if function.span.indent else text


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
