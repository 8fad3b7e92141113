"""Corpus verdict files: one gzipped JSON document per package and version, written once its build is finished.

They hold everything the executions taught, so a model can be rebuilt from them without running a test. Schema
(``schema_version`` 1; see ``corpora/verdicts/README.md``):

- ``package``: name, version, sdist, sha256; ``harness``: harness version, interpreter version, pytest arguments and
  the fingerprints of the stop-at-first-failure run and of the kill-matrix run.
- ``tests``: every test id once; each candidate and coverage entry refers to tests by index into it.
  ``test_durations`` (seconds at baseline, null for a test that did not pass there), ``test_assertions``.
- ``coverage``: per file, per line, the tests covering it, once per package; ``import_time``: per file, the lines
  that run at import (they belong to every test). Test index lists are stored as ranges: ``[a, b, c, d]`` is
  a..b-1 then c..d-1. ``self_import`` (optional): per file, the lines a plain import of the package's own modules
  runs (``harness.self_import``; added to older files by ``bugprm corpus recount``). ``collection`` (optional): per
  file, the import-time lines that only pytest's collection of the test modules runs, not its start-up
  (``execute.self_import.collection_lines``; added the same way).
- ``candidates``: one object per candidate of the pool: ``id``, ``file`` (its index in ``files``), ``line``,
  ``function``, ``operator``, ``family``, ``diff``, ``lines`` (the changed statements' lines: its covering tests are
  the union of their coverage), ``outcome``, ``failing`` and ``ran`` (test ranges), ``duration``, ``cpu``; a
  candidate of the kill-matrix share also has ``matrix``: the ``outcome``, ``ran`` and ``failing`` of a run of every
  covering test without stopping at the first failure.
- ``cost``: wall and CPU seconds of the executions, of the baselines, and the build's own wall seconds.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from pathlib import Path

from bugprm.errors import InputError

SCHEMA = "bugprm.corpus-verdicts"
SCHEMA_VERSION = 1
SUFFIX = ".json.gz"


class TestIndex:
    """Test ids to small integers, in first-seen order, so every list of tests is a list of ints."""

    __test__ = False  # not a pytest test class

    def __init__(self, tests=()):
        self.ids = {test: i for i, test in enumerate(dict.fromkeys(tests))}

    def ranges(self, tests) -> list[int]:
        return to_ranges(self.position(t) for t in tests)

    def position(self, test: str) -> int:
        if test not in self.ids:
            self.ids[test] = len(self.ids)
        return self.ids[test]

    def names(self) -> list[str]:
        return list(self.ids)


def to_ranges(indices) -> list[int]:
    """Sorted distinct ints as flat half-open ranges: [1, 2, 3, 7] -> [1, 4, 7, 8]."""
    flat: list[int] = []
    for index in sorted(set(indices)):
        if flat and flat[-1] == index:
            flat[-1] = index + 1
        else:
            flat += [index, index + 1]
    return flat


def from_ranges(flat: list[int]) -> list[int]:
    return [i for start, stop in zip(flat[::2], flat[1::2]) for i in range(start, stop)]


def verdict_path(directory: Path, name: str, version: str) -> Path:
    return Path(directory) / f"{name}-{version}{SUFFIX}"


def write_verdicts(path: Path, document: dict) -> int:
    """Atomically (a killed build never leaves half a file); returns the bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(json.dumps(document, separators=(",", ":")).encode(), compresslevel=9, mtime=0)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".part") as handle:
        handle.write(data)
    os.chmod(handle.name, 0o644)  # a repository file, not a private temporary one
    os.replace(handle.name, path)
    return len(data)


def read_verdicts(path: Path) -> dict:
    try:
        document = json.loads(gzip.decompress(Path(path).read_bytes()))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: not a readable corpus verdict file ({exc})") from exc
    if document.get("schema") != SCHEMA or document.get("schema_version") != SCHEMA_VERSION:
        raise InputError(f"{path}: schema {document.get('schema')} version {document.get('schema_version')}; "
                         f"this bugprm reads {SCHEMA} version {SCHEMA_VERSION}")
    return document


def is_current(path: Path) -> bool:
    """Whether a finished verdict file of this schema version is already there (the build skips its package)."""
    try:
        return path.exists() and read_verdicts(path).get("complete") is True
    except InputError:
        return False


def covering_tests(document: dict, candidate: dict) -> list[str]:
    """The tests covering a candidate's changed lines, read back from the package's coverage table."""
    tests = document["tests"]
    file = document["files"][candidate["file"]]
    if set(candidate["lines"]) & set(document["import_time"].get(file, [])):
        return [t for t, d in zip(tests, document["test_durations"]) if d is not None]
    by_line = document["coverage"].get(file, {})
    found = {i for line in candidate["lines"] for i in from_ranges(by_line.get(str(line), []))}
    return [tests[i] for i in sorted(found)]
