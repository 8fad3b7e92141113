"""Which tests a candidate needs: those covering its changed statements, fastest first, then the other tests that
run its enclosing function (a function caching its work, like isodate's regex builder, is covered line by line only
by the first test that filled the cache, while every later test depends on it), with a timeout for them all.

Lines that run at import or collection time (module level, class bodies, decorators, default arguments) are
covered in coverage's empty context; they belong to every test that imports the module, so such a candidate runs
the whole (non-broken) suite. Never ``no_coverage`` for them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from bugprm.parsing.functions import Nesting
from bugprm.parsing.lines import LineTable
from bugprm.records import Edit

MODULE_LEVEL = ""


@dataclass(frozen=True)
class TestPlan:
    __test__ = False  # not a pytest test class

    tests: tuple[str, ...]
    whole_suite: bool
    timeout: float
    natural_order: bool = False


def changed_lines(source: bytes, edits: tuple[Edit, ...]) -> set[int]:
    """Lines of every statement an edit touches (a statement header only, for compound statements)."""
    statements, table = _statement_ranges(source), _line_table(source)
    lines: set[int] = set()
    for edit in edits:
        first = table.line_of(edit.start_byte)
        last = table.line_of(max(edit.end_byte - 1, edit.start_byte))
        lines.update(_innermost(statements, first, last) or range(first, last + 1))
    return lines


def covering_tests(coverage: dict, file: str, lines: set[int]) -> tuple[set[str], bool]:
    """Tests covering any of the lines, and whether any line runs at import time."""
    tests: set[str] = set()
    for line in lines:
        tests.update(coverage.get((file, line), ()))
    return tests - {MODULE_LEVEL}, MODULE_LEVEL in tests


def function_lines(source: bytes, edits: tuple[Edit, ...]) -> set[int]:
    """Body lines of the innermost function around each edit (none for an edit outside any function)."""
    functions, table = _function_ranges(source), _line_table(source)
    lines: set[int] = set()
    for edit in edits:
        line = table.line_of(edit.start_byte)
        lines.update(_innermost(functions, line, line) or ())
    return lines


def plan_tests(tests: set[str], module_level: bool, durations: dict[str, float], overhead: float,
               multiplier: float, constant: float, then: set[str] = frozenset()) -> TestPlan | None:
    """None when nothing covers the change; otherwise the tests to run (``tests`` fastest first, then the rest of
    ``then``) and the wall timeout for them."""
    first = set(durations) if module_level else tests & set(durations)
    if not first:
        return None
    by_speed = lambda chosen: sorted(chosen, key=lambda t: (durations[t], t))  # noqa: E731
    ordered = tuple(by_speed(first) + by_speed((then & set(durations)) - first))
    expected = sum(durations[t] for t in ordered) + overhead
    return TestPlan(ordered, module_level, multiplier * expected + constant)


def natural_order_plan(durations: dict[str, float], overhead: float, multiplier: float, constant: float) -> TestPlan:
    """Every passing test in pytest's own order: how the suite runs at baseline, for verdicts selection could skew."""
    plan = plan_tests(set(), True, durations, overhead, multiplier, constant)
    return TestPlan(plan.tests, True, plan.timeout, natural_order=True)


Ranges = tuple[Nesting, dict[tuple[int, int], range]]  # (first line, last line) nested, and the lines of each


def _innermost(ranges: Ranges, first: int, last: int) -> range | None:
    nesting, lines = ranges
    around = nesting.around(first, last)
    return lines[nesting.ranges[around[0]]] if around else None


def _ranges(spans) -> Ranges:
    """Each (first, last, lines) once per (first, last): statements sharing their lines stand for the same lines."""
    lines: dict[tuple[int, int], range] = {}
    for first, last, stands_for in spans:
        lines.setdefault((first, last), stands_for)
    return Nesting(lines), lines


@lru_cache(maxsize=64)
def _line_table(source: bytes) -> LineTable:
    return LineTable(source)


@lru_cache(maxsize=64)
def _statement_ranges(source: bytes) -> Ranges:
    """(first line, last line) -> lines that stand for it, of every statement; decorators belong to their def."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _ranges(())
    return _ranges(_statement_range(node) for node in ast.walk(tree) if isinstance(node, ast.stmt))


@lru_cache(maxsize=64)
def _function_ranges(source: bytes) -> Ranges:
    """(first line, last line) -> body lines of every function; the body excludes the import-time header."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return _ranges(())
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return _ranges((f.lineno, f.end_lineno, range(f.body[0].lineno, f.end_lineno + 1)) for f in functions)


def _statement_range(node: ast.stmt) -> tuple[int, int, range]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    body = getattr(node, "body", None)
    header_end = body[0].lineno - 1 if body and body[0].lineno > node.lineno else node.end_lineno
    return first, node.end_lineno, range(first, max(header_end, node.lineno) + 1)
