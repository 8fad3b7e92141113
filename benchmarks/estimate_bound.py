"""How much `--goal estimate`'s difference estimator could gain at best on a pool: the exact per-draw variance of
its term under the design, with a model far better than a 10% budget can give (a forest's 5-fold out-of-fold
probabilities over the whole pool, Platt-calibrated), against a plain uniform draw's variance.

    python benchmarks/estimate_bound.py REPO... [--floor 0.2]

Each REPO holds a store with every candidate executed (as a corpus build leaves it); nothing is executed.
The printed error ratio is sqrt(variance ratio): what the estimate's error would be, relative to the plain random
sample mean's, if every draw were made with that model (the seed round's plain draws would raise it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bugprm.calibration import fit_calibration
from bugprm.active.estimate import inclusion_probabilities
from bugprm.model.pmt_forest import FeatureEncoder, is_valid_bug
from bugprm.bench.pools import recorded_pool
from bugprm.metrics import auroc


def out_of_fold_probabilities(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.model_selection import KFold, cross_val_predict

    folds = KFold(5, shuffle=True, random_state=0)  # shuffled: the pool is ordered by file
    forest = RandomForestClassifier(200, min_samples_leaf=2, random_state=0)
    raw = cross_val_predict(forest, x, y, cv=folds, method="predict_proba")[:, 1]
    return fit_calibration("platt", raw, y)(raw)


def per_draw_variance(y: np.ndarray, p: np.ndarray, floor: float) -> float:
    """Var of pool_mean + (y_j - p_j) / (N q_j) over the design's draw j."""
    q = inclusion_probabilities(p, np.zeros(len(p), dtype=bool), floor)
    terms = p.mean() + (y - p) / (len(y) * q)
    return float(np.sum(q * (terms - y.mean()) ** 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repos", nargs="+", type=Path)
    parser.add_argument("--floor", type=float, default=0.2)
    args = parser.parse_args()
    print("| package | pool | kill rate | model AUROC | per-draw variance: design / plain | error ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for repo in args.repos:
        pool = recorded_pool(repo)
        candidates = list(pool.candidates)
        y = np.array([is_valid_bug(pool.verdicts[c.id]) for c in candidates])
        p = out_of_fold_probabilities(FeatureEncoder.fit(candidates).transform(candidates), y)
        design, plain = per_draw_variance(y, p, args.floor), float(y.mean() * (1 - y.mean()))
        print(f"| {pool.name} | {len(y)} | {y.mean():.3f} | {auroc(y.tolist(), p.tolist()):.3f} | "
              f"{design:.4f} / {plain:.4f} | {np.sqrt(design / plain):.2f} |")


if __name__ == "__main__":
    main()
