"""Count the assertions a test makes, read from its source.

An assertion is an ``assert`` statement, a call named ``assert*`` (``self.assertEqual``, hamcrest's ``assert_that``,
``mock.assert_called_once_with``), ``pytest.raises``/``warns``, or a call to a helper of the test's module or class
whose own source asserts (pyflakes' ``self.flakes(...)``, asteval's ``istrue(...)``): suites that check through
helpers counted 0 before, and their covered mutants looked unchecked to every model reading the count.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

CHECKING_CALLS = frozenset({"raises", "warns", "deprecated_call"})
HELPER_DEPTH = 2  # a helper that calls a helper that asserts still counts; deeper chains are not followed
ASSERTION_COUNTER = 2  # recorded in verdict files: 1 counted only `assert` and `self.assert*` in the test itself


def count_assertions(function, owner: type | None = None) -> int:
    """Assertions in a test function's own source (``owner``: its class, where ``self.helper`` is looked up);
    0 when the source cannot be read (doctests, builtins)."""
    tree = _tree(function)
    if tree is None:
        return 0
    return sum(1 for node in ast.walk(tree) if _is_assertion(node, function, owner, HELPER_DEPTH))


def _is_assertion(node: ast.AST, function, owner: type | None, depth: int) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if not isinstance(node, ast.Call):
        return False
    name = _called_name(node.func)
    if name is None:
        return False
    if name.startswith("assert") or name in CHECKING_CALLS:
        return True
    helper = _helper(node.func, function, owner) if depth > 0 else None
    return helper is not None and _asserts(helper, owner, depth - 1)


def _asserts(helper, owner: type | None, depth: int) -> bool:
    tree = _tree(helper)
    return tree is not None and any(_is_assertion(node, helper, owner, depth) for node in ast.walk(tree))


def _helper(callee: ast.expr, function, owner: type | None):
    """The Python function a call in ``function`` reaches: a name of its module, or ``self.name`` of its class."""
    if isinstance(callee, ast.Name):
        found = getattr(function, "__globals__", {}).get(callee.id)
    elif isinstance(callee, ast.Attribute) and isinstance(callee.value, ast.Name) and callee.value.id == "self":
        found = getattr(owner, callee.attr, None) if owner is not None else None
    else:
        return None
    found = getattr(found, "__func__", found)
    return found if inspect.isfunction(found) and found is not function else None


def _called_name(callee: ast.expr) -> str | None:
    if isinstance(callee, ast.Name):
        return callee.id
    return callee.attr if isinstance(callee, ast.Attribute) else None


def _tree(function) -> ast.AST | None:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return None
    # a method holding a multi-line string whose lines start at column 0 cannot be dedented: parse it as a block
    for text in (textwrap.dedent(source), "if True:\n" + source):
        try:
            return ast.parse(text)
        except SyntaxError:
            continue
    return None
