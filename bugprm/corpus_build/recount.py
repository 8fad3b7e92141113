"""``bugprm corpus recount``: rewrite verdict files with what one collection of each suite tells, running no test.

Each package's suite is collected (``pytest --collect-only``) once in a copy of the build's repository, with the
build's interpreter and pytest arguments, through the same harness slot the build's baseline runs in, so a suite
collects exactly as it did there. That collection counts every test's assertions with this harness's counter, and
the same job traces a plain import of the package's own modules (``harness.self_import``) and the collection itself
(the lines only collecting the test modules runs). The rewritten file is the old one with ``test_assertions``
replaced, ``self_import`` and ``collection`` added and ``harness.assertion_counter`` set, so the base model never
trains on two counters. Nothing a verdict depends on changes: ``harness.fingerprint`` is the build's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from harness.assertions import ASSERTION_COUNTER

from bugprm.corpus_build.card import write_card
from bugprm.corpus_build.fetch import MANIFEST_DIR, FetchedRepo, fetched
from bugprm.corpus_build.verdicts import read_verdicts, write_verdicts
from bugprm.errors import HarnessError
from bugprm.execute.config import make_config
from bugprm.execute.self_import import Collected, collect_with_self_import
from bugprm.execute.slot import Slot
from bugprm.execute.workspace import RunFolder

COLLECT_TIMEOUT = 600.0


@dataclass(frozen=True)
class RecountRequest:
    verdicts: Path
    out: Path
    work: Path  # the corpus build's working folder: its repositories and venvs are read, never written
    only: tuple[str, ...] = ()
    manifests: Path = MANIFEST_DIR
    collection_only: bool = False  # add ``collection`` to files recounted before, every other key as it is


def recount_verdicts(request: RecountRequest, say: Callable[[str], None] = print) -> list[Path]:
    from bugprm.corpus_build.base import BaseRequest, chosen_packages  # base imports build, which imports this
    from bugprm.corpus_build.build import recorded_failures

    chosen = chosen_packages(BaseRequest(request.out, request.verdicts, request.work, only=request.only))
    written = []
    for name, path in chosen.items():
        document = read_verdicts(path)
        found = collect_suite(fetched(name, request.work / "corpora"), document["package"]["source"])
        rewritten, missing = with_collection(document, found) if request.collection_only else recounted(document, found)
        written.append(request.out / path.name)
        write_verdicts(written[-1], rewritten)
        say(f"{name}: {len(found.assertions)} tests collected, {missing} of the file's {len(document['tests'])} "
            f"not collected (kept 0), {sum(map(len, found.self_import.values()))} lines run by its own import, "
            f"{sum(map(len, found.collection.values()))} only by the collection"
            + (f"; modules that did not import: {', '.join(found.import_errors)}" if found.import_errors else ""))
    write_card(request.out, recorded_failures(request.work))  # the card gives the files' size
    return written


def collect_suite(repo: FetchedRepo, source: str) -> Collected:
    """Collect the suite once in a throw-away copy of ``repo``, as the build's baseline slot runs it."""
    folder = RunFolder()
    try:
        config = make_config(Path(repo.path), repo.python, repo.pytest_args or None)
        slot = Slot(folder.workspace(Path(repo.path), 0), config)
        try:
            return collect_with_self_import(slot, [source], COLLECT_TIMEOUT)
        except HarnessError as exc:
            raise HarnessError(f"{repo.name}: {exc}") from exc
        finally:
            slot.close()
    finally:
        folder.close()


def recounted(document: dict, found: Collected) -> tuple[dict, int]:
    """The document with the collection's counts (a test it did not collect counts 0: the old counter's number
    would mix two counters), the package's own import lines and the lines only the collection ran; how many tests
    were not collected."""
    tests = document["tests"]
    harness = {**document["harness"], "assertion_counter": ASSERTION_COUNTER}
    rewritten = {**document, "harness": harness, "test_assertions": [found.assertions.get(t, 0) for t in tests],
                 "self_import": found.self_import, "collection": found.collection}
    return rewritten, sum(t not in found.assertions for t in tests)


def with_collection(document: dict, found: Collected) -> tuple[dict, int]:
    """The document with the collection's lines added and nothing else changed: its counts and own-import lines were
    recounted before, and a recount under an edited harness would also move the harness's own traced lines."""
    return {**document, "collection": found.collection}, sum(t not in found.assertions for t in document["tests"])
