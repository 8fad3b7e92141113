"""The size of a patch's diff: what "smallest diff first" compares."""

from __future__ import annotations


def diff_size(diff: str) -> int:
    """Characters on the diff's added and removed lines."""
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return sum(len(line) - 1 for line in changed)
