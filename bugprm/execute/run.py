"""``bugprm label``: execute candidates from the store against the repository's own pytest suite."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from bugprm.errors import InputError
from bugprm.execute.executors import LOCAL, ExecutorChoice
from bugprm.execute.features import fill_features
from bugprm.execute.progress import label_progress
from bugprm.execute.session import HarnessSession
from bugprm.records import Candidate, Execution, Kind
from bugprm.store import Store, find_store_directory
from bugprm.store_lock import store_lock


@dataclass(frozen=True)
class LabelSummary:
    executed: int
    outcomes: dict
    seconds: float
    cpu_seconds: float
    skipped_already_done: int
    fingerprint: str
    broken_tests: dict
    executor: str = "local"
    cpu_seconds_by_node: dict = field(default_factory=dict)


def label_pool(repo: Path, store_dir: Path | None, **options) -> LabelSummary:
    """``label_store`` for a caller that holds a store directory rather than an open store."""
    with Store.open(find_store_directory(store_dir, repo)) as store:
        return label_store(store, repo, **options)


def label_store(store: Store, repo: Path, *, limit: int | None = None, fraction: float | None = None,
                ids: Iterable[str] | Path | None = None, all_: bool = False, workers: int = 1,
                python: str | None = None, pytest_args: str | None = None, full_matrix: bool = False,
                progress: bool = False, seed: int = 0, executor: ExecutorChoice = LOCAL, **settings) -> LabelSummary:
    """Execute the chosen bug candidates (all by default) and record one verdict each; resumable at any point."""
    started = time.monotonic()
    with store_lock(store.directory):
        pool = store.candidates(kind=Kind.BUG)
        chosen = choose_candidates(pool, limit=limit, fraction=fraction, ids=ids, all_=all_, seed=seed)
        with HarnessSession.open(store, Path(repo), workers=workers, python=python, pytest_args=pytest_args,
                                 full_matrix=full_matrix, executor=executor, **settings) as session:
            done = session.executed()
            todo = [c for c in chosen if c.id not in done]
            if todo:
                fill_features(store, session.runner, pool)
            with label_progress(len(todo), progress, status=session.executor_status) as advance:
                fresh = session.execute(todo, on_result=advance)
            excluded = session.baseline.excluded if todo else {}
    summary = _summary(fresh, len(chosen) - len(todo), session.fingerprint, excluded, time.monotonic() - started)
    return replace(summary, executor=executor.describe(), cpu_seconds_by_node=node_seconds(session.cpu_by_node))


def choose_candidates(pool: list[Candidate], *, limit: int | None = None, fraction: float | None = None,
                      ids: Iterable[str] | Path | None = None, all_: bool = False, seed: int = 0) -> list[Candidate]:
    """The candidates to label; a sample is drawn from the whole pool with ``seed``, so a rerun picks the same."""
    if sum(x is not None for x in (limit, fraction, ids)) + bool(all_) > 1:
        raise InputError("choose at most one of --limit, --fraction, --ids and --all")
    if ids is not None:
        return _by_ids(pool, _read_ids(ids))
    if fraction is not None and not 0 < fraction <= 1:
        raise InputError(f"--fraction must be in (0, 1], got {fraction}")
    size = limit if limit is not None else math.ceil(fraction * len(pool)) if fraction is not None else None
    if size is None or size >= len(pool):
        return list(pool)
    picked = set(random.Random(seed).sample(range(len(pool)), size))
    return [c for i, c in enumerate(pool) if i in picked]


def _read_ids(ids: Iterable[str] | Path) -> list[str]:
    if isinstance(ids, (str, Path)):
        try:
            text = Path(ids).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--ids {ids}: {exc.strerror}") from exc
        return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(ids)


def _by_ids(pool: list[Candidate], wanted: list[str]) -> list[Candidate]:
    known = {c.id: c for c in pool}
    unknown = [i for i in wanted if i not in known]
    if unknown:
        raise InputError(f"{len(unknown)} ids are not bug candidates in the store: {', '.join(unknown[:5])}")
    return [known[i] for i in dict.fromkeys(wanted)]


def _summary(fresh: list[Execution], skipped: int, fingerprint: str, excluded: dict, seconds: float) -> LabelSummary:
    outcomes = Counter(str(e.outcome) for e in fresh)
    return LabelSummary(executed=len(fresh), outcomes=dict(sorted(outcomes.items())), seconds=round(seconds, 3),
                        cpu_seconds=round(sum(e.cpu_seconds for e in fresh), 3), skipped_already_done=skipped,
                        fingerprint=fingerprint, broken_tests=dict(excluded))


def node_seconds(cpu_by_node: dict) -> dict[str, float]:
    return {node: round(seconds, 3) for node, seconds in sorted(cpu_by_node.items())}


def describe_summary(summary: LabelSummary) -> str:
    """A few plain lines for the terminal (the summary itself is the library's answer)."""
    outcomes = ", ".join(f"{n} {o}" for o, n in summary.outcomes.items()) or "nothing new"
    lines = [f"executed {summary.executed} candidates in {summary.seconds:.1f}s "
             f"({summary.cpu_seconds:.1f} CPU s): {outcomes}",
             f"already done under fingerprint {summary.fingerprint}: {summary.skipped_already_done}"]
    if summary.cpu_seconds_by_node:
        nodes = ", ".join(f"{node} {seconds:.1f}" for node, seconds in summary.cpu_seconds_by_node.items())
        lines.append(f"executor {summary.executor}, CPU s by node: {nodes}")
    if summary.broken_tests:
        lines.append(f"excluded {len(summary.broken_tests)} tests or modules at baseline:")
        lines += [f"  {test}: {why}" for test, why in sorted(summary.broken_tests.items())]
    return "\n".join(lines)
