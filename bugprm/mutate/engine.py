"""Turn a parsed file into validated mutants: every applicable operator on every site, filtered."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from bugprm.mutate.diffs import edit_diff
from bugprm.mutate.filters import Drop, MutantFilter
from bugprm.mutate.operator import MutationContext, Operator, Replacement
from bugprm.mutate.registry import OPERATORS, operators_for
from bugprm.parsing import Function, ParsedFile, Site


@dataclass(frozen=True)
class Mutant:
    """One validated change to one file; the mutated source itself is kept only as its diff."""

    path: str
    function: Function
    site: Site
    operator: Operator
    edit: Replacement
    original: str
    line: int
    diff: str


def mutate_file(
    parsed: ParsedFile, operators: tuple[Operator, ...] = OPERATORS, drops: Counter | None = None,
) -> Iterator[Mutant]:
    """Mutants in site order, then operator order; ``drops`` counts why the others were left out."""
    drops = Counter() if drops is None else drops
    checks = MutantFilter(parsed)
    for site in parsed.sites:
        function = parsed.owner(site)
        if function is None:
            drops[Drop.OUTSIDE_FUNCTION] += 1
            continue
        for operator in operators_for(site, parsed.language, operators):
            for edit in operator.mutations(site, _context(parsed, site, operator, function)):
                mutant, drop = _checked(parsed, checks, function, site, operator, edit)
                if drop is None:
                    yield mutant
                else:
                    drops[drop] += 1


def _context(parsed: ParsedFile, site: Site, operator: Operator, function: Function) -> MutationContext:
    # the place inside the function, not in the file: an edit elsewhere must not change which mutation is drawn
    # (the candidate's id, and so its verdict, would go with it)
    place = site.node.start - function.span.start
    seed = f"{parsed.path}:{function.qualified_name}:{place}:{site.kind}:{operator.name}"
    return MutationContext(parsed.language, function, random.Random(seed))


def _checked(
    parsed: ParsedFile, checks: MutantFilter, function: Function, site: Site, operator: Operator, edit: Replacement,
) -> tuple[Mutant | None, Drop | None]:
    drop = checks.region_drop(edit)
    if drop is not None:
        return None, drop
    source, replacement = parsed.source, edit.text.encode("utf-8")
    drop = checks.source_drop(edit, function)
    if drop is not None:
        return None, drop
    diff = edit_diff(parsed.path, source, edit.start, edit.end, replacement, parsed.lines)
    original = source[edit.start:edit.end].decode("utf-8")
    line = parsed.lines.line_of(edit.start)
    return Mutant(parsed.path, function, site, operator, edit, original, line, diff), None
