"""Verdicts of candidate patches known without running them: by what program the patched code is.

A patch of a failing state (a killed bug applied to the original code) turns the state into some program. Where that
program is one already executed, its verdict carries over:

- the original code itself (the patch undoes the bug): every test passes there, so the patch is ``correct``;
- a candidate bug of the original with a verdict: ``killed``, ``timeout`` and ``incompetent`` make it ``incorrect``;
  ``survived`` and ``no_coverage`` make it ``correct``, since every test that runs a changed line passed and the
  others run unchanged code.

Programs are compared by their Python syntax trees (``(a)`` and ``a`` are one program; comments and layout are not
part of it), file by file; a file that does not parse is compared by its bytes. A patch that leaves a changed file
no executed candidate has is unknown (None); so is one whose program two candidates judged differently.

A file's tree is digested statement by statement (``FileTrees``): a changed file differs from the original in a
few top-level statements, and only those are parsed again. Learning a large pool re-parsed whole files before (most
of the repair trajectories' build time on a package of large files).
"""

from __future__ import annotations

import ast
import hashlib
from typing import Callable, Iterable

from bugprm.execute.failing import FailingState
from bugprm.execute.workspace import EditMismatch, apply_edits
from bugprm.records import Candidate, Outcome

CORRECT_AS = frozenset({Outcome.SURVIVED, Outcome.NO_COVERAGE})
INCORRECT_AS = frozenset({Outcome.KILLED, Outcome.TIMEOUT, Outcome.INCOMPETENT})

Program = tuple[tuple[str, str], ...]  # (file, digest of its syntax tree) for each file that differs from the original


class KnownPrograms:
    """The original code and every executed candidate bug of it, by the program each one is."""

    def __init__(self, read: Callable[[str], bytes], executed: Iterable[tuple[Candidate, Outcome]]):
        self.read = read
        self._trees: dict[str, FileTrees] = {}
        self.verdicts: dict[Program, Outcome | None] = {(): Outcome.CORRECT}
        for bug, outcome in executed:
            self._learn(bug, outcome)

    def verdict(self, state: FailingState, patch: Candidate) -> Outcome | None:
        """``correct`` or ``incorrect`` where the patched state is a known program, else None."""
        files = dict.fromkeys(e.file for e in (*state.edits, *patch.edits))
        try:
            program = self._program({f: apply_edits(state.source(f, self.read(f)),
                                                     [e for e in patch.edits if e.file == f], f) for f in files})
        except (EditMismatch, OSError):
            return None
        return self.verdicts.get(program)

    def _learn(self, bug: Candidate, outcome: Outcome) -> None:
        judged = Outcome.CORRECT if outcome in CORRECT_AS else Outcome.INCORRECT if outcome in INCORRECT_AS else None
        if judged is None:
            return
        try:
            program = self._program({f: apply_edits(self.read(f), [e for e in bug.edits if e.file == f], f)
                                     for f in dict.fromkeys(e.file for e in bug.edits)})
        except (EditMismatch, OSError):
            return
        seen = self.verdicts.get(program, judged)
        self.verdicts[program] = judged if seen is judged else None

    def _program(self, sources: dict[str, bytes]) -> Program:
        changed = ((file, self._original_tree(file).digest(source)) for file, source in sorted(sources.items()))
        return tuple((file, digest) for file, digest in changed if digest != self._original_tree(file).original)

    def _original_tree(self, file: str) -> FileTrees:
        if file not in self._trees:
            self._trees[file] = FileTrees(self.read(file))
        return self._trees[file]


class FileTrees:
    """Digests of a file's changed versions, each ``tree_digest``'s, parsing only the top-level statements that
    differ from the original's: the rest of the file is unchanged, and whole lines of complete statements parse the
    same alone as in the file. Anything else (a change outside every statement, a region that does not parse
    alone, a file with carriage returns) is digested whole."""

    def __init__(self, source: bytes):
        self.source = source
        self._statements = _statements(source) if not _read_apart(source) else None
        self.original = (_digest([d for _, _, d in self._statements]) if self._statements is not None
                         else tree_digest(source))

    def digest(self, changed: bytes) -> str:
        if changed == self.source:
            return self.original
        region = self._region(changed) if self._statements else None
        if region is None:
            return tree_digest(changed)
        first, last, text = region
        try:
            middle = [ast.dump(statement) for statement in ast.parse(text).body]
        except (SyntaxError, ValueError):
            return tree_digest(changed)
        dumps = [d for _, _, d in self._statements]
        return _digest(dumps[:first] + middle + dumps[last + 1:])

    def _region(self, changed: bytes) -> tuple[int, int, bytes] | None:
        """(first and last statement changed, their lines in ``changed``), or None where no statements hold it."""
        start, end = _changed_span(self.source, changed)
        spans = self._statements
        first = next((i for i in range(len(spans) - 1, -1, -1) if spans[i][0] <= start), None)
        last = next((i for i in range(first or 0, len(spans)) if spans[i][1] >= end), None)
        if first is None or last is None or start == end == len(self.source):
            return None
        grown = len(changed) - len(self.source)
        return first, last, changed[spans[first][0]:spans[last][1] + grown]


def tree_digest(source: bytes) -> str:
    """A digest of the module's syntax tree (its top-level statements'), or of its bytes where it does not parse."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return "bytes:" + hashlib.sha256(source).hexdigest()
    return _digest([ast.dump(statement) for statement in body])


def _digest(dumps: list[str]) -> str:
    return hashlib.sha256("\0".join(dumps).encode()).hexdigest()


def _statements(source: bytes) -> list[tuple[int, int, str]] | None:
    """Each top-level statement's (first byte of its first line, byte of its last line's end, tree dump), where
    every statement has lines of its own; else None."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return None
    starts = [0] + [i + 1 for i, byte in enumerate(source) if byte == 10]
    found, previous_end = [], 0
    for statement in body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        if first <= previous_end or statement.end_lineno is None:
            return None  # two statements share a line (``a; b``)
        end = starts[statement.end_lineno] - 1 if statement.end_lineno < len(starts) else len(source)
        found.append((starts[first - 1], end, ast.dump(statement)))
        previous_end = statement.end_lineno
    return found


def _read_apart(source: bytes) -> bool:
    """Whether a part of the file may not parse alone as it does in the file: carriage returns count lines their
    own way, and an encoding declaration decodes the whole file."""
    return b"\r" in source or b"coding" in b"\n".join(source.split(b"\n", 2)[:2])


def _changed_span(original: bytes, changed: bytes) -> tuple[int, int]:
    """The bytes of ``original`` that ``changed`` replaced: [start, end) between their common prefix and suffix."""
    shortest = min(len(original), len(changed))
    start = _common_length(original, changed, shortest, lambda n: original[:n] == changed[:n])
    tail = _common_length(original, changed, shortest - start, lambda n: n == 0 or original[-n:] == changed[-n:])
    return start, len(original) - tail


def _common_length(original: bytes, changed: bytes, limit: int, same) -> int:
    """The largest n <= limit with ``same(n)`` (true up to some n, false after), by bisection."""
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if same(middle) else (low, middle - 1)
    return low
