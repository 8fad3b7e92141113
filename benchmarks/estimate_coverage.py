"""`--goal estimate`'s interval over many seeds: how often it holds the truth, with the plus-two pseudo-terms at the
ends of the kill rate's range (the estimator's default) and at 0 and 1 (before issue 15's fourth session).

    python benchmarks/estimate_coverage.py REPO... [--seeds 50] [--first-seed 0] [--budget 0.1] [--heads 8]
        [--trees 10] [--set active_learning.rounds=4] [--json F]

Each seed splits the pool as `bench_active_loop.py` does (30% held out), runs the estimate loop on the training
pool from its recorded verdicts (`--recorded` stores: nothing is executed) and computes both intervals from the same
draws. Printed per package: interval coverage of the true kill rate of the training pool (count, share and its 95%
Wilson interval), mean interval width, the estimate's root-mean-square error and the exact RMS error of the plain
random-sample mean for the same budget (`estimate_baselines.py`), and their ratio.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import yaml

from bugprm.active.estimate import CONFIDENCE, estimate
from bugprm.bench.pools import recorded_pool
from bugprm.bench.evaluation import baseline_variances
from bugprm.bench.runners import estimating_run, forest_size
from bugprm.bench.splits import within_split
from bugprm.config import load_config, with_overrides
from bugprm.model.pmt_forest import is_valid_bug

VARIANTS = {"range": None, "zero_one": (0.0, 1.0)}  # where the two pseudo-terms sit


def one_seed(pool, seed: int, budget: float, config) -> dict:
    split = within_split(pool, 0.3, seed)
    loop, _, _ = estimating_run(split, budget, config)
    truth = float(np.mean([is_valid_bug(split.verdicts[c.id]) for c in split.train]))
    row = {"repo": pool.name, "seed": seed, "truth": truth, "plain_variance": baseline_variances(split, budget)[0]}
    for name, bounds in VARIANTS.items():
        found = estimate(loop.draws, loop.verdicts(), len(loop.pool), CONFIDENCE, bounds)
        row[name] = {"value": found.value, "low": found.low, "high": found.high,
                     "covered": found.low <= truth <= found.high}
    return row


def wilson(hits: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    share, spread = hits / total, z * z / total
    centre = (share + spread / 2) / (1 + spread)
    half = z / (1 + spread) * math.sqrt(share * (1 - share) / total + spread / (4 * total))
    return centre - half, centre + half


def summary_line(name: str, rows: list[dict]) -> str:
    cells = []
    for variant in VARIANTS:
        hits = sum(r[variant]["covered"] for r in rows)
        low, high = wilson(hits, len(rows))
        width = np.mean([r[variant]["high"] - r[variant]["low"] for r in rows])
        cells.append(f"{hits}/{len(rows)} = {hits / len(rows):.2f} [{low:.2f}, {high:.2f}] | {width:.4f}")
    error = math.sqrt(np.mean([(r["range"]["value"] - r["truth"]) ** 2 for r in rows]))
    plain = math.sqrt(np.mean([r["plain_variance"] for r in rows]))
    return f"| {name} | {len(rows)} | " + " | ".join(cells) + f" | {error:.4f} | {plain:.4f} | {error / plain:.2f} |"


def main() -> None:
    args = _arguments()
    forest_size(args.heads, args.trees)
    config = with_overrides(load_config("default"), {k: yaml.safe_load(v) for k, v in
                                                      (item.split("=", 1) for item in args.set)})
    print("| package | seeds | coverage, pseudo-terms at the range's ends [95% CI] | mean width | coverage, "
          "pseudo-terms 0 and 1 | mean width | estimate RMS | plain mean, exact RMS | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows: list[dict] = []
    for repo in args.repos:
        pool = recorded_pool(repo)
        mine = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            mine.append(one_seed(pool, seed, args.budget, config))
            if args.json:
                Path(args.json).write_text(json.dumps(rows + mine, default=float))
        rows += mine
        print(summary_line(pool.name, mine), flush=True)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=0.1)
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--trees", type=int, default=10)
    parser.add_argument("--set", action="append", default=["active_learning.rounds=4"])
    parser.add_argument("--json")
    return parser.parse_args()


if __name__ == "__main__":
    main()
