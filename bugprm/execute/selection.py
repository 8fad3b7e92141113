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
    statements = _statement_ranges(source)
    lines: set[int] = set()
    for edit in edits:
        first = source.count(b"\n", 0, edit.start_byte) + 1
        last = source.count(b"\n", 0, max(edit.end_byte - 1, edit.start_byte)) + 1
        lines.update(_enclosing(statements, first, last) or range(first, last + 1))
    return lines


def covering_tests(coverage: dict, file: str, lines: set[int]) -> tuple[set[str], bool]:
    """Tests covering any of the lines, and whether any line runs at import time."""
    tests: set[str] = set()
    for line in lines:
        tests.update(coverage.get((file, line), ()))
    return tests - {MODULE_LEVEL}, MODULE_LEVEL in tests


def function_lines(source: bytes, edits: tuple[Edit, ...]) -> set[int]:
    """Body lines of the innermost function around each edit (none for an edit outside any function)."""
    functions = _function_ranges(source)
    lines: set[int] = set()
    for edit in edits:
        line = source.count(b"\n", 0, edit.start_byte) + 1
        around = [f for f in functions if f[0] <= line <= f[1]]
        if around:
            lines.update(min(around, key=lambda f: f[1] - f[0])[2])
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


def _enclosing(statements: tuple[tuple[int, int, range], ...], first: int, last: int) -> range | None:
    inside = [s for s in statements if s[0] <= first and last <= s[1]]
    if not inside:
        return None
    return min(inside, key=lambda s: s[1] - s[0])[2]


@lru_cache(maxsize=64)
def _statement_ranges(source: bytes) -> tuple[tuple[int, int, range], ...]:
    """(first line, last line, lines that stand for it) for every statement; decorators belong to their def."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    return tuple(_statement_range(node) for node in ast.walk(tree) if isinstance(node, ast.stmt))


@lru_cache(maxsize=64)
def _function_ranges(source: bytes) -> tuple[tuple[int, int, range], ...]:
    """(first line, last line, body lines) of every function; the body excludes the import-time header."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return tuple((f.lineno, f.end_lineno, range(f.body[0].lineno, f.end_lineno + 1)) for f in functions)


def _statement_range(node: ast.stmt) -> tuple[int, int, range]:
    first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
    body = getattr(node, "body", None)
    header_end = body[0].lineno - 1 if body and body[0].lineno > node.lineno else node.end_lineno
    return first, node.end_lineno, range(first, max(header_end, node.lineno) + 1)
