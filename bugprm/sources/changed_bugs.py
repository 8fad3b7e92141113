"""Candidate bugs on given lines of one file, made with the generator's own parsing and mutation functions.

Only files ``bugprm generate`` would mutate get candidates (test files, vendored and generated files do not),
judged by their path in the working tree. ``callers`` counts calls within the changed file only, where
``generate`` counts them over the whole repository.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bugprm.mutate.candidates import candidate_from_mutant
from bugprm.mutate.engine import mutate_file
from bugprm.mutate.filters import python_compile_error
from bugprm.parsing import Language, ParsedFile, UnparsableSource, language_for_path, parse_file
from bugprm.parsing.discovery import discover_sources
from bugprm.records import Candidate


class GeneratorBugFinder:
    """A ``BugFinder`` over one repository; what files count as source is read once, on first use."""

    def __init__(self, root: Path):
        self.root = root
        self._mutable: set[str] | None = None

    def __call__(self, root: Path, path: str, source: str, ranges: list[tuple[int, int]]) -> list[Candidate]:
        language = language_for_path(path)
        if language is None or path not in self.mutable_paths():
            return []
        parsed = _parsed(path, source.encode("utf-8"), language)
        if parsed is None:
            return []
        callers = Counter(parsed.call_names)
        mutants = [m for m in mutate_file(parsed) if _on(m.line, ranges)]
        return [candidate_from_mutant(m, root.name, language, callers[m.function.name]) for m in mutants]

    def mutable_paths(self) -> set[str]:
        if self._mutable is None:
            self._mutable = {s.relative for s in discover_sources(self.root)[0]}
        return self._mutable


def _parsed(path: str, data: bytes, language: Language) -> ParsedFile | None:
    """The parsed file, or None when it would not parse or (Python) compile, as ``generate`` skips those."""
    try:
        parsed = parse_file(path, data, language)
    except UnparsableSource:
        return None
    if language is Language.PYTHON and python_compile_error(data, path):
        return None
    return parsed


def _on(line: int, ranges: list[tuple[int, int]]) -> bool:
    return any(first <= line <= last for first, last in ranges)
