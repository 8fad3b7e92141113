"""The languages bugprm parses: which files are which, and the pinned tree-sitter grammars behind them."""

from __future__ import annotations

import functools
from pathlib import PurePath

import tree_sitter
import tree_sitter_go
import tree_sitter_java
import tree_sitter_javascript
import tree_sitter_python
import tree_sitter_typescript

from bugprm.records import StrEnum


class Language(StrEnum):
    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    JAVA = "java"
    GO = "go"


EXTENSIONS = {
    ".py": Language.PYTHON,
    ".js": Language.JAVASCRIPT,
    ".mjs": Language.JAVASCRIPT,
    ".cjs": Language.JAVASCRIPT,
    ".jsx": Language.JAVASCRIPT,
    ".ts": Language.TYPESCRIPT,
    ".mts": Language.TYPESCRIPT,
    ".cts": Language.TYPESCRIPT,
    ".tsx": Language.TSX,
    ".java": Language.JAVA,
    ".go": Language.GO,
}

_GRAMMARS = {
    Language.PYTHON: tree_sitter_python.language,
    Language.JAVASCRIPT: tree_sitter_javascript.language,
    Language.TYPESCRIPT: tree_sitter_typescript.language_typescript,
    Language.TSX: tree_sitter_typescript.language_tsx,
    Language.JAVA: tree_sitter_java.language,
    Language.GO: tree_sitter_go.language,
}

# TSX is TypeScript with JSX: one query file serves both grammars.
QUERY_NAMES = {language: str(language) for language in Language} | {Language.TSX: "typescript"}

# Node types that bind tighter than any operator, so a mutation may wrap them without parentheses.
_ATOMIC_TYPES = {
    Language.PYTHON: frozenset({
        "identifier", "attribute", "call", "subscript", "integer", "float", "string", "concatenated_string",
        "true", "false", "none", "parenthesized_expression", "list", "tuple", "dictionary", "set",
        "list_comprehension", "dictionary_comprehension", "set_comprehension",
    }),
    Language.JAVASCRIPT: frozenset({
        "identifier", "member_expression", "call_expression", "subscript_expression", "number", "string",
        "template_string", "true", "false", "null", "undefined", "this", "parenthesized_expression", "array",
        "object",
    }),
    Language.JAVA: frozenset({
        "identifier", "field_access", "method_invocation", "array_access", "decimal_integer_literal",
        "decimal_floating_point_literal", "string_literal", "true", "false", "null_literal", "this",
        "parenthesized_expression",
    }),
    Language.GO: frozenset({
        "identifier", "selector_expression", "call_expression", "index_expression", "int_literal",
        "float_literal", "interpreted_string_literal", "raw_string_literal", "true", "false", "nil",
        "parenthesized_expression",
    }),
}
_ATOMIC_TYPES[Language.TYPESCRIPT] = _ATOMIC_TYPES[Language.JAVASCRIPT] | {"non_null_expression"}
_ATOMIC_TYPES[Language.TSX] = _ATOMIC_TYPES[Language.TYPESCRIPT]

def language_for_path(path: str | PurePath) -> Language | None:
    """The language of a source file by its extension, or None for files bugprm does not parse."""
    return EXTENSIONS.get(PurePath(path).suffix.lower())


def is_atomic(language: Language, node_type: str) -> bool:
    return node_type in _ATOMIC_TYPES[language]


@functools.cache
def grammar(language: Language) -> tree_sitter.Language:
    return tree_sitter.Language(_GRAMMARS[language]())


def new_parser(language: Language) -> tree_sitter.Parser:
    return tree_sitter.Parser(grammar(language))
