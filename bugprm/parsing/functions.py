"""Functions and their static facts, built from query matches by span containment alone."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from bugprm.parsing.query import Match
from bugprm.parsing.spans import Function, Span


@dataclass(frozen=True)
class _Scope:
    name: str
    span: Span
    is_function: bool


class Nesting:
    """Nested ranges (a syntax tree's spans or line ranges), sorted outer first, each with its innermost container:
    the ranges around a range are one binary search and a walk up that chain, never a scan of every range (which
    made big files quadratic)."""

    def __init__(self, ranges: Iterable[tuple[int, int]]):
        self.ranges = sorted(ranges, key=lambda r: (r[0], -r[1]))
        self._starts = [start for start, _ in self.ranges]
        self._parents = _parents(self.ranges)

    def around(self, start: int, end: int) -> list[int]:
        """Indexes of the ranges holding ``[start, end]``, innermost first. A range before the first one found that
        is not its ancestor ends before it starts, so only the ancestors need a look."""
        found, index = [], bisect.bisect_right(self._starts, start) - 1
        while index >= 0:
            low, high = self.ranges[index]
            if low <= start and end <= high:
                found.append(index)
            index = self._parents[index]
        return found


def _parents(ranges: list[tuple[int, int]]) -> list[int]:
    parents: list[int] = []
    stack: list[int] = []
    for index, (start, end) in enumerate(ranges):
        while stack and not (ranges[stack[-1]][0] <= start and end <= ranges[stack[-1]][1]):
            stack.pop()
        parents.append(stack[-1] if stack else -1)
        stack.append(index)
    return parents


class FunctionIndex:
    """Finds the innermost function around a byte offset."""

    def __init__(self, functions: Iterable[Function]):
        self.functions = tuple(sorted(functions, key=lambda f: (f.span.start, -f.span.end)))
        self._nesting = Nesting((f.span.start, f.span.end) for f in self.functions)

    def owner(self, byte: int) -> Function | None:
        around = self._nesting.around(byte, byte + 1)
        return self.functions[around[0]] if around else None


def build_functions(matches_by_root: dict[str, list[Match]]) -> FunctionIndex:
    shells = _shells(matches_by_root)
    index = FunctionIndex(shells)
    grouped = {root: _group_by_owner(index, matches_by_root.get(root, ())) for root in _FACT_ROOTS}
    scopes = _Scopes([*(_Scope(f.name, f.span, True) for f in shells), *_class_scopes(matches_by_root)])
    return FunctionIndex(_complete(shell, scopes, grouped) for shell in shells)


_FACT_ROOTS = ("decision", "nesting", "statement", "parameter", "local")


def _shells(matches_by_root: dict[str, list[Match]]) -> list[Function]:
    """Functions with name, span and signature; the facts come later, once every function's span is known."""
    wrappers: dict[int, list[Span]] = defaultdict(list)
    for match in matches_by_root.get("wrapper", ()):
        wrappers[match.node.end].append(match.node)
    seen, shells = set(), []
    for match in matches_by_root.get("function", ()):
        shell = _shell(match, wrappers)
        if (shell.span.start, shell.span.end) not in seen:
            seen.add((shell.span.start, shell.span.end))
            shells.append(shell)
    return shells


def _shell(match: Match, wrappers: dict[int, list[Span]]) -> Function:
    parts = dict(match.parts)
    name = parts["name"].text
    receiver = parts.get("receiver")
    return Function(
        name=name, qualified_name=f"{receiver.text}.{name}" if receiver else name,
        span=_wrapped(match.node, wrappers), signature=_signature(match.node, parts.get("body")),
        complexity=1, nesting=0, statements=0,
    )


def _wrapped(node: Span, wrappers: dict[int, list[Span]]) -> Span:
    return next((w for w in wrappers.get(node.end, ()) if w.contains(node)), node)


def _signature(node: Span, body: Span | None) -> str:
    header = node.slice(node.start, body.start) if body is not None else node.text.split("\n", 1)[0]
    return re.sub(r"\s+", " ", header).strip()


def _class_scopes(matches_by_root: dict[str, list[Match]]) -> list[_Scope]:
    return [_Scope(dict(m.parts)["name"].text, m.node, False) for m in matches_by_root.get("class", ())]


def _group_by_owner(index: FunctionIndex, matches: Iterable[Match]) -> dict[tuple[int, int], list[Span]]:
    grouped: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for match in matches:
        owner = index.owner(match.node.start)
        if owner is not None:
            grouped[(owner.span.start, owner.span.end)].append(match.node)
    return grouped


class _Scopes:
    def __init__(self, scopes: list[_Scope]):
        by_range = {(s.span.start, s.span.end): s for s in reversed(scopes)}
        self._nesting = Nesting(by_range)
        self._scopes = [by_range[r] for r in self._nesting.ranges]

    def enclosing(self, span: Span) -> list[_Scope]:
        """The scopes strictly around ``span``, outermost first."""
        around = (self._scopes[i] for i in reversed(self._nesting.around(span.start, span.end)))
        return [s for s in around if s.span != span]


def _complete(shell: Function, scopes: _Scopes, grouped: dict) -> Function:
    key = (shell.span.start, shell.span.end)
    mine = {root: grouped[root].get(key, []) for root in _FACT_ROOTS}
    return Function(
        name=shell.name, qualified_name=_qualified(shell, scopes), span=shell.span, signature=shell.signature,
        complexity=1 + len(mine["decision"]), nesting=_max_depth(mine["nesting"]), statements=len(mine["statement"]),
        parameters=tuple(dict.fromkeys(s.text for s in mine["parameter"])),
        locals=_first_definitions(mine["local"]),
    )


def _qualified(shell: Function, scopes: _Scopes) -> str:
    """``Class.method``, and ``outer.<locals>.inner`` as Python's ``__qualname__`` spells nested functions."""
    parts = []
    for scope in scopes.enclosing(shell.span):
        parts += [scope.name, "<locals>"] if scope.is_function else [scope.name]
    return ".".join([*parts, shell.qualified_name])


def _max_depth(nesting: list[Span]) -> int:
    return max((sum(other.contains(n) for other in nesting) for n in nesting), default=0)


def _first_definitions(locals_: list[Span]) -> tuple[tuple[str, int], ...]:
    first: dict[str, int] = {}
    for span in sorted(locals_, key=lambda s: s.start):
        first.setdefault(span.text, span.start)
    return tuple(first.items())
