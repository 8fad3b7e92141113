"""Comparison operators: negate, flip and shift the boundary of ``<``/``==``, swap ``is`` and ``in``."""

from __future__ import annotations

from bugprm.mutate.operator import PYTHON, Example, Family, TokenSwap
from bugprm.parsing import Language, SiteKind

_PY, _JS, _GO, _JAVA = Language.PYTHON, Language.JAVASCRIPT, Language.GO, Language.JAVA


class ComparisonNegate(TokenSwap):
    name = "comparison_negate"
    family = Family.COMPARISON
    description = "Replace a comparison by its negation: == with !=, < with >=."
    needs = frozenset({SiteKind.COMPARISON})
    part = "operator"
    swaps = {"==": "!=", "!=": "==", "===": "!==", "!==": "===", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a == b\n", "def f(a, b):\n    return a != b\n"),
        Example(_JS, "function f(a, b) { return a === b; }\n", "function f(a, b) { return a !== b; }\n"),
        Example(_GO, "package p\nfunc f(a, b int) bool { return a < b }\n",
                "package p\nfunc f(a, b int) bool { return a >= b }\n"),
    )


class ComparisonFlip(TokenSwap):
    name = "comparison_flip"
    family = Family.COMPARISON
    description = "Turn an ordering comparison around: < with >, <= with >=."
    needs = frozenset({SiteKind.COMPARISON})
    part = "operator"
    swaps = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a < b\n", "def f(a, b):\n    return a > b\n"),
        Example(_JAVA, "class A { boolean f(int a) { return a >= 0; } }\n",
                "class A { boolean f(int a) { return a <= 0; } }\n"),
    )


class ComparisonBoundary(TokenSwap):
    name = "comparison_boundary"
    family = Family.BOUNDARY
    description = "Move a comparison's boundary by one: < with <=, > with >=."
    needs = frozenset({SiteKind.COMPARISON})
    part = "operator"
    swaps = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
    EXAMPLES = (
        Example(_PY, "def f(i, n):\n    return i < n\n", "def f(i, n):\n    return i <= n\n"),
        Example(Language.TYPESCRIPT, "function f(i: number): boolean { return i > 0; }\n",
                "function f(i: number): boolean { return i >= 0; }\n"),
    )


class IdentitySwap(TokenSwap):
    name = "identity_swap"
    family = Family.COMPARISON
    description = "Swap is with is not."
    languages = PYTHON
    needs = frozenset({SiteKind.COMPARISON})
    part = "operator"
    swaps = {"is": "is not", "is not": "is"}
    EXAMPLES = (
        Example(_PY, "def f(a):\n    return a is None\n", "def f(a):\n    return a is not None\n"),
        Example(_PY, "def f(a):\n    return a is not None\n", "def f(a):\n    return a is None\n"),
    )


class MembershipSwap(TokenSwap):
    name = "membership_swap"
    family = Family.COMPARISON
    description = "Swap in with not in."
    languages = PYTHON
    needs = frozenset({SiteKind.COMPARISON})
    part = "operator"
    swaps = {"in": "not in", "not in": "in"}
    EXAMPLES = (
        Example(_PY, "def f(a, xs):\n    return a in xs\n", "def f(a, xs):\n    return a not in xs\n"),
        Example(_PY, "def f(a, xs):\n    return a not in xs\n", "def f(a, xs):\n    return a in xs\n"),
    )
