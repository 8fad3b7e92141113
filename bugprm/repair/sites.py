"""Where to repair: the failing state's files, its suspicious lines, and the steps every patch at a line shares.

Every candidate patch at one line has the same ``locate``, ``analyze`` and ``validate`` texts (the line, its
suspiciousness, the failing tests and their messages, the tests to run), so their prefixes are shared and the step
labels say whether any patch at that line was correct; ``select`` and ``edit`` tell the patches apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bugprm.execute.failing import FailingState
from bugprm.parsing import Language, ParsedFile, UnparsableSource, language_for_path, parse_file
from bugprm.repair.localize import MODULE_LEVEL, Coverage, Suspicion, rank_lines
from bugprm.repair.naturalness import NgramModel, project_model
from bugprm.repair.tracebacks import Tracebacks
from bugprm.scoring.sources.context import code_context
from bugprm.trajectory import analyze_text, failing_text, locate_text, repair_validate_text, suspicion_text


class StateFiles:
    """The repository's bytes and the failing state's source of each file, read and parsed once."""

    def __init__(self, repo: Path, state: FailingState):
        self.repo = repo
        self.state = state
        self._original: dict[str, bytes] = {}
        self._parsed: dict[str, ParsedFile | None] = {}
        self._models: dict[Language, NgramModel] = {}

    def original(self, file: str) -> bytes:
        if file not in self._original:
            self._original[file] = (self.repo / file).read_bytes()
        return self._original[file]

    def source(self, file: str) -> bytes:
        return self.state.source(file, self.original(file))

    def text(self, file: str) -> str:
        return self.source(file).decode("utf-8", errors="replace")

    def parsed(self, file: str) -> ParsedFile | None:
        """The failing state's file parsed, or None for a language bugprm does not parse."""
        if file not in self._parsed:
            self._parsed[file] = _parsed_or_none(file, self.source(file))
        return self._parsed[file]


    def language_model(self, language: Language) -> NgramModel:
        """The n-gram model of the failing state's source files in ``language`` (see ``naturalness``)."""
        if language not in self._models:
            self._models[language] = project_model(self.repo, self.text, language)
        return self._models[language]


@dataclass(frozen=True)
class SuspiciousLine:
    suspicion: Suspicion  # in the repository's lines
    line: int  # the same line in the failing state
    tests: tuple[str, ...]  # the passing tests that run it

    @property
    def file(self) -> str:
        return self.suspicion.file


@dataclass(frozen=True)
class Localisation:
    state: FailingState
    lines: tuple[SuspiciousLine, ...]  # most suspicious first

    def at(self, file: str, line: int) -> SuspiciousLine:
        """The ranked line, or an unsuspicious one ranked last where no failing test runs it."""
        found = next((s for s in self.lines if s.file == file and s.line == line), None)
        return found or SuspiciousLine(Suspicion(file, line, 0.0, 0, 0, len(self.lines) + 1), line, ())

    def function_score(self, file: str, lines: range) -> float:
        return max((s.suspicion.score for s in self.lines if s.file == file and s.line in lines), default=0.0)

    def tracebacks(self) -> Tracebacks:
        """The failing tests' tracebacks, their frames kept where they are in the files ranked here."""
        return Tracebacks.of(self.state.messages.values(), (s.file for s in self.lines))


@dataclass(frozen=True)
class SiteSteps:
    function: str
    locate: str
    analyze: str
    validate: str
    features: dict = field(default_factory=dict)


def localise(state: FailingState, files: StateFiles, coverage: Coverage, passing: set[str]) -> Localisation:
    ranked = rank_lines(coverage, set(state.failing_tests), passing)
    return Localisation(state, tuple(_in_state(s, files, coverage, passing) for s in ranked if _readable(files, s)))


def site_steps(localisation: Localisation, files: StateFiles, site: SuspiciousLine) -> SiteSteps:
    state, text = localisation.state, files.text(site.file)
    context = code_context(site.file, text, site.line, site.line)
    function_score = localisation.function_score(site.file, context.lines)
    features = {**_spectrum(site, len(localisation.lines), len(state.failing_tests), function_score), **context.facts,
                **localisation.tracebacks().features(site.file, site.line, context.lines)}
    suspicion = suspicion_text(site.line, _line_text(text, site.line), site.suspicion.score, site.suspicion.rank,
                               len(localisation.lines), function_score)
    return SiteSteps(
        function=context.function,
        locate=locate_text(site.file, context.function, context.signature, context.window) + "\n" + suspicion,
        analyze=failing_text(state.failing_tests, state.messages) + "\n" + analyze_text(features),
        validate=repair_validate_text(state.failing_tests, list(site.tests)), features=features,
    )


def _in_state(suspicion: Suspicion, files: StateFiles, coverage: Coverage, passing: set[str]) -> SuspiciousLine:
    line = files.state.line_in_state(suspicion.file, files.original(suspicion.file), suspicion.line)
    running = coverage.get((suspicion.file, suspicion.line), [])
    tests = passing if MODULE_LEVEL in running else passing & set(running)
    return SuspiciousLine(suspicion, line, tuple(sorted(tests)))


def _spectrum(site: SuspiciousLine, ranked: int, failing: int, function_score: float) -> dict:
    return {"ochiai": site.suspicion.score, "ochiai_rank": site.suspicion.rank, "suspicious_lines": ranked,
            "function_ochiai": function_score, "failing_covering": site.suspicion.failed,
            "passing_covering": site.suspicion.passed, "failing_tests": failing}


def _readable(files: StateFiles, suspicion: Suspicion) -> bool:
    try:
        files.original(suspicion.file)
    except OSError:
        return False
    return True


def _parsed_or_none(file: str, source: bytes) -> ParsedFile | None:
    language = language_for_path(file)
    if language is None:
        return None
    try:
        return parse_file(file, source, language)
    except UnparsableSource:
        return None


def _line_text(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""
