"""Scoring against executing: what `bugprm score` costs per candidate next to running its tests (issue 6's bar).

    python benchmarks/bench_score.py REPO [--model DIR] [--repeat 3] [--threads T] [--execute N --python PY
        [--pytest-args A]]

REPO needs a store with executed candidates and a trained model (e.g. after `bugprm demo` or `bugprm train`).
Two execution costs: what the harness recorded for each executed candidate (tests only, inside a warm worker),
and with --execute N the end-to-end cost measured here: N candidates executed afresh on a copy of REPO and its
store (baseline run, fork, collection and confirmation runs included; one worker). Scoring cost is measured in the
same process over every candidate in the store, as `bugprm score` scores them (model load excluded; torch threads
as `bugprm score` sets them unless --threads says otherwise).
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import tempfile
import time
from pathlib import Path


from bugprm.scoring.adapter import ModelScorer, idle_cores
from bugprm.store import Store, find_store_directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: the idle cores)")
    parser.add_argument("--execute", type=int, default=0, metavar="N")
    parser.add_argument("--python", default=None)
    parser.add_argument("--pytest-args", default=None)
    args = parser.parse_args()
    from bugprm.model import load_model

    store_dir = find_store_directory(None, args.repo)
    with Store.open(store_dir) as store:
        candidates = store.candidates()
        executions = list(store.verdicts().values())
    model = load_model(args.model or store_dir / "model")
    scorer = ModelScorer(model, threads=args.threads)
    scorer.score(candidates[:8])  # warm-up
    timings = []
    for _ in range(args.repeat):
        cpu, wall = _own_cpu(), time.perf_counter()
        scorer.score(candidates)
        timings.append((time.perf_counter() - wall, _own_cpu() - cpu))
    score_wall, score_cpu = min(t[0] for t in timings) / len(candidates), min(t[1] for t in timings) / len(candidates)
    exec_wall = sum(e.duration for e in executions) / len(executions)
    exec_cpu = sum(e.cpu_seconds for e in executions) / len(executions)
    print(f"candidates scored   {len(candidates)} (model {model.config.model.hidden_size} hidden, "
          f"{model.config.model.num_layers} layers, torch threads: {args.threads or f'{idle_cores()} idle cores'})")
    print(f"scoring             {score_wall * 1000:.2f} ms wall, {score_cpu * 1000:.2f} ms CPU per candidate")
    print(f"executing           {exec_wall * 1000:.1f} ms wall, {exec_cpu * 1000:.1f} ms CPU per candidate "
          f"(mean of {len(executions)} executed)")
    print(f"ratio               executing costs {exec_wall / score_wall:.0f}x scoring (wall), "
          f"{exec_cpu / score_cpu:.0f}x (CPU)")
    if args.execute:
        wall, cpu = end_to_end(args.repo, args.execute, args.python, args.pytest_args)
        print(f"executing afresh    {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU per candidate, end to end "
              f"({args.execute} candidates, baseline included)")
        print(f"ratio               executing afresh costs {wall / score_wall:.0f}x scoring (wall), "
              f"{cpu / score_cpu:.0f}x (CPU)")


def end_to_end(repo: Path, count: int, python, pytest_args) -> tuple[float, float]:
    """Per-candidate wall and CPU (this process and its children) of executing a seeded random ``count`` of the
    candidates of a fresh copy of REPO with a new store, so that nothing executed earlier is reused."""
    from bugprm.execute import execute_candidates
    from bugprm.mutate.run import generate_pool

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / repo.name
        shutil.copytree(repo, copy, symlinks=True, ignore=shutil.ignore_patterns(".bugprm"))
        generate_pool(copy, None)
        with Store.open(find_store_directory(None, copy)) as store:
            pool = store.candidates()
            chosen = [pool[i] for i in random.Random(0).sample(range(len(pool)), min(count, len(pool)))]
            started, cpu = time.perf_counter(), _cpu_with_children()
            execute_candidates(store, copy, chosen, python=python, pytest_args=pytest_args)
            return (time.perf_counter() - started) / len(chosen), (_cpu_with_children() - cpu) / len(chosen)


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _cpu_with_children() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
