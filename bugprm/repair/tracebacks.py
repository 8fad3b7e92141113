"""Which suspicious lines the failing tests' tracebacks name: what breaks Ochiai's ties between the lines that the
same failing tests all run.

A failing test's message is pytest's short traceback (``--tb=short``, its last 600 characters, so the deepest frames
are the ones kept): one ``path:line: in function`` per frame, outermost first. The deepest frame inside the package's
source (a file the localisation ranks) is very often the bug's own line, or the line its wrong value broke.

The features of a line, each 0 where no traceback names it (as a missing feature reads):

- ``traceback_tests``: the failing tests whose traceback has a frame at the line;
- ``traceback_share``: that count over the failing tests with a traceback (a live ``bugprm repair`` state has one per
  failing test, and so has a corpus training state read from ``corpora/messages/``; one read from a build's store
  has the one or two its stored executions kept: the share reads alike in all);
- ``traceback_depth``: 1 where the line is a traceback's deepest package frame, 2 for that frame's caller, and so on
  (the least over the tracebacks);
- ``traceback_function_depth``: the same for the deepest frame inside the line's function (the bug is often a few
  lines above the frame that raised).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

FRAME = re.compile(r"^(?P<path>\S[^\n]*?):(?P<line>\d+): in (?P<function>\S+)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Frame:
    file: str  # as the localisation names it (relative to the repository)
    line: int


@dataclass(frozen=True)
class Tracebacks:
    stacks: tuple[tuple[Frame, ...], ...]  # per failing test with a message: its package frames, deepest first

    @classmethod
    def of(cls, messages: Iterable[str], files: Iterable[str]) -> "Tracebacks":
        known = tuple(sorted(set(files)))
        return cls(tuple(tuple(reversed(package_frames(message, known))) for message in messages if message))

    def features(self, file: str, line: int, function_lines: range) -> dict:
        at_line = [_depth(stack, lambda f: f.file == file and f.line == line) for stack in self.stacks]
        in_function = [_depth(stack, lambda f: f.file == file and f.line in function_lines) for stack in self.stacks]
        naming = sum(depth is not None for depth in at_line)
        return {"traceback_tests": naming, "traceback_share": round(naming / len(self.stacks), 4) if naming else 0.0,
                "traceback_depth": _least(at_line), "traceback_function_depth": _least(in_function)}


def package_frames(message: str, files: tuple[str, ...]) -> list[Frame]:
    """The message's frames inside ``files``, outermost first."""
    frames = ((_package_file(m["path"], files), int(m["line"])) for m in FRAME.finditer(message))
    return [Frame(file, line) for file, line in frames if file is not None]


def _package_file(path: str, files: tuple[str, ...]) -> str | None:
    """pytest prints paths relative to its rootdir, or absolute ones outside it: a suffix match finds the file."""
    path = path.replace("\\", "/")
    return next((f for f in files if path == f or path.endswith("/" + f)), None)


def _depth(stack: tuple[Frame, ...], matches) -> int | None:
    return next((depth for depth, frame in enumerate(stack, start=1) if matches(frame)), None)


def _least(depths: list[int | None]) -> int:
    return min((d for d in depths if d is not None), default=0)
