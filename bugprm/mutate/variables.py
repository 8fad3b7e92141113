"""Variables: read another in-scope variable of the same kind."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import JS_FAMILY, PYTHON, Example, Family, MutationContext, Operator, Replacement
from bugprm.parsing import Function, Language, Site, SiteKind

_PY, _JS = Language.PYTHON, Language.JAVASCRIPT

# Receivers are parameters in name only: swapping ``self`` for another argument is never a plausible bug.
RECEIVERS = frozenset({"self", "cls"})


class VariableReplace(Operator):
    """The RNG picks one alternative, so a function with many locals yields one mutant per read, not a product."""

    name = "variable_replace"
    family = Family.VARIABLE
    description = "Read another in-scope variable of the same kind (parameter for parameter, local for local)."
    languages = PYTHON | JS_FAMILY
    needs = frozenset({SiteKind.VARIABLE})
    EXAMPLES = (
        Example(_PY, "def f(a, b):\n    return a * 2\n", "def f(a, b):\n    return b * 2\n"),
        Example(_PY, "def f(xs):\n    total = 0\n    count = len(xs)\n    return g(total)\n",
                "def f(xs):\n    total = 0\n    count = len(xs)\n    return g(count)\n"),
        Example(_JS, "function f(a, b) { return g(a); }\n", "function f(a, b) { return g(b); }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        alternatives = same_kind_names(context.function, site.node.text, site.node.start)
        if alternatives:
            yield Replacement(site.node.start, site.node.end, context.rng.choice(alternatives))


def same_kind_names(function: Function, name: str, at: int) -> list[str]:
    """Other parameters for a parameter; other locals already assigned before ``at`` for a local."""
    parameters = [p for p in function.parameters if p not in RECEIVERS]
    if name in parameters:
        return [p for p in parameters if p != name]
    assigned = [n for n, first in function.locals if first < at and n not in function.parameters]
    return [n for n in assigned if n != name] if name in assigned else []
