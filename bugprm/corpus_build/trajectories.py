"""Labelled bug trajectories of a corpus package, rebuilt from its verdict file without running a test.

The pool is generated again from the pinned sdist (unpacked only: no venv, no baseline), each candidate gets what the
baseline knew of it from the file's ``coverage`` and ``import_time`` through the builder every labelled store uses
(``trajectory.with_coverage`` with ``execute.features.BaselineCoverage``), and its labels from its outcome
(``labels.step_labels``: infra_error is no label). Ids are content ids, so the file's candidates and the regenerated
pool must be the same set: a package where they are not is an error that names it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bugprm.corpus_build.fetch import MANIFEST_DIR, Manifest, manifest, unpacked
from bugprm.corpus_build.build import generated_pool
from bugprm.corpus_build.verdicts import from_ranges, read_verdicts
from bugprm.errors import InputError
from bugprm.execute.baseline import Baseline
from bugprm.execute.features import BaselineCoverage
from bugprm.execute.selection import MODULE_LEVEL
from bugprm.labels import step_labels
from bugprm.records import UNLABELLED_OUTCOMES, Candidate, Execution, Outcome
from bugprm.store import Store
from bugprm.trajectory import with_coverage

POOLS = "base-pools"  # under the work folder: regenerated pools, apart from any build's own stores


@dataclass(frozen=True)
class PackageTrajectories:
    name: str
    version: str
    candidates: tuple[Candidate, ...]  # step-labelled, in pool order; those without a label left out
    outcomes: dict[str, Outcome]  # candidate id -> executed outcome, for every labelled candidate

    @property
    def label(self) -> str:
        return f"{self.name}-{self.version}"


@dataclass(frozen=True)
class ReplayedPackage:
    """A package's regenerated pool, each candidate with what the baseline knew of it (no labels), joined with the
    executions its verdict file keeps."""

    name: str
    version: str
    pool: tuple[Candidate, ...]  # the whole regenerated pool, in pool order, unlabelled
    executions: dict[str, Execution]  # candidate id -> its recorded execution, for every candidate with an outcome


def package_trajectories(path: Path, work: Path, manifests: Path = MANIFEST_DIR,
                         import_contexts: bool = False) -> PackageTrajectories:
    package = replayed_package(path, work, manifests, import_contexts)
    known = {i: e for i, e in package.executions.items() if e.outcome not in UNLABELLED_OUTCOMES}
    labelled = step_labels(list(package.pool), known)
    return PackageTrajectories(package.name, package.version, tuple(c for c in labelled if c.id in known),
                               {i: e.outcome for i, e in known.items()})


def replayed_package(path: Path, work: Path, manifests: Path = MANIFEST_DIR,
                     import_contexts: bool = False) -> ReplayedPackage:
    """The pool regenerated from the pinned sdist (under ``work``) and joined on id with the verdict file;
    ``import_contexts``: with ``BaselineCoverage``'s features of the same name."""
    document = read_verdicts(path)
    spec = _manifest(document, path, manifests)
    repo = unpacked(spec, work / "corpora")
    with Store.open(work / POOLS / spec.name, create=True) as store:
        pool = generated_pool(spec, repo, store)
    _check_join(spec, pool, _outcomes(document))
    covering = BaselineCoverage(verdict_baseline(document), lambda file: (repo / file).read_bytes(), import_contexts)
    return ReplayedPackage(spec.name, spec.version, tuple(with_coverage(c, covering) for c in pool),
                           verdict_executions(document))


def verdict_executions(document: dict) -> dict[str, Execution]:
    """Each executed candidate's stop-at-first-failure run as the file keeps it: outcome, failing and run tests,
    wall and CPU seconds, under the labelling fingerprint (the kill matrix is a second run, not this one)."""
    tests, fingerprint = document["tests"], document["harness"]["fingerprint"]

    def named(ranges: list[int] | None) -> tuple[str, ...]:
        return tuple(tests[i] for i in from_ranges(ranges or []))

    return {c["id"]: Execution(c["id"], Outcome(c["outcome"]), named(c.get("failing")), named(c.get("ran")),
                               c.get("duration") or 0.0, c.get("cpu") or 0.0, fingerprint)
            for c in document["candidates"] if c["outcome"] is not None}


def verdict_baseline(document: dict) -> Baseline:
    """The baseline as far as the file keeps it: passing tests' durations, assertions and per-line coverage."""
    tests = document["tests"]
    coverage: dict[tuple[str, int], list[str]] = defaultdict(list)
    for file, lines in document["coverage"].items():
        for line, ranges in lines.items():
            coverage[(file, int(line))] += [tests[i] for i in from_ranges(ranges)]
    for file, lines in document["import_time"].items():
        for line in lines:
            coverage[(file, int(line))].append(MODULE_LEVEL)
    durations = {t: d for t, d in zip(tests, document["test_durations"]) if d is not None}
    return Baseline(document["harness"]["fingerprint"], durations, dict(coverage),
                    dict(zip(tests, document["test_assertions"])), dict(document.get("excluded_tests", {})),
                    self_import=document.get("self_import"), collection=document.get("collection"))


def _manifest(document: dict, path: Path, manifests: Path) -> Manifest:
    package = document["package"]
    spec = manifest(package["name"], manifests)
    if (spec.version, spec.sha256) != (package["version"], package["sha256"]):
        raise InputError(f"{path}: {package['name']} {package['version']} was built from another sdist than the "
                         f"manifest's {spec.name} {spec.version}; its pool cannot be regenerated")
    return spec


def _outcomes(document: dict) -> dict[str, Outcome | None]:
    return {c["id"]: None if c["outcome"] is None else Outcome(c["outcome"]) for c in document["candidates"]}


def _check_join(spec: Manifest, pool: list[Candidate], outcomes: dict) -> None:
    generated = {c.id for c in pool}
    missing, extra = set(outcomes) - generated, generated - set(outcomes)
    if missing or extra:
        raise InputError(f"{spec.name} {spec.version}: the regenerated pool does not match the verdict file "
                         f"({len(missing)} of its {len(outcomes)} candidates not generated, {len(extra)} generated "
                         "candidates not in it): was the file built by another bugprm's operators?")
