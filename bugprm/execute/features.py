"""Dynamic features from the baseline, filled into each candidate's analyze and validate steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from bugprm import trajectory
from bugprm.execute.baseline import Baseline
from bugprm.execute.selection import changed_lines, covering_tests, function_lines
from bugprm.records import Candidate, Kind
from bugprm.store import Store


@dataclass(frozen=True)
class BaselineCoverage:
    """Which of the baseline's passing tests cover a candidate, read from its coverage alone: nothing runs.

    ``read`` gives a file's bytes as the candidate's edits see them: the working tree for the pool, the new
    revision's file for ``--diff``.
    """

    baseline: Baseline
    read: Callable[[str], bytes]

    def covering(self, candidate: Candidate) -> tuple[set[str], bool]:
        """Passing tests that cover the candidate's changed statements, and whether any runs at import time."""
        tests, module_level = set(), False
        for file, edits in _edits_by_file(candidate):
            found, at_import = covering_tests(self.baseline.coverage, file, changed_lines(self.read(file), edits))
            tests, module_level = tests | found, module_level or at_import
        return tests & set(self.baseline.durations), module_level

    def function_covering(self, candidate: Candidate) -> set[str]:
        """Passing tests that run any line of the functions the candidate edits."""
        tests: set[str] = set()
        for file, edits in _edits_by_file(candidate):
            tests |= covering_tests(self.baseline.coverage, file, function_lines(self.read(file), edits))[0]
        return tests & set(self.baseline.durations)

    def dynamic_features(self, candidate: Candidate) -> tuple[dict, list[str]]:
        """(features, covering tests fastest first); an unreadable file counts as uncovered."""
        durations, assertions = self.baseline.durations, self.baseline.assertions
        try:
            tests, module_level = self.covering(candidate)
            in_function = self.function_covering(candidate)
        except (OSError, ValueError):
            tests, module_level, in_function = set(), False, set()
        chosen = sorted(set(durations) if module_level else tests, key=lambda t: (durations[t], t))
        features = {"covering_tests": len(chosen), "covering_assertions": sum(assertions.get(t, 0) for t in chosen),
                    "covering_duration": round(sum(durations[t] for t in chosen), 4),
                    "line_covered": int(bool(chosen)), "import_time_line": int(module_level),
                    "function_tests": len(in_function)}
        if self.baseline.self_import is not None:
            features["self_import_line"] = int(self.runs_at_self_import(candidate))
        return features, chosen

    def runs_at_self_import(self, candidate: Candidate) -> bool:
        """Whether a changed statement runs while the package imports itself: a mutant there breaks the import."""
        own = self.baseline.self_import or {}
        try:
            return any(changed_lines(self.read(file), edits) & set(own.get(file, ()))
                       for file, edits in _edits_by_file(candidate))
        except (OSError, ValueError):
            return False


def fill_features(store: Store, runner, candidates: list[Candidate]) -> int:
    """Write dynamic features for every candidate bug under a new baseline, else for those still without them
    (added since); returns how many candidates were updated. Candidate patches carry their own (``bugprm.repair``)."""
    fresh = store.features_fingerprint() != runner.baseline.fingerprint
    todo = [c for c in candidates if c.kind is Kind.BUG and c.edits and (fresh or "line_covered" not in c.features)]
    store.update_candidates([trajectory.with_coverage(c, runner.coverage) for c in todo])
    store.set_features_fingerprint(runner.baseline.fingerprint)
    return len(todo)


def _edits_by_file(candidate: Candidate):
    for file in dict.fromkeys(e.file for e in candidate.edits):
        yield file, tuple(e for e in candidate.edits if e.file == file)
