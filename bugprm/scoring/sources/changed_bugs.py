"""Candidate bugs on given lines of one file, made with the generator's own parsing and mutation functions.

Only files ``bugprm generate`` would mutate get candidates (test files, vendored and generated files do not, nor
files ``[tool.bugprm]`` leaves out), judged by their path in the working tree. ``callers`` counts calls over the
working tree's source files, as ``generate`` does, and with a baseline the same builder adds the same dynamic
features: a mutant reads the same here as in the pool.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bugprm.config import load_config
from bugprm.execute.baseline import Baseline
from bugprm.execute.features import BaselineCoverage
from bugprm.mutate.candidates import candidate_from_mutant
from bugprm.mutate.engine import mutate_file
from bugprm.mutate.filters import python_compile_error
from bugprm.parsing import Language, ParsedFile, UnparsableSource, language_for_path, parse_file
from bugprm.parsing.discovery import FileSkipped, SourceFile, discover_sources, in_scope, read_source
from bugprm.records import Candidate


class GeneratorBugFinder:
    """A ``BugFinder`` over one repository; its source files and their calls are read once, on first use."""

    def __init__(self, root: Path, baseline: Baseline | None = None):
        self.root, self.baseline = root, baseline
        self._sources: list[SourceFile] | None = None
        self._callers: Counter | None = None

    def __call__(self, root: Path, path: str, source: str, ranges: list[tuple[int, int]]) -> list[Candidate]:
        language = language_for_path(path)
        if language is None or path not in self.mutable_paths():
            return []
        data = source.encode("utf-8")
        parsed = _parsed(path, data, language)
        if parsed is None:
            return []
        covering = BaselineCoverage(self.baseline, lambda _: data) if self.baseline is not None else None
        mutants = [m for m in mutate_file(parsed) if _on(m.line, ranges)]
        return [candidate_from_mutant(m, root.name, language, self.callers()[m.function.name], covering)
                for m in mutants]

    def mutable_paths(self) -> set[str]:
        return {s.relative for s in self._mutable()}

    def callers(self) -> Counter:
        """Calls by name over the working tree's source files (as ``generate`` counts them)."""
        if self._callers is None:
            parsed = (_parsed(s.relative, _bytes(s), s.language) for s in self._mutable())
            self._callers = Counter(name for file in parsed if file is not None for name in file.call_names)
        return self._callers

    def _mutable(self) -> list[SourceFile]:
        if self._sources is None:
            project = load_config(repo=self.root).project
            self._sources = in_scope(discover_sources(self.root)[0], project.include, project.exclude)[0]
        return self._sources


def _parsed(path: str, data: bytes, language: Language) -> ParsedFile | None:
    """The parsed file, or None when it would not parse or (Python) compile, as ``generate`` skips those."""
    try:
        parsed = parse_file(path, data, language)
    except UnparsableSource:
        return None
    if language is Language.PYTHON and python_compile_error(data, path):
        return None
    return parsed


def _bytes(source: SourceFile) -> bytes:
    try:
        return read_source(source)
    except FileSkipped:
        return b""


def _on(line: int, ranges: list[tuple[int, int]]) -> bool:
    return any(first <= line <= last for first, last in ranges)
