"""``bugprm corpus build``: fetch, generate the whole pool, label every candidate, record the kill matrix of a capped
share of the killed ones, and write one verdict file per package as soon as it is finished, with the record of the
failure messages its repair trajectories need (``message_backfill``: the sampled bugs executed once more).

Everything is resumable: a package with a finished verdict file is skipped, the pool is generated once per store,
and the store keeps every verdict, so a rerun continues at the first candidate without one. With ``--all`` the
manifests are read again after each package, so manifests added while a build runs are built too.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from bugprm.corpus_build.fetch import (
    MANIFEST_DIR, FetchedRepo, Manifest, default_destination, load_manifests, prepared,
)
from bugprm.corpus_build.card import write_card
from bugprm.corpus_build.document import Cost, Pass, verdict_document
from bugprm.corpus_build.execution import execute_pass
from bugprm.corpus_build.recount import collect_suite, recounted
from bugprm.corpus_build.verdicts import is_current, verdict_path, write_verdicts
from bugprm.errors import BugprmError, HarnessError, InputError
from bugprm.execute.executors import LOCAL, ExecutorChoice
from bugprm.mutate.run import scan_repository, write_pool
from bugprm.records import Candidate, Kind, Outcome
from bugprm.store import Store

VERDICT_DIR = MANIFEST_DIR / "verdicts"
GENERATED_META = "corpus.generated"
WALL_META = "corpus.wall_seconds"
FAILURES_FILE = "failures.json"


@dataclass(frozen=True)
class BuildRequest:
    names: tuple[str, ...] = ()
    all_: bool = False
    out: Path = VERDICT_DIR
    work: Path = field(default_factory=default_destination)
    workers: int = 1
    kill_matrix_share: float = 0.1
    kill_matrix_cap: int = 500
    manifests: Path = MANIFEST_DIR
    python: str | None = None  # one interpreter for every package instead of a venv each (tests)
    seed: int = 0
    executor: ExecutorChoice = LOCAL  # where candidates run (--executor local|ray)
    messages: Path | None = None  # where the failure message records go (None: a messages/ folder beside --out)

    @property
    def messages_out(self) -> Path:
        return self.messages or Path(self.out).parent / "messages"


@dataclass(frozen=True)
class BuildSummary:
    built: tuple[str, ...]
    already_done: tuple[str, ...]
    failed: dict


def build_corpus(request: BuildRequest, say: Callable[[str], None] = print) -> BuildSummary:
    """Build every requested package in turn; a package that fails is reported and the build goes on."""
    _check(request)
    built, done, failed = [], [], {}
    while (spec := _next_package(request, {*built, *done, *failed})) is not None:
        if is_current(verdict_path(request.out, spec.name, spec.version)):
            done.append(spec.name)
            continue
        try:
            build_package(spec, request, say)
            built.append(spec.name)
        except BugprmError as exc:
            failed[spec.name] = str(exc)
            say(f"{spec.name}: FAILED: {exc}")
        _remember_failures(request.work, spec.name, failed.get(spec.name))
        write_card(request.out, recorded_failures(request.work))
    return BuildSummary(tuple(built), tuple(done), failed)


def build_package(spec: Manifest, request: BuildRequest, say: Callable[[str], None]) -> Path:
    from bugprm.corpus_build.message_backfill import record_messages  # it samples through modules importing this

    started = time.monotonic()
    repo = _prepared(spec, request)
    say(f"{spec.name} {spec.version}: fetched into {repo.path}")
    with Store.open(request.work / "stores" / spec.name, create=True) as store:
        pool = generated_pool(spec, Path(repo.path), store)
        say(f"{spec.name}: pool of {len(pool)} candidates in {spec.source}")
        labels = execute_pass(store, repo, pool, request, False, _progress(spec.name, len(pool), say))
        chosen = kill_matrix_sample(pool, labels.executions, request, set(store.executions(matrix_fingerprint(labels))))
        say(f"{spec.name}: kill matrix of {len(chosen)} killed candidates")
        matrix = execute_pass(store, repo, chosen, request, True, _progress(spec.name, len(chosen), say),
                              labels.baseline) if chosen else None
        wall = _add_wall(store, time.monotonic() - started)
    cost = Cost(wall, request.kill_matrix_share, request.kill_matrix_cap)
    path = verdict_path(request.out, spec.name, spec.version)
    document, _ = recounted(verdict_document(spec, pool, labels, matrix, cost), collect_suite(repo, spec.source))
    size = write_verdicts(path, document)
    say(f"{spec.name}: wrote {path} ({size / 1e6:.2f} MB)")
    record_messages(spec, path, document, repo, pool, request.messages_out, say)
    return path


def kill_matrix_sample(pool: list[Candidate], executions: dict, request: BuildRequest,
                       already: set[str] = frozenset()) -> list[Candidate]:
    """A seeded share of the killed candidates, at most the cap: for a survivor every covering test already ran and
    passed, so only a kill hides the results of the tests after its first failure. Candidates ``already`` run under
    the kill matrix come first, so a build resumed with a smaller cap keeps the matrix runs it paid for."""
    killed = [c for c in pool if c.id in executions and executions[c.id].outcome is Outcome.KILLED]
    size = min(math.ceil(request.kill_matrix_share * len(killed)), request.kill_matrix_cap, len(killed))
    kept = [c for c in killed if c.id in already][:size]
    rest = [c for c in killed if c.id not in already]
    picked = set(random.Random(request.seed).sample(range(len(rest)), size - len(kept)))
    return kept + [c for i, c in enumerate(rest) if i in picked]


def matrix_fingerprint(labels: Pass) -> str:
    """The fingerprint the kill-matrix pass runs under: the labelling pass's settings with every covering test run."""
    return replace(labels.config, full_matrix=True).fingerprint()


