"""Statements: remove a call made for its effect, swap break with continue, drop a decorator."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement, TokenSwap
from bugprm.mutate.syntax import SPELLINGS
from bugprm.parsing import Language, Site, SiteKind

_PY, _JS, _JAVA, _GO, _TS = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA, Language.GO, Language.TYPESCRIPT


class CallStatementRemove(Operator):
    name = "call_statement_remove"
    family = Family.STATEMENT
    description = "Remove a call made as a statement (its effect never happens)."
    needs = frozenset({SiteKind.CALL_STATEMENT})
    EXAMPLES = (
        Example(_PY, "def f(xs):\n    xs.sort()\n    return xs\n", "def f(xs):\n    pass\n    return xs\n"),
        Example(_JS, "function f(xs) { xs.sort(); return xs; }\n", "function f(xs) { ; return xs; }\n"),
        Example(_GO, "package p\nfunc f(xs []int) { g(xs) }\n", "package p\nfunc f(xs []int) {  }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        yield Replacement(site.node.start, site.node.end, SPELLINGS[context.language].removed_statement)


class BreakContinueSwap(TokenSwap):
    name = "break_continue_swap"
    family = Family.CONTROL_FLOW
    description = "Swap break with continue."
    needs = frozenset({SiteKind.JUMP})
    swaps = {"break": "continue", "continue": "break", "break;": "continue;", "continue;": "break;"}
    EXAMPLES = (
        Example(_PY, "def f(xs):\n    for x in xs:\n        if x:\n            break\n",
                "def f(xs):\n    for x in xs:\n        if x:\n            continue\n"),
        Example(_JAVA, "class A { void f(int[] xs) { for (int x : xs) { continue; } } }\n",
                "class A { void f(int[] xs) { for (int x : xs) { break; } } }\n"),
    )


class DecoratorRemove(Operator):
    name = "decorator_remove"
    family = Family.DECORATOR
    description = "Remove a decorator (annotation) from a function or method."
    languages = frozenset({_PY, _JS, _TS, Language.TSX, _JAVA})
    needs = frozenset({SiteKind.DECORATOR})
    EXAMPLES = (
        Example(_PY, "class A:\n    @staticmethod\n    def f(a):\n        return a\n",
                "class A:\n    def f(a):\n        return a\n"),
        Example(_TS, "class A {\n  @memo\n  f(a: number) { return a; }\n}\n",
                "class A {\n  f(a: number) { return a; }\n}\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        following = site.part("next")
        yield Replacement(site.node.start, following.start if following else site.node.end, "")
