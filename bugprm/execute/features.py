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
    revision's file for ``--diff``. ``import_contexts`` adds ``collection_line`` and ``startup_line`` where the
    baseline traced the collection: off by default, since neither lowered the base model's calibration error on the
    tuning packages (BENCHMARKS.md, ctx21); the baseline records the collection either way.
    """

    baseline: Baseline
    read: Callable[[str], bytes]
    import_contexts: bool = False

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
        if self.import_contexts and self.baseline.collection is not None:
            features.update(self.import_time_context(candidate, module_level))
        return features, chosen

    def runs_at_self_import(self, candidate: Candidate) -> bool:
        """Whether a changed statement runs while the package imports itself: a mutant there breaks the import."""
        return self._runs_on(candidate, self.baseline.self_import or {})

    def import_time_context(self, candidate: Candidate, module_level: bool) -> dict[str, int]:
        """What runs an import-time change, besides the package's own import: pytest's collection of the test
        modules (``collection_line``: decorators applied and arguments built at a test module's import; killed at
        0.32 to 0.91 by package) or pytest's start-up (``startup_line``: a mutant there breaks pytest itself,
        pluggy's and iniconfig's)."""
        own = self.runs_at_self_import(candidate)
        at_collection = not own and self._runs_on(candidate, self.baseline.collection or {})
        at_startup = module_level and not own and not at_collection
        return {"collection_line": int(at_collection), "startup_line": int(at_startup)}

    def _runs_on(self, candidate: Candidate, lines: dict[str, list[int]]) -> bool:
        try:
            return any(changed_lines(self.read(file), edits) & set(lines.get(file, ()))
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