def _check(request: BuildRequest) -> None:
    if bool(request.names) == request.all_:
        raise InputError("name the corpora to build, or pass --all (not both)")
    if not 0 <= request.kill_matrix_share <= 1:
        raise InputError(f"--kill-matrix-share must be in [0, 1], got {request.kill_matrix_share}")
    unknown = sorted(set(request.names) - set(load_manifests(request.manifests)))
    if unknown:
        raise InputError(f"no corpus manifest named {', '.join(unknown)} in {request.manifests}")


def _next_package(request: BuildRequest, seen: set[str]) -> Manifest | None:
    manifests = load_manifests(request.manifests)
    names = request.names or tuple(manifests)
    return next((manifests[n] for n in names if n not in seen and n in manifests), None)


def _prepared(spec: Manifest, request: BuildRequest) -> FetchedRepo:
    return prepared(spec, request.work / "corpora", request.manifests, request.python)


def generated_pool(spec: Manifest, repo: Path, store: Store) -> list[Candidate]:
    """The candidate bugs of the package's source folder (not its docs, examples or setup.py), generated once."""
    if store.get_meta(GENERATED_META) is None:
        summary = write_pool(store, scan_repository(repo))
        store.set_meta(GENERATED_META, json.dumps({"found": summary.candidates_found}))
    pool = store.candidates(kind=Kind.BUG)
    if not pool:
        raise HarnessError(f"{spec.name}: no candidate bugs were generated")
    return [c for c in pool if _inside(c.file, spec.source)]


def _inside(file: str, folder: str) -> bool:
    folder = folder.strip("/")
    return folder in ("", ".") or file == folder or file.startswith(folder + "/")


def _add_wall(store: Store, seconds: float) -> float:
    total = float(store.get_meta(WALL_META, "0")) + seconds
    store.set_meta(WALL_META, str(round(total, 3)))
    return total


def _progress(name: str, total: int, say: Callable[[str], None], every: int = 100):
    counts = {"done": 0, "killed": 0}
    started = time.monotonic()

    def advance(execution) -> None:
        counts["done"] += 1
        counts["killed"] += execution.outcome is Outcome.KILLED
        if counts["done"] % every == 0 or counts["done"] == total:
            rate = counts["done"] / max(time.monotonic() - started, 1e-9)
            say(f"{name}: {counts['done']}/{total} new verdicts, {counts['killed']} killed, "
                f"{rate:.1f}/s, about {(total - counts['done']) / max(rate, 1e-9) / 60:.0f} min left")

    return advance


def recorded_failures(work: Path) -> dict:
    path = work / FAILURES_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def _remember_failures(work: Path, name: str, error: str | None) -> None:
    failures = recorded_failures(work)
    if error is None:
        failures.pop(name, None)
    else:
        failures[name] = error[-600:]
    work.mkdir(parents=True, exist_ok=True)
    (work / FAILURES_FILE).write_text(json.dumps(failures, indent=2, sort_keys=True))
