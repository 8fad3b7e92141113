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
        self._trees: dict[str, str] = {}
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
        changed = ((file, tree_digest(source)) for file, source in sorted(sources.items()))
        return tuple((file, digest) for file, digest in changed if digest != self._original_tree(file))

    def _original_tree(self, file: str) -> str:
        if file not in self._trees:
            self._trees[file] = tree_digest(self.read(file))
        return self._trees[file]


def tree_digest(source: bytes) -> str:
    """A digest of the module's syntax tree, or of its bytes where it does not parse."""
    try:
        text = ast.dump(ast.parse(source))
    except (SyntaxError, ValueError):
        return "bytes:" + hashlib.sha256(source).hexdigest()
    return hashlib.sha256(text.encode()).hexdigest()
