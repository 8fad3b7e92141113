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


class FunctionIndex:
    """Finds the innermost function around a byte offset."""

    def __init__(self, functions: Iterable[Function]):
        self.functions = tuple(sorted(functions, key=lambda f: (f.span.start, -f.span.end)))
        self._starts = [f.span.start for f in self.functions]

    def owner(self, byte: int) -> Function | None:
        for index in range(bisect.bisect_right(self._starts, byte) - 1, -1, -1):
            function = self.functions[index]
            if function.span.start <= byte < function.span.end:
                return function
        return None


def build_functions(matches_by_root: dict[str, list[Match]]) -> FunctionIndex:
    shells = _shells(matches_by_root)
    index = FunctionIndex(shells)
    grouped = {root: _group_by_owner(index, matches_by_root.get(root, ())) for root in _FACT_ROOTS}
    scopes = [*(_Scope(f.name, f.span, True) for f in shells), *_class_scopes(matches_by_root)]
    return FunctionIndex(_complete(shell, scopes, grouped) for shell in shells)


_FACT_ROOTS = ("decision", "nesting", "statement", "parameter", "local")


def _shells(matches_by_root: dict[str, list[Match]]) -> list[Function]:
    """Functions with name, span and signature; the facts come later, once every function's span is known."""
    wrappers = [m.node for m in matches_by_root.get("wrapper", ())]
    seen, shells = set(), []
    for match in matches_by_root.get("function", ()):
        shell = _shell(match, wrappers)
        if (shell.span.start, shell.span.end) not in seen:
            seen.add((shell.span.start, shell.span.end))
            shells.append(shell)
    return shells


def _shell(match: Match, wrappers: list[Span]) -> Function:
    parts = dict(match.parts)
    name = parts["name"].text
    receiver = parts.get("receiver")
    return Function(
        name=name, qualified_name=f"{receiver.text}.{name}" if receiver else name,
        span=_wrapped(match.node, wrappers), signature=_signature(match.node, parts.get("body")),
        complexity=1, nesting=0, statements=0,
    )


def _wrapped(node: Span, wrappers: list[Span]) -> Span:
    return next((w for w in wrappers if w.end == node.end and w.contains(node)), node)


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


def _complete(shell: Function, scopes: list[_Scope], grouped: dict) -> Function:
    key = (shell.span.start, shell.span.end)
    mine = {root: grouped[root].get(key, []) for root in _FACT_ROOTS}
    return Function(
        name=shell.name, qualified_name=_qualified(shell, scopes), span=shell.span, signature=shell.signature,
        complexity=1 + len(mine["decision"]), nesting=_max_depth(mine["nesting"]), statements=len(mine["statement"]),
        parameters=tuple(dict.fromkeys(s.text for s in mine["parameter"])),
        locals=_first_definitions(mine["local"]),
    )


def _qualified(shell: Function, scopes: list[_Scope]) -> str:
    """``Class.method``, and ``outer.<locals>.inner`` as Python's ``__qualname__`` spells nested functions."""
    parts = []
    for scope in sorted(_enclosing(shell.span, scopes), key=lambda s: s.span.start):
        parts += [scope.name, "<locals>"] if scope.is_function else [scope.name]
    return ".".join([*parts, shell.qualified_name])


def _enclosing(span: Span, scopes: list[_Scope]) -> list[_Scope]:
    return [s for s in scopes if s.span.contains(span) and s.span != span]


def _max_depth(nesting: list[Span]) -> int:
    return max((sum(other.contains(n) for other in nesting) for n in nesting), default=0)


def _first_definitions(locals_: list[Span]) -> tuple[tuple[str, int], ...]:
    first: dict[str, int] = {}
    for span in sorted(locals_, key=lambda s: s.start):
        first.setdefault(span.text, span.start)
    return tuple(first.items())
