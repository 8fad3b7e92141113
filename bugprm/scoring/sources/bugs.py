"""The candidate bugs of a store (the unexecuted ones, or all), located in their files for the reports."""

from __future__ import annotations

from pathlib import Path


from bugprm.records import Candidate, Kind
from bugprm.scoring.records import Located, Region, ScoringInput, SourceFile
from bugprm.scoring.sources.context import language_name
from bugprm.store import Store


def store_bugs(store: Store, include_executed: bool = False) -> ScoringInput:
    executions = store.verdicts()
    bugs = [c for c in store.candidates(Kind.BUG) if include_executed or c.id not in executions]
    files = read_sources(_repo_root(store, bugs), sorted({c.file for c in bugs}))
    texts = {f.path: f.text for f in files}
    items = tuple(
        Located(c, edit_region(c, texts.get(c.file, "")), _outcome(executions.get(c.id))) for c in bugs
    )
    which = "all" if include_executed else "unexecuted"
    return ScoringInput(f"{which} candidate bugs in {store.directory}", items, files)


def read_sources(root: Path | None, paths: list[str]) -> tuple[SourceFile, ...]:
    """The current text of each file that exists under ``root``; the others are left out."""
    if root is None:
        return ()
    found = [(p, root / p) for p in paths]
    return tuple(SourceFile(p, language_name(p), full.read_text("utf-8", errors="replace"))
                 for p, full in found if full.is_file())


def edit_region(candidate: Candidate, source: str) -> Region:
    """The span the candidate's first edit replaces, or its whole line when the file no longer matches."""
    data = source.encode("utf-8")
    edit = next((e for e in candidate.edits if e.file == candidate.file), None)
    if edit is None or data[edit.start_byte:edit.end_byte].decode("utf-8", "replace") != edit.original:
        return line_region(source, candidate.line)
    start, end = _position(data, edit.start_byte), _position(data, edit.end_byte)
    if end == start:
        end = (start[0], start[1] + 1)
    return Region(*start, *end)


def line_region(source: str, line: int) -> Region:
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return Region(max(line, 1), 1, max(line, 1), len(text) + 1)


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _repo_root(store: Store, candidates: list[Candidate]) -> Path | None:
    repo = store.repository() or (candidates[0].repo if candidates else None)
    return Path(repo) if repo and Path(repo).is_dir() else None


def _outcome(execution):
    return execution.outcome if execution is not None else None
