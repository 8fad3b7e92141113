"""Return values: return nothing useful, or the opposite truth value."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement
from bugprm.mutate.syntax import SPELLINGS, negated
from bugprm.parsing import Language, Site, SiteKind

_PY, _JS, _JAVA, _GO = Language.PYTHON, Language.JAVASCRIPT, Language.JAVA, Language.GO


class ReturnNone(Operator):
    name = "return_none"
    family = Family.RETURN
    description = "Return None (null) instead of the computed value."
    languages = frozenset(language for language, spelling in SPELLINGS.items() if spelling.null)
    needs = frozenset({SiteKind.RETURN})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    return a + 1\n", "def f(a):\n    return None\n"),
        Example(_JS, "function f(a) { return a.x; }\n", "function f(a) { return null; }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        value, null = site.part("value"), SPELLINGS[context.language].null
        if value is not None and value.text != null:
            yield Replacement(value.start, value.end, null)


class ReturnNegate(Operator):
    name = "return_negate"
    family = Family.RETURN
    description = "Return the negation of a boolean result."
    needs = frozenset({SiteKind.BOOLEAN_RETURN})
    EXAMPLES = (
        Example(_PY, "def f(a):\n    return a > 0\n", "def f(a):\n    return not (a > 0)\n"),
        Example(_GO, "package p\nfunc f(a int) bool { return a > 0 }\n",
                "package p\nfunc f(a int) bool { return !(a > 0) }\n"),
        Example(_JAVA, "class A { boolean f(Object o) { return o instanceof String; } }\n",
                "class A { boolean f(Object o) { return !(o instanceof String); } }\n"),
    )

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        value = site.part("value")
        if value is not None:
            yield Replacement(value.start, value.end, negated(context.language, value))
