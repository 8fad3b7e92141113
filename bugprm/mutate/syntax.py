"""How each language spells the few things operators write: literals, negation, an empty statement."""

from __future__ import annotations

from dataclasses import dataclass

from bugprm.parsing import Language, Span


@dataclass(frozen=True)
class Spelling:
    true: str
    false: str
    null: str | None
    negation: str
    removed_statement: str
    empty_handler: str
    empty_iterable: str | None


_C_LIKE = Spelling(
    true="true", false="false", null="null", negation="!", removed_statement=";", empty_handler="{}",
    empty_iterable="[]",
)
SPELLINGS = {
    Language.PYTHON: Spelling(
        true="True", false="False", null="None", negation="not ", removed_statement="pass", empty_handler="pass",
        empty_iterable="[]",
    ),
    Language.JAVASCRIPT: _C_LIKE,
    Language.TYPESCRIPT: _C_LIKE,
    Language.TSX: _C_LIKE,
    Language.JAVA: Spelling(
        true="true", false="false", null="null", negation="!", removed_statement=";", empty_handler="{}",
        empty_iterable=None,
    ),
    Language.GO: Spelling(
        true="true", false="false", null=None, negation="!", removed_statement="", empty_handler="{}",
        empty_iterable=None,
    ),
}


def negated(language: Language, span: Span) -> str:
    prefix = SPELLINGS[language].negation
    return f"{prefix}{span.text}" if span.atomic else f"{prefix}({span.text})"


def shifted(span: Span, delta: int) -> str:
    """``span`` plus or minus ``delta``, parenthesised unless it binds tighter than any operator."""
    operand = span.text if span.atomic else f"({span.text})"
    return f"{operand} {'+' if delta > 0 else '-'} {abs(delta)}"
