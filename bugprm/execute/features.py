"""Dynamic features from the baseline, filled into each candidate's analyze and validate steps."""

from __future__ import annotations

from bugprm import trajectory
from bugprm.execute.executor import CandidateRunner
from bugprm.records import Candidate, Kind

FEATURES_META = "harness.features_fingerprint"


def dynamic_features(runner: CandidateRunner, candidate: Candidate) -> tuple[dict, list[str]]:
    """(features, covering tests fastest first) for one candidate; an unreadable file counts as uncovered."""
    durations, assertions = runner.baseline.durations, runner.baseline.assertions
    try:
        tests, module_level = runner.covering(candidate)
        in_function = runner.function_covering(candidate)
    except (OSError, ValueError):
        tests, module_level, in_function = set(), False, set()
    chosen = sorted(set(durations) if module_level else tests, key=lambda t: (durations[t], t))
    features = {"covering_tests": len(chosen), "covering_assertions": sum(assertions.get(t, 0) for t in chosen),
                "covering_duration": round(sum(durations[t] for t in chosen), 4),
                "line_covered": int(bool(chosen)), "import_time_line": int(module_level),
                "function_tests": len(in_function)}
    return features, chosen


def fill_features(store, runner: CandidateRunner, candidates: list[Candidate]) -> int:
    """Write dynamic features for every candidate bug under a new baseline, else for those still without them
    (added since); returns how many candidates were updated. Candidate patches carry their own (``bugprm.repair``)."""
    fresh = store.get_meta(FEATURES_META) != runner.baseline.fingerprint
    todo = [c for c in candidates if c.kind is Kind.BUG and c.edits and (fresh or "line_covered" not in c.features)]
    store.update_candidates([trajectory.with_features(c, *dynamic_features(runner, c)) for c in todo])
    store.set_meta(FEATURES_META, runner.baseline.fingerprint)
    return len(todo)
