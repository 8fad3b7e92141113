"""The operator contract: a name, a family, what it does, the languages and site kinds it needs, its examples.

An operator never sees tree-sitter: it reads language-neutral sites and yields byte-span replacements.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar, Iterator

from bugprm.parsing import Function, Language, Site, SiteKind
from bugprm.records import StrEnum


class Family(StrEnum):
    COMPARISON = "comparison"
    BOUNDARY = "boundary"
    ARITHMETIC = "arithmetic"
    BOOLEAN = "boolean"
    CONDITION = "condition"
    CONSTANT = "constant"
    RETURN = "return"
    STATEMENT = "statement"
    CONTROL_FLOW = "control_flow"
    ARGUMENT = "argument"
    VARIABLE = "variable"
    EXCEPTION = "exception"
    DECORATOR = "decorator"
    LOOP = "loop"


ALL_LANGUAGES = frozenset(Language)
C_FAMILY = frozenset({Language.JAVASCRIPT, Language.TYPESCRIPT, Language.TSX, Language.JAVA, Language.GO})
JS_FAMILY = frozenset({Language.JAVASCRIPT, Language.TYPESCRIPT, Language.TSX})
PYTHON = frozenset({Language.PYTHON})


@dataclass(frozen=True)
class Example:
    """Source before, and one source the operator must be able to produce from it."""

    language: Language
    before: str
    after: str


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class MutationContext:
    """What an operator may know beyond its site; ``rng`` is private to this site and operator, seeded by content."""

    language: Language
    function: Function
    rng: random.Random


class Operator:
    name: ClassVar[str]
    family: ClassVar[Family]
    description: ClassVar[str]
    languages: ClassVar[frozenset[Language]] = ALL_LANGUAGES
    needs: ClassVar[frozenset[SiteKind]]
    EXAMPLES: ClassVar[tuple[Example, ...]] = ()

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        raise NotImplementedError

    def examples(self) -> tuple[Example, ...]:
        return self.EXAMPLES

    def applies_to(self, site: Site, language: Language) -> bool:
        return site.kind in self.needs and language in self.languages


class TokenSwap(Operator):
    """Replace one token (a site's part, or the whole node) by its counterpart in ``swaps``."""

    part: ClassVar[str | None] = None
    swaps: ClassVar[dict[str, str | tuple[str, ...]]]

    def mutations(self, site: Site, context: MutationContext) -> Iterator[Replacement]:
        token = site.part(self.part) if self.part else site.node
        if token is None:
            return
        found = self.swaps.get(_normalised(token.text), ())
        for text in (found,) if isinstance(found, str) else found:
            yield Replacement(token.start, token.end, text)


def _normalised(token: str) -> str:
    """``is  not`` and ``not\\nin`` are single tokens in tree-sitter; compare them by their words."""
    return " ".join(token.split())
