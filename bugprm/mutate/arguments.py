"""Call arguments: swap two neighbouring positional arguments."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement
from bugprm.parsing import Language, Site, SiteKind

_PY, _JS, _JAVA, _GO = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA, Language.GO


class ArgumentSwap(Operator):
    name = "argument_swap"
    family = Family.ARGUMENT
    description = "Swap two neighbouring positional arguments of a call."
    needs = frozenset({SiteKind.ARGUMENTS})
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return g(a, b, k=1)\n", "def f(a, b):\n    return g(b, a, k=1)\n"),
        Example(_JAVA, "class A { int f(int a) { return g(a, 1); } }\n",
                "class A { int f(int a) { return g(1, a); } }\n"),
        Example(_GO, "package p\nfunc f(a, b int) int { return g(a, b) }\n",
                "package p\nfunc f(a, b int) int { return g(b, a) }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        first, second = site.part("first"), site.part("second")
        if first is None or second is None or first.text == second.text:
            return
        between = site.node.slice(first.end, second.start)
        yield Replacement(first.start, second.end, second.text + between + first.text)
