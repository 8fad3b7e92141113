"""Parse one source file into functions, mutable sites and the regions never to mutate."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import tree_sitter

from bugprm.parsing.functions import FunctionIndex, build_functions
from bugprm.parsing.languages import Language, new_parser
from bugprm.parsing.lines import LineTable
from bugprm.parsing.query import Match, run_query
from bugprm.parsing.spans import Function, Site, SiteKind, Span

_SITE_KINDS = frozenset(SiteKind)


class UnparsableSource(ValueError):
    """The file's syntax tree has an ERROR or MISSING node; the message says where."""


@dataclass(frozen=True)
class ParsedFile:
    path: str
    language: Language
    source: bytes
    index: FunctionIndex
    sites: tuple[Site, ...]
    skip_regions: tuple[Span, ...]
    call_names: tuple[str, ...]

    @cached_property
    def lines(self) -> LineTable:
        return LineTable(self.source)

    @property
    def functions(self) -> tuple[Function, ...]:
        return self.index.functions

    def owner(self, site: Site) -> Function | None:
        return self.index.owner(site.owner_byte)


def parse_file(path: str, source: bytes, language: Language) -> ParsedFile:
    """Parse ``source``; raises UnparsableSource when tree-sitter had to recover from a syntax error."""
    tree = new_parser(language).parse(source)
    _raise_on_error(tree)
    by_root: dict[str, list[Match]] = defaultdict(list)
    for match in run_query(language, tree, source):
        by_root[match.root].append(match)
    return ParsedFile(
        path=path, language=language, source=source, index=build_functions(by_root),
        sites=_sites(by_root), skip_regions=tuple(m.node for m in by_root["skip"]),
        call_names=tuple(dict(m.parts)["name"].text for m in by_root["call"]),
    )


def parses_cleanly(source: bytes, language: Language) -> bool:
    return not new_parser(language).parse(source).root_node.has_error


class EditChecker:
    """Says whether a file still parses after one edit.

    Only the top-level statement around the edit is parsed again, spliced with the edit: re-parsing the whole file
    per mutant, even incrementally from the old tree, walks every top-level node and made ``generate`` quadratic in
    the file's size. The rest of the file is unchanged and parsed cleanly, so the statement decides. An edit across
    statements, or in a statement that does not parse on its own, falls back to an incremental whole-file parse.
    """

    def __init__(self, source: bytes, language: Language):
        self._parser = new_parser(language)
        self._language = language
        self._source = source
        self._tree = self._parser.parse(source)
        self._lines = LineTable(source)
        self._units = [(child.start_byte, child.end_byte) for child in self._tree.root_node.children]
        self._unit_starts = [start for start, _ in self._units]
        self._alone: dict[tuple[int, int], bool] = {}

    def unit(self, start: int, end: int) -> tuple[int, int] | None:
        """The byte span of the top-level statement that holds ``source[start:end]``, if one does."""
        index = bisect.bisect_right(self._unit_starts, start) - 1
        if index < 0 or end > self._units[index][1]:
            return None
        return self._units[index]

    def parses_after(self, start: int, end: int, replacement: bytes) -> bool:
        unit = self.unit(start, end)
        if unit is None or not self._parses_alone(unit):
            return self._parses_whole_after(start, end, replacement)
        spliced = self._source[unit[0]:start] + replacement + self._source[end:unit[1]]
        return not self._parser.parse(spliced).root_node.has_error

    def _parses_alone(self, unit: tuple[int, int]) -> bool:
        if unit not in self._alone:
            self._alone[unit] = parses_cleanly(self._source[unit[0]:unit[1]], self._language)
        return self._alone[unit]

    def _parses_whole_after(self, start: int, end: int, replacement: bytes) -> bool:
        mutated = self._source[:start] + replacement + self._source[end:]
        tree = self._tree.copy()
        new_end = start + len(replacement)
        tree.edit(
            start_byte=start, old_end_byte=end, new_end_byte=new_end, start_point=self._lines.point(start),
            old_end_point=self._lines.point(end), new_end_point=_point(mutated, new_end),
        )
        return not self._parser.parse(mutated, tree).root_node.has_error


def _point(source: bytes, offset: int) -> tuple[int, int]:
    return source.count(b"\n", 0, offset), offset - (source.rfind(b"\n", 0, offset) + 1)


def _raise_on_error(tree: tree_sitter.Tree) -> None:
    if tree.root_node.has_error:
        bad = _first_error(tree.root_node)
        raise UnparsableSource(f"does not parse (syntax error at line {bad.start_point.row + 1})")


def _first_error(node: tree_sitter.Node) -> tree_sitter.Node:
    for child in node.children:
        if child.is_error or child.is_missing:
            return child
        if child.has_error:
            return _first_error(child)
    return node


def _sites(by_root: dict[str, list[Match]]) -> tuple[Site, ...]:
    sites = [
        Site(SiteKind(root), match.node, match.parts)
        for root, matches in by_root.items() if root in _SITE_KINDS
        for match in matches
    ]
    return tuple(sorted(sites, key=lambda s: (s.node.start, s.node.end, str(s.kind), _part_starts(s))))


def _part_starts(site: Site) -> tuple:
    return tuple((name, span.start) for name, span in site.parts)
