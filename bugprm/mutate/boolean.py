"""Boolean connectives and conditions: swap and/or, drop an operand, negate or drop a condition."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement, TokenSwap
from bugprm.mutate.syntax import SPELLINGS, negated
from bugprm.parsing import Language, Site, SiteKind

_PY, _JS, _JAVA, _GO = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA, Language.GO


class BooleanSwap(TokenSwap):
    name = "boolean_swap"
    family = Family.BOOLEAN
    description = "Swap and with or (&& with ||)."
    needs = frozenset({SiteKind.BOOLEAN})
    part = "operator"
    swaps = {"and": "or", "or": "and", "&&": "||", "||": "&&"}
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a and b\n", "def f(a, b):\n    return a or b\n"),
        Example(_JAVA, "class A { boolean f(boolean a, boolean b) { return a || b; } }\n",
                "class A { boolean f(boolean a, boolean b) { return a && b; } }\n"),
    )


class BooleanOperandDrop(Operator):
    name = "boolean_operand_drop"
    family = Family.BOOLEAN
    description = "Keep one side of an and/or, dropping the other condition."
    needs = frozenset({SiteKind.BOOLEAN})
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    if a and b:\n        return 1\n",
                "def f(a, b):\n    if a:\n        return 1\n"),
        Example(_JS, "function f(a, b) { return a || b; }\n", "function f(a, b) { return b; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        for side in ("left", "right"):
            kept = site.part(side)
            if kept is not None:
                yield Replacement(site.node.start, site.node.end, kept.text)


class ConditionNegate(Operator):
    name = "condition_negate"
    family = Family.CONDITION
    description = "Negate the condition of an if, elif or conditional expression."
    needs = frozenset({SiteKind.CONDITION})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    if a:\n        return 1\n", "def f(a):\n    if not a:\n        return 1\n"),
        Example(_PY, "def f(a, b):\n    if a > b:\n        return 1\n",
                "def f(a, b):\n    if not (a > b):\n        return 1\n"),
        Example(_JS, "function f(a) { if (a.ok) { g(); } }\n", "function f(a) { if (!a.ok) { g(); } }\n"),
        Example(_GO, "package p\nfunc f(a bool) { if a { g() } }\n", "package p\nfunc f(a bool) { if !a { g() } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        yield Replacement(site.node.start, site.node.end, negated(context.language, site.node))


class ConditionDrop(Operator):
    name = "condition_drop"
    family = Family.CONDITION
    description = "Drop the condition of an if: its branch always runs."
    needs = frozenset({SiteKind.CONDITION})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    if a < 0:\n        a = 0\n    return a\n",
                "def f(a):\n    if True:\n        a = 0\n    return a\n"),
        Example(_JAVA, "class A { int f(int a) { if (a < 0) { a = 0; } return a; } }\n",
                "class A { int f(int a) { if (true) { a = 0; } return a; } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        true = SPELLINGS[context.language].true
        if site.node.text != true:
            yield Replacement(site.node.start, site.node.end, true)


class NegationRemove(Operator):
    name = "negation_remove"
    family = Family.CONDITION
    description = "Remove a logical not: not x becomes x, !x becomes x."
    needs = frozenset({SiteKind.NOT})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    return not a\n", "def f(a):\n    return a\n"),
        Example(_JS, "function f(a) { if (!a) { g(); } }\n", "function f(a) { if (a) { g(); } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        operand = site.part("operand")
        if operand is not None:
            yield Replacement(site.node.start, site.node.end, operand.text)
