"""Literal constants: numbers shifted by one or zeroed, strings emptied, booleans flipped."""

from __future__ import annotations

import re
from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement, TokenSwap
from bugprm.parsing import Language, Site, SiteKind, Span

_PY, _JS, _JAVA, _GO = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA, Language.GO

# A decimal literal with an optional type suffix (Java's 10L, 1.5f; JavaScript's 10n).
_DECIMAL = re.compile(r"^(?P<digits>\d[\d_]*(?:\.\d[\d_]*)?)(?P<suffix>[lLfFdDn]?)$")


class NumberShift(Operator):
    name = "number_shift"
    family = Family.CONSTANT
    description = "Add one to or subtract one from a number literal (never below zero)."
    needs = frozenset({SiteKind.NUMBER})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    return a * 10\n", "def f(a):\n    return a * 11\n"),
        Example(_PY, "def f(a):\n    return a * 10\n", "def f(a):\n    return a * 9\n"),
        Example(_JAVA, "class A { long f() { return 10L; } }\n", "class A { long f() { return 11L; } }\n"),
        Example(_GO, "package p\nfunc f() float64 { return 1.5 }\n", "package p\nfunc f() float64 { return 0.5 }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        for delta in (1, -1):
            text = _number_plus(site.node, delta)
            if text is not None:
                yield Replacement(site.node.start, site.node.end, text)


class NumberZero(Operator):
    name = "number_zero"
    family = Family.CONSTANT
    description = "Replace a non-zero number literal by zero."
    needs = frozenset({SiteKind.NUMBER})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    return a[2]\n", "def f(a):\n    return a[0]\n"),
        Example(_JS, "function f(a) { return a + 5; }\n", "function f(a) { return a + 0; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        value = _parsed_number(site.node.text)
        if value is not None and value[0] != 0:
            yield Replacement(site.node.start, site.node.end, "0" + value[1])


class StringEmpty(Operator):
    name = "string_empty"
    family = Family.CONSTANT
    description = "Replace a non-empty string literal by the empty string, keeping prefix and quotes."
    needs = frozenset({SiteKind.STRING})
    EXAMPLES = (
        Example(_PY, "def f():\n    return 'abc'\n", "def f():\n    return ''\n"),
        Example(_PY, "def f(a):\n    return f\"x{a}\"\n", "def f(a):\n    return f\"\"\n"),
        Example(_GO, "package p\nfunc f() string { return \"abc\" }\n", "package p\nfunc f() string { return \"\" }\n"),
        Example(_JS, "function f() { return 'abc'; }\n", "function f() { return ''; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        opening, closing = _delimiters(site)
        if len(opening) + len(closing) < len(site.node.text):
            yield Replacement(site.node.start, site.node.end, opening + closing)


class BoolLiteralSwap(TokenSwap):
    name = "bool_literal_swap"
    family = Family.CONSTANT
    description = "Swap True with False."
    needs = frozenset({SiteKind.BOOL_LITERAL})
    swaps = {"True": "False", "False": "True", "true": "false", "false": "true"}
    EXAMPLES = (
        Example(_PY, "def f():\n    return True\n", "def f():\n    return False\n"),
        Example(_JAVA, "class A { boolean f() { return false; } }\n", "class A { boolean f() { return true; } }\n"),
    )


def _number_plus(node: Span, delta: int) -> str | None:
    parsed = _parsed_number(node.text)
    if parsed is None or parsed[0] + delta < 0:
        return None
    value, suffix = parsed
    return f"{value + delta!r}{suffix}"


def _parsed_number(text: str) -> tuple[int | float, str] | None:
    """The value and type suffix of a plain decimal or Python integer literal; None for anything else."""
    match = _DECIMAL.match(text)
    if match is None:
        return _python_integer(text)
    digits = match["digits"].replace("_", "")
    return (float(digits) if "." in digits else int(digits)), match["suffix"]


def _python_integer(text: str) -> tuple[int, str] | None:
    try:
        return int(text, 0), ""
    except ValueError:
        return None


def _delimiters(site: Site) -> tuple[str, str]:
    opening, closing = site.part("open"), site.part("close")
    if opening is not None and closing is not None:
        return opening.text, closing.text
    text = site.node.text
    return text[:1], text[-1:]
