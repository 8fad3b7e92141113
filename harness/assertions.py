"""Count the assertions a test makes: ``assert`` statements plus ``self.assert*`` calls, read from its source."""

from __future__ import annotations

import ast
import inspect
import textwrap


def count_assertions(function) -> int:
    """Assertions in a test function's own source; 0 when the source cannot be read (doctests, builtins)."""
    try:
        source = textwrap.dedent(inspect.getsource(function))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return 0
    return sum(1 for node in ast.walk(tree) if _is_assertion(node))


def _is_assertion(node: ast.AST) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        owner = node.func.value
        return isinstance(owner, ast.Name) and owner.id == "self" and node.func.attr.startswith("assert")
    return False
