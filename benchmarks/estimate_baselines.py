"""`--goal estimate` against the random baselines' exact errors, not their errors on 10 sampled seeds.

    python benchmarks/estimate_baselines.py REPO... --results RESULTS.json... [--budget 0.1]

A random sample's mean has a known error: on a training pool of N with kill rate p, n = budget x N draws without
replacement give variance p (1 - p) N / (N - 1) / n x (1 - n / N). The coverage-aware random sample counts the
uncovered exactly and samples n of the Nc covered (kill rate pc): (Nc / N)^2 pc (1 - pc) Nc / (Nc - 1) / n x
(1 - n / Nc). Printed per package, over the seeds the results hold (each seed's own split): the estimate's measured
root-mean-square error and interval coverage, both baselines' exact RMS errors, and the ratios. Each baseline's
error over 10 sampled seeds moves by about a quarter of itself; its exact value does not.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bugprm.bench.evaluation import baseline_variances
from bugprm.bench.pools import recorded_pool
from bugprm.bench.splits import within_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--results", nargs="+", required=True)
    parser.add_argument("--budget", type=float, default=0.1)
    args = parser.parse_args()
    rows = [r for path in args.results for r in json.load(open(path))["rows"]
            if r["strategy"] == "estimate" and r["budget"] == args.budget]
    print("| package | seeds | estimate RMS error | plain random mean, exact RMS | ratio | coverage-aware random, "
          "exact RMS | ratio | estimate 95% interval coverage |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for repo in args.repos:
        pool = recorded_pool(repo)
        mine = {r["seed"]: r for r in rows if r["repo"] == pool.name}
        if not mine:
            continue
        variances = np.array([baseline_variances(within_split(pool, 0.3, seed), args.budget) for seed in mine])
        measured = np.sqrt(np.mean([r["estimate_error"] ** 2 for r in mine.values()]))
        plain, aware = np.sqrt(variances.mean(axis=0))
        coverage = np.mean([r["estimate_covered"] for r in mine.values()])
        print(f"| {pool.name} | {len(mine)} | {measured:.4f} | {plain:.4f} | {measured / plain:.2f} | {aware:.4f} | "
              f"{measured / aware:.2f} | {coverage:.2f} |")


if __name__ == "__main__":
    main()
