"""Language-neutral views of tree-sitter nodes: the only shapes that leave the parsing package."""

from __future__ import annotations

from dataclasses import dataclass

from bugprm.records import StrEnum


class SiteKind(StrEnum):
    """What a mutable node is, whatever the language; each is a capture name in ``queries/<lang>.scm``."""

    COMPARISON = "comparison"
    ARITHMETIC = "arithmetic"
    AUGMENTED = "augmented"
    BOOLEAN = "boolean"
    NOT = "not"
    CONDITION = "condition"
    NUMBER = "number"
    STRING = "string"
    BOOL_LITERAL = "bool_literal"
    RETURN = "return"
    BOOLEAN_RETURN = "boolean_return"
    CALL_STATEMENT = "call_statement"
    JUMP = "jump"
    RANGE = "range"
    SLICE = "slice"
    ARGUMENTS = "arguments"
    VARIABLE = "variable"
    HANDLER = "handler"
    DECORATOR = "decorator"
    FOR_LOOP = "for_loop"
    WHILE_LOOP = "while_loop"


@dataclass(frozen=True)
class Span:
    """A node's place and text in a UTF-8 file (byte offsets; 1-based line, 0-based byte column)."""

    start: int
    end: int
    text: str
    node_type: str
    line: int
    column: int
    atomic: bool = False
    indent: str = ""

    def slice(self, start: int, end: int) -> str:
        """The text between two absolute byte offsets inside this span."""
        return self.text.encode("utf-8")[start - self.start:end - self.start].decode("utf-8")

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class Site:
    """One mutable node: its kind, the node, and named parts (the operator token, an operand, ...)."""

    kind: SiteKind
    node: Span
    parts: tuple[tuple[str, Span], ...] = ()

    def part(self, name: str) -> Span | None:
        return next((span for key, span in self.parts if key == name), None)

    @property
    def owner_byte(self) -> int:
        """The byte whose enclosing function owns the site: a decorator belongs to what it decorates."""
        decorated = self.part("next")
        return decorated.start if decorated is not None else self.node.start


@dataclass(frozen=True)
class Function:
    """A function or method with the static facts the analyze step reads."""

    name: str
    qualified_name: str
    span: Span
    signature: str
    complexity: int
    nesting: int
    statements: int
    parameters: tuple[str, ...] = ()
    locals: tuple[tuple[str, int], ...] = ()

    @property
    def lines(self) -> int:
        return self.span.text.count("\n") + 1

    def facts(self, callers: int) -> dict[str, int]:
        return {
            "complexity": self.complexity,
            "nesting": self.nesting,
            "lines": self.lines,
            "statements": self.statements,
            "callers": callers,
        }
