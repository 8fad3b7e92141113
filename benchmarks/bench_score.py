"""Scoring against executing: what `bugprm score` costs per candidate next to running its tests (issue 6's bar).

    python benchmarks/bench_score.py REPO [--model DIR] [--repeat 3]

REPO needs a store with executed candidates and a trained model (e.g. after `bugprm demo` or `bugprm train`).
Execution cost is what the harness recorded for each executed candidate (wall seconds and CPU seconds, tests only);
scoring cost is measured here, in this process, over every candidate in the store (model load excluded).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from bugprm.exporting import current_executions
from bugprm.store import Store, find_store_directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("repo", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from bugprm.model import load_model

    store_dir = find_store_directory(None, args.repo)
    with Store.open(store_dir) as store:
        candidates = store.candidates()
        executions = list(current_executions(store).values())
    model = load_model(args.model or store_dir / "model")
    model.score(candidates[:8])  # warm-up
    timings = []
    for _ in range(args.repeat):
        cpu, wall = resource.getrusage(resource.RUSAGE_SELF).ru_utime, time.perf_counter()
        model.score(candidates)
        timings.append((time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu))
    score_wall, score_cpu = min(t[0] for t in timings) / len(candidates), min(t[1] for t in timings) / len(candidates)
    exec_wall = sum(e.duration for e in executions) / len(executions)
    exec_cpu = sum(e.cpu_seconds for e in executions) / len(executions)
    print(f"candidates scored   {len(candidates)} (model {model.config.model.hidden_size} hidden, "
          f"{model.config.model.num_layers} layers)")
    print(f"scoring             {score_wall * 1000:.2f} ms wall, {score_cpu * 1000:.2f} ms CPU per candidate")
    print(f"executing           {exec_wall * 1000:.1f} ms wall, {exec_cpu * 1000:.1f} ms CPU per candidate "
          f"(mean of {len(executions)} executed)")
    print(f"ratio               executing costs {exec_wall / score_wall:.0f}x scoring (wall), "
          f"{exec_cpu / score_cpu:.0f}x (CPU)")


if __name__ == "__main__":
    main()
