"""Loops that never run: iterate over an empty list, or a while whose condition is false."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement
from bugprm.mutate.syntax import SPELLINGS
from bugprm.parsing import Language, Site, SiteKind

_PY, _JS, _TS = Language.PYTHON, Language.JAVASCRIPT, Language.TYPESCRIPT


class ForZeroIteration(Operator):
    name = "for_zero_iteration"
    family = Family.LOOP
    description = "Make a for loop iterate over an empty list, so its body never runs."
    languages = frozenset(language for language, spelling in SPELLINGS.items() if spelling.empty_iterable)
    needs = frozenset({SiteKind.FOR_LOOP})
    EXAMPLES = (
        Example(_PY, "def f(xs):\n    for x in xs:\n        g(x)\n", "def f(xs):\n    for x in []:\n        g(x)\n"),
        Example(_JS, "function f(xs) { for (const x of xs) { g(x); } }\n",
                "function f(xs) { for (const x of []) { g(x); } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        iterable, empty = site.part("iterable"), SPELLINGS[context.language].empty_iterable
        if iterable is not None and iterable.text != empty:
            yield Replacement(iterable.start, iterable.end, empty)


class WhileFalse(Operator):
    name = "while_false"
    family = Family.LOOP
    description = "Make a while loop's condition false, so its body never runs."
    languages = frozenset({_PY, _JS, _TS, Language.TSX, Language.GO})
    needs = frozenset({SiteKind.WHILE_LOOP})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    while a > 0:\n        a -= 1\n", "def f(a):\n    while False:\n        a -= 1\n"),
        Example(Language.GO, "package p\nfunc f(a int) { for a > 0 { a-- } }\n",
                "package p\nfunc f(a int) { for false { a-- } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        condition, false = site.part("condition"), SPELLINGS[context.language].false
        if condition is not None and condition.text != false:
            yield Replacement(condition.start, condition.end, false)
