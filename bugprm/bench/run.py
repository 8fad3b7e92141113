"""Run a benchmark: judge each repository's pool once, then replay every strategy, budget and seed on each split."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterator

from bugprm.bench.evaluation import evaluate
from bugprm.bench.paired import paired_differences
from bugprm.bench.pools import JudgedPool, judged_pool
from bugprm.bench.request import BenchRequest
from bugprm.bench.runners import run_strategy
from bugprm.bench.splits import Split, check_distinct, cross_split, within_split
from bugprm.bench.summary import summarise
from bugprm.metrics import json_ready

BENCH_VERSION = 1


@dataclass(frozen=True)
class BenchResult:
    repos: tuple[dict, ...]
    results: tuple[dict, ...]
    request: dict

    def document(self) -> dict:
        """bench.json: the rows, and the curves summarised from them."""
        return json_ready({"version": BENCH_VERSION, "repos": list(self.repos), "request": self.request,
                           "results": list(self.results), "summary": summarise(self.results),
                           "paired": paired_differences(self.results)})


def run_bench(request: BenchRequest, on_progress: Callable[[str], None] | None = None) -> BenchResult:
    say = on_progress or (lambda line: None)
    pools = [_judged(repo, request, say, show_progress=on_progress is not None) for repo in request.repos]
    rows = [_row(strategy, budget, split, request, say)
            for split in _splits(request, pools, say) for strategy, budget in request.runs()]
    return BenchResult(tuple(p.describe() for p in pools), tuple(rows), request.describe())


def _judged(repo, request: BenchRequest, say, show_progress: bool) -> JudgedPool:
    pool = judged_pool(repo, request.max_candidates, request.workers, progress=show_progress)
    say(f"{pool.name}: {len(pool.candidates)} judged candidates ({pool.dropped} dropped), "
        f"{pool.cpu_seconds:.1f} test CPU-s to execute them all")
    return pool


def _splits(request: BenchRequest, pools: list[JudgedPool], say) -> Iterator[Split]:
    for kind in request.splits:
        if kind == "cross" and len(pools) < 2:
            say("cross-project split skipped: it needs two repositories or more")
            continue
        if kind == "cross":
            check_distinct(pools)
        for pool in pools:
            for seed in range(request.seeds):
                yield within_split(pool, request.held_out, seed) if kind == "within" else cross_split(pools, pool, seed)


def _row(strategy: str, budget: float, split: Split, request: BenchRequest, say) -> dict:
    started = time.perf_counter()
    metrics = evaluate(split, run_strategy(strategy, split, budget, request.config))
    row = {"strategy": strategy, "budget": budget, "seed": split.seed, "split": split.kind, "repo": split.repo,
           **{k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items()},
           "train_pool": len(split.train), "test": len(split.test), "seconds": round(time.perf_counter() - started, 1)}
    say(f"{split.kind} {split.repo} seed {split.seed} {strategy} at {budget:.0%}: AUROC {row['auroc']}, "
        f"executed {row['executed']} of {row['train_pool']} ({row['seconds']} s)")
    return row
