"""Baselines in the store: tests and coverage in their tables, the rest as one JSON blob, all keyed by fingerprint."""

from __future__ import annotations

from pathlib import Path

from bugprm.execute.baseline import Baseline
from bugprm.execute.config import source_digest
from bugprm.store import Store

BLOB_PREFIX = "baseline:"
BASELINE_META = "baseline"  # the current baseline's fingerprint: coverage is read under it
SOURCES_META = "baseline.sources"  # the source digest it was measured on


def save_baseline(store: Store, baseline: Baseline) -> None:
    tests = [(t, "passed", d, baseline.assertions.get(t, 0), t.split("::")[0]) for t, d in baseline.durations.items()]
    tests += [(t, "failed", d, baseline.assertions.get(t, 0), t.split("::")[0]) for t, d in baseline.failing.items()]
    tests += [(t, "excluded", 0.0, 0, t.split("::")[0]) for t in baseline.excluded if t not in baseline.failing]
    coverage = [(file, line, test) for (file, line), covering in baseline.coverage.items() for test in covering]
    store.drop_baselines_except(baseline.fingerprint, BLOB_PREFIX)
    store.save_baseline(baseline.fingerprint, tests, coverage)
    store.put_json(BLOB_PREFIX + baseline.fingerprint, {
        "excluded": baseline.excluded, "extra_args": list(baseline.extra_args), "overhead": baseline.overhead,
        "preload": list(baseline.preload), "isolation": baseline.isolation, "seconds": baseline.seconds,
        "assertions": baseline.assertions, "messages": baseline.messages, "self_import": baseline.self_import,
        "collection": baseline.collection})


def load_baseline(store: Store, fingerprint: str) -> Baseline | None:
    blob = store.get_json(BLOB_PREFIX + fingerprint)
    if blob is None:
        return None
    rows = store.baseline_tests(fingerprint)
    return Baseline(fingerprint, _durations(rows, "passed"), store.coverage(fingerprint), blob["assertions"],
                    blob["excluded"], tuple(blob["extra_args"]), blob["overhead"], tuple(blob["preload"]),
                    blob["isolation"], blob["seconds"], _durations(rows, "failed"), blob.get("messages", {}),
                    blob.get("self_import"), blob.get("collection"))


def _durations(rows, outcome: str) -> dict[str, float]:
    return {row["test_id"]: row["duration"] for row in rows if row["outcome"] == outcome}


def current_coverage(store: Store, repo: Path) -> dict[tuple[str, int], list[str]] | None:
    """The stored coverage when it was measured on the sources as they are now, else None: coverage of other
    sources would name the tests of whatever now sits at its line numbers."""
    key = _current_key(store, repo)
    return store.coverage(key) if key else None


def current_baseline(store: Store, repo: Path) -> Baseline | None:
    """The stored baseline when it was measured on the sources as they are now, else None."""
    key = _current_key(store, repo)
    return load_baseline(store, key) if key else None


def _current_key(store: Store, repo: Path) -> str | None:
    key = store.get_meta(BASELINE_META)
    return key if key and store.get_meta(SOURCES_META) == source_digest(repo) else None
