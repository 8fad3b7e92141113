"""Off-by-one errors in range() stops and slice bounds."""

from __future__ import annotations

from typing import Iterator

from bugprm.mutate.operator import Example, Family, MutationContext, Operator, Replacement
from bugprm.mutate.syntax import shifted
from bugprm.parsing import Language, Site, SiteKind

_PY, _GO = Language.PYTHON, Language.GO


class _ShiftPart(Operator):
    """Add and subtract one from the named part of the site."""

    part: str

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        bound = site.part(self.part)
        if bound is None:
            return
        for delta in (1, -1):
            yield Replacement(bound.start, bound.end, shifted(bound, delta))


class RangeOffByOne(_ShiftPart):
    name = "range_off_by_one"
    family = Family.BOUNDARY
    description = "Move the stop of range() by one."
    languages = frozenset({_PY})
    needs = frozenset({SiteKind.RANGE})
    part = "stop"
    EXAMPLES = (
        Example(_PY, "def f(n):\n    return list(range(n))\n", "def f(n):\n    return list(range(n + 1))\n"),
        Example(_PY, "def f(xs):\n    return list(range(1, len(xs)))\n",
                "def f(xs):\n    return list(range(1, len(xs) - 1))\n"),
    )


class SliceOffByOne(_ShiftPart):
    name = "slice_off_by_one"
    family = Family.BOUNDARY
    description = "Move a slice bound by one."
    languages = frozenset({_PY, _GO})
    needs = frozenset({SiteKind.SLICE})
    part = "bound"
    EXAMPLES = (
        Example(_PY, "def f(xs, n):\n    return xs[:n]\n", "def f(xs, n):\n    return xs[:n - 1]\n"),
        Example(_PY, "def f(xs, i):\n    return xs[i + 1:]\n", "def f(xs, i):\n    return xs[(i + 1) + 1:]\n"),
        Example(_GO, "package p\nfunc f(xs []int, n int) []int { return xs[:n] }\n",
                "package p\nfunc f(xs []int, n int) []int { return xs[:n + 1] }\n"),
    )
