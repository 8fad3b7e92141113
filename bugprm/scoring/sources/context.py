"""What the locate and analyze steps say about a place in a file: its enclosing function, a source window, facts.

Functions come from ``bugprm.parsing`` and the window is the generator's (the function's first lines), so a
patch reads like the candidate bugs the model was trained on. A file in a language bugprm does not parse (or
with a syntax error) still gets a window of the lines around the change, with the module as its function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from bugprm.mutate.candidates import window as function_window
from bugprm.parsing import Function, Language, ParsedFile, UnparsableSource, language_for_path, parse_file
from bugprm.trajectory import WINDOW_LINES

MODULE = "<module>"


@dataclass(frozen=True)
class CodeContext:
    function: str
    signature: str
    window: str
    facts: dict = field(default_factory=dict)
    lines: range = range(0)  # the function's lines in the file (none for a module-level change)


def code_context(path: str, source: str, first_line: int, last_line: int) -> CodeContext:
    """The innermost function around ``first_line``, its window and facts; else the lines around the change."""
    function, callers = _enclosing_function(path, source, first_line)
    if function is None:
        return CodeContext(MODULE, "", _lines_around(source.splitlines(), first_line, last_line))
    return CodeContext(function.qualified_name, function.signature, function_window(function),
                       function.facts(callers), range(function.span.line, function.span.line + function.lines))


def language_name(path: str) -> str:
    language = language_for_path(path)
    return str(language) if language is not None else "text"


def _enclosing_function(path: str, source: str, line: int) -> tuple[Function | None, int]:
    language = language_for_path(path)
    if language is None:
        return None, 0
    data = source.encode("utf-8")
    try:
        parsed = _parsed(path, data, language)
    except UnparsableSource:
        return None, 0
    function = parsed.index.owner(_first_code_byte(data, line))
    callers = parsed.call_names.count(function.name) if function else 0
    return function, callers


@lru_cache(maxsize=8)
def _parsed(path: str, data: bytes, language: Language) -> ParsedFile:
    """One parse per file's bytes: ``bugprm repair`` asks for the context of every suspicious line of one file."""
    return parse_file(path, data, language)


def _first_code_byte(data: bytes, line: int) -> int:
    """The byte offset of the first non-blank character of a 1-based line."""
    offset = 0
    for _ in range(line - 1):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return len(data)
    while offset < len(data) and data[offset:offset + 1] in (b" ", b"\t"):
        offset += 1
    return offset


def _lines_around(lines: list[str], first: int, last: int) -> str:
    """At most ``WINDOW_LINES`` lines centred on the change."""
    margin = max(0, (WINDOW_LINES - (last - first + 1)) // 2)
    return "\n".join(lines[max(0, first - 1 - margin):min(len(lines), last + margin)])
