"""Line numbers of byte offsets from one table per file, so no per-mutant work scans the whole file."""

from __future__ import annotations

import bisect


class LineTable:
    """The byte offset where each line of ``source`` starts; lookups are binary searches."""

    def __init__(self, source: bytes):
        starts, at = [0], source.find(b"\n")
        while at != -1:
            starts.append(at + 1)
            at = source.find(b"\n", at + 1)
        self._starts = starts

    def line_of(self, offset: int) -> int:
        """The 1-based line holding byte ``offset`` (the newline before a line start ends the earlier line)."""
        return bisect.bisect_right(self._starts, offset)

    def point(self, offset: int) -> tuple[int, int]:
        """Tree-sitter's (0-based row, byte column) of ``offset``."""
        row = self.line_of(offset) - 1
        return row, offset - self._starts[row]
