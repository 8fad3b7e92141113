"""Repair trajectories of a corpus package kept on disk, so that a base model retrained on the same verdicts does not
rebuild them (minutes per package: every state is localised, its patches generated and compared with the pool).

One gzipped JSON file per package, named by its key: a digest of what the trajectories are a function of, namely
the verdict file's bytes (package, version, outcomes, coverage), the sample (bugs, seed, sites), a digest of the
failure messages the states were given (``message_record.messages_digest``), and the source of the code that builds them
(``BUILDER_SOURCES``). Any change of these gives another name, so a stale file is never read; it is left in place
(the folder is the caller's).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import asdict
from functools import cache
from pathlib import Path

from bugprm.corpus_build.fetch import MANIFEST_DIR
from bugprm.corpus_build.message_record import Messages, messages_digest
from bugprm.corpus_build.repair_trajectories import LabelledRepairs, RepairSample, built_repairs
from bugprm.corpus_build.trajectories import PackageTrajectories
from bugprm.errors import InputError
from bugprm.records import Candidate, Edit, Kind, Step, StepName

CACHE_VERSION = 1
# What decides a repair trajectory's bytes: the builder, the repair package (localisation, patches, identity, texts
# and features), the operators and parser that make the patches, the step texts and labels, and the records.
BUILDER_SOURCES = ("corpus_build/repair_trajectories.py", "repair", "mutate",
                   "parsing", "trajectory.py", "labels.py", "records.py", "scoring/sources/context.py",
                   "execute/failing.py", "execute/workspace.py")
PACKAGE_ROOT = Path(__file__).parents[1]


@cache
def builder_digest(root: Path = PACKAGE_ROOT) -> str:
    """A digest of the builder's source files (every ``.py`` under a named folder), by path and content."""
    digest = hashlib.sha256()
    for path in sorted(_source_files(root)):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cached_repairs(found: PackageTrajectories, verdict_file: Path, work: Path, sample: RepairSample,
                   folder: Path, manifests: Path = MANIFEST_DIR, messages: Messages | None = None) -> LabelledRepairs:
    """``built_repairs``'s result, read from ``folder`` where it was built before under the same key, else built
    and saved there."""
    path = cache_path(folder, found.name, cache_key(verdict_file, sample, messages_digest(messages or {})))
    repairs = read_cached(path)
    if repairs is None:
        repairs = built_repairs(found, verdict_file, work, sample, manifests, messages)
        write_cached(path, repairs)
    return repairs


def cache_key(verdict_file: Path, sample: RepairSample, messages: str, builder: str | None = None) -> str:
    """``messages``: the digest of the failure messages the states are given."""
    parts = {"version": CACHE_VERSION, "verdicts": hashlib.sha256(Path(verdict_file).read_bytes()).hexdigest(),
             "sample": asdict(sample), "messages": messages, "builder": builder or builder_digest()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def cache_path(folder: Path, package: str, key: str) -> Path:
    return Path(folder) / f"{package}-{key}.json.gz"


def read_cached(path: Path) -> LabelledRepairs | None:
    """The repairs saved under ``path``, or None where there are none yet."""
    if not path.is_file():
        return None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            document = json.load(file)
        return LabelledRepairs(tuple(map(_candidate, document["candidates"])), document["by_identity"],
                               document["assumed_incorrect"], document["unlabelled"])
    except (OSError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a readable repair trajectory cache file ({exc}); delete it to rebuild") from exc


def write_cached(path: Path, repairs: LabelledRepairs) -> None:
    """Written to a temporary name and renamed: an interrupted write leaves no file that looks complete."""
    document = {"version": CACHE_VERSION, "candidates": [_candidate_json(c) for c in repairs.candidates],
                "by_identity": repairs.by_identity, "assumed_incorrect": repairs.assumed_incorrect,
                "unlabelled": repairs.unlabelled}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as file:
        json.dump(document, file)
    partial.replace(path)


def _source_files(root: Path):
    for name in BUILDER_SOURCES:
        found = root / name
        yield from sorted(found.rglob("*.py")) if found.is_dir() else [found]


def _candidate_json(c: Candidate) -> dict:
    return {**asdict(c), "kind": str(c.kind), "steps": [{**asdict(s), "name": str(s.name)} for s in c.steps]}


def _candidate(row: dict) -> Candidate:
    return Candidate(**{**row, "kind": Kind(row["kind"]), "line": int(row["line"]),
                        "steps": tuple(Step(**{**s, "name": StepName(s["name"])}) for s in row["steps"]),
                        "edits": tuple(Edit(**e) for e in row["edits"])})
