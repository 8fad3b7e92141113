"""Arithmetic, bitwise and augmented-assignment operator swaps."""

from __future__ import annotations

from bugprm.mutate.operator import Example, Family, TokenSwap
from bugprm.parsing import Language, SiteKind

_PY, _JS, _JAVA, _GO = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA, Language.GO


class ArithmeticSwap(TokenSwap):
    name = "arithmetic_swap"
    family = Family.ARITHMETIC
    description = "Swap an arithmetic operator: + with -, * with /."
    needs = frozenset({SiteKind.ARITHMETIC})
    part = "operator"
    swaps = {"+": "-", "-": "+", "*": "/", "/": "*", "//": "/", "%": "//", "**": "*"}
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a + b\n", "def f(a, b):\n    return a - b\n"),
        Example(_PY, "def f(a, b):\n    return a // b\n", "def f(a, b):\n    return a / b\n"),
        Example(_JAVA, "class A { int f(int a) { return a * 2; } }\n", "class A { int f(int a) { return a / 2; } }\n"),
        Example(_GO, "package p\nfunc f(a int) int { return a - 1 }\n",
                "package p\nfunc f(a int) int { return a + 1 }\n"),
    )


class BitwiseSwap(TokenSwap):
    name = "bitwise_swap"
    family = Family.ARITHMETIC
    description = "Swap a bitwise operator: & with |, << with >>."
    needs = frozenset({SiteKind.ARITHMETIC})
    part = "operator"
    swaps = {"&": "|", "|": "&", "^": "&", "<<": ">>", ">>": "<<"}
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a & b\n", "def f(a, b):\n    return a | b\n"),
        Example(_JS, "function f(a) { return a << 2; }\n", "function f(a) { return a >> 2; }\n"),
    )


class AugmentedAssignSwap(TokenSwap):
    name = "augmented_assign_swap"
    family = Family.ARITHMETIC
    description = "Swap an augmented assignment: += with -=, *= with /=."
    needs = frozenset({SiteKind.AUGMENTED})
    part = "operator"
    swaps = {
        "+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "//=": "/=", "%=": "//=",
        "|=": "&=", "&=": "|=", "<<=": ">>=", ">>=": "<<=",
    }
    EXAMPLES = (
        Example(_PY, "def f(a):\n    a += 1\n    return a\n", "def f(a):\n    a -= 1\n    return a\n"),
        Example(_JS, "function f(a) { a *= 2; return a; }\n", "function f(a) { a /= 2; return a; }\n"),
        Example(_GO, "package p\nfunc f(a int) int { a += 1; return a }\n",
                "package p\nfunc f(a int) int { a -= 1; return a }\n"),
    )
