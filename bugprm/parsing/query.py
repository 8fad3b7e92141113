"""Running a language's ``queries/<lang>.scm`` over a tree, turning every match into plain spans.

Each pattern has one root capture without a dot (``@comparison``); its parts are captures named
``@<root>.<part>``; captures starting with ``_`` only serve predicates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import tree_sitter

from bugprm.parsing.languages import QUERY_NAMES, Language, grammar, is_atomic
from bugprm.parsing.spans import Span


@dataclass(frozen=True)
class Match:
    root: str
    node: Span
    parts: tuple[tuple[str, Span], ...]


def query_source(language: Language) -> str:
    return resources.files("bugprm.parsing").joinpath(f"queries/{QUERY_NAMES[language]}.scm").read_text("utf-8")


@functools.cache
def compiled_query(language: Language) -> tree_sitter.Query:
    return tree_sitter.Query(grammar(language), query_source(language))


def capture_names(language: Language) -> tuple[str, ...]:
    query = compiled_query(language)
    return tuple(query.capture_name(i) for i in range(query.capture_count))


def run_query(language: Language, tree: tree_sitter.Tree, source: bytes) -> list[Match]:
    cursor = tree_sitter.QueryCursor(compiled_query(language))
    to_span = functools.partial(node_span, language, source)
    return [_match(captures, to_span) for _, captures in cursor.matches(tree.root_node)]


def node_span(language: Language, source: bytes, node: tree_sitter.Node) -> Span:
    line_start = source.rfind(b"\n", 0, node.start_byte) + 1
    prefix = source[line_start:node.start_byte]
    indent = prefix[:len(prefix) - len(prefix.lstrip())].decode("utf-8")
    return Span(
        start=node.start_byte, end=node.end_byte, text=source[node.start_byte:node.end_byte].decode("utf-8"),
        node_type=node.type, line=node.start_point.row + 1, column=node.start_point.column,
        atomic=is_atomic(language, node.type), indent=indent,
    )


def _match(captures: dict[str, list[tree_sitter.Node]], to_span) -> Match:
    root = next(name for name in captures if _is_root(name))
    parts = tuple(
        (name[len(root) + 1:], to_span(node))
        for name, nodes in captures.items() if name.startswith(root + ".")
        for node in nodes
    )
    return Match(root, to_span(captures[root][0]), parts)


def _is_root(name: str) -> bool:
    return "." not in name and not name.startswith("_")
