"""What a `--goal estimate` design driven by a base model's predictions can reach at best on a pool, before any label:
exact per-draw variances, as error ratios against the plain random-sample mean of the same budget.

    python benchmarks/estimate_base_bound.py REPO=BASE... [--budget 0.1]

Each REPO holds a store with every candidate executed (as a corpus build leaves it); BASE is a base model that never
saw it. Nothing is executed. Over the whole pool scaled to a 70% training pool (as the bench splits it), printed:
the share no test covers, the covered kill rate against the base's mean prediction on the covered, the base's
covered AUROC, how often two mutants of one line share their verdict (against two at random), then error ratios of
- ``aware``: coverage only (the uncovered counted, a random sample of the covered);
- ``design``: the estimator's first round as shipped (difference estimator on the base, floor 0.2);
- ``strata``: five strata of the base's prediction, proportional allocation, each stratum's own mean;
- ``neyman``: the same strata allocated by their true spread (Neyman, known only after every execution);
- ``oracle``: the base recalibrated to the true kill rate of each tenth of its prediction, drawn in proportion to
  that rate's spread: the least variance any reweighting of the base's ranking gives.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

import numpy as np

from bugprm.active.coverage_known import known_uncovered
from bugprm.active.estimate import inclusion_probabilities
from bugprm.active.neighbours import line_of
from bugprm.bench.pools import recorded_pool
from bugprm.metrics import auroc
from bugprm.model.pmt_forest import is_valid_bug

TRAINING_SHARE = 0.7


def per_draw(y: np.ndarray, p: np.ndarray, q: np.ndarray, size: int) -> float:
    """Var over the draw j (chance q_j) of mean(p) + (y_j - p_j) / (size q_j); ``size``: the whole pool."""
    residual = y - p
    return float((residual ** 2 / q).sum() / size ** 2 - (residual.sum() / size) ** 2)


def fifths(p: np.ndarray, parts: int = 5) -> list[np.ndarray]:
    return np.array_split(np.argsort(p, kind="stable"), parts)


def stratified(y: np.ndarray, p: np.ndarray, neyman: bool) -> float:
    """Per-draw variance of the stratified mean over the covered (weights W_h, spreads S_h)."""
    parts = fifths(p)
    weights = np.array([len(k) for k in parts]) / len(y)
    spreads = np.array([y[k].std() for k in parts])
    if neyman:
        return float((weights * spreads).sum() ** 2)
    return float((weights * spreads ** 2).sum())


def oracle(y: np.ndarray, p: np.ndarray) -> float:
    rate = np.empty(len(y))
    for k in fifths(p, 10):
        rate[k] = y[k].mean()
    spread = np.sqrt(rate * (1 - rate)) + 1e-9
    return per_draw(y, rate, spread / spread.sum(), len(y))


def same_line_agreement(candidates, y: np.ndarray) -> tuple[float, float]:
    """P(two mutants of one line share their verdict), and the same for two covered mutants at random."""
    lines: dict = {}
    for candidate, verdict in zip(candidates, y):
        lines.setdefault(line_of(candidate), Counter())[verdict] += 1
    same = sum(k * (k - 1) for c in lines.values() for k in c.values())
    pairs = sum(sum(c.values()) * (sum(c.values()) - 1) for c in lines.values())
    rate = y.mean()
    return same / pairs if pairs else math.nan, rate ** 2 + (1 - rate) ** 2


def bound_row(repo: Path, base: Path, budget: float) -> str:
    from bugprm.scoring.adapter import load_scorer  # torch

    pool = recorded_pool(repo)
    candidates = list(pool.candidates)
    y = np.array([is_valid_bug(pool.verdicts[c.id]) for c in candidates], dtype=float)
    covered = np.array([not known_uncovered(c) for c in candidates])
    scores = load_scorer(base).score([c for c, k in zip(candidates, covered) if k])
    p = np.array([np.min(np.array(s.per_head, dtype=float), axis=1).mean() for s in scores])
    yc, share = y[covered], covered.mean()
    train = int(TRAINING_SHARE * len(y))
    draws = max(1, round(budget * train))
    plain = y.var() * (train - draws) / (train - 1)
    aware = share ** 2 * yc.var() * (share * train - draws) / (share * train - 1)
    design = per_draw(yc, p, inclusion_probabilities(p, np.zeros(len(p), dtype=bool), 0.2), len(yc)) * share ** 2
    ratios = [aware, design] + [share ** 2 * v for v in (stratified(yc, p, False), stratified(yc, p, True),
                                                         oracle(yc, p))]
    agree, apart = same_line_agreement([c for c, k in zip(candidates, covered) if k], yc)
    return (f"| {pool.name} | {len(y)} | {1 - share:.2f} | {yc.mean():.3f} / {p.mean():.3f} | "
            f"{auroc(yc.tolist(), p.tolist()):.3f} | {agree:.2f} / {apart:.2f} | "
            + " | ".join(f"{math.sqrt(v / plain):.2f}" for v in ratios) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pairs", nargs="+", metavar="REPO=BASE")
    parser.add_argument("--budget", type=float, default=0.1)
    args = parser.parse_args()
    print("| package | pool | uncovered | covered kill rate / base mean | covered AUROC | same verdict: line-mates / "
          "any two | aware | design | strata | neyman | oracle |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for pair in args.pairs:
        repo, base = pair.split("=", 1)
        print(bound_row(Path(repo), Path(base), args.budget), flush=True)


if __name__ == "__main__":
    main()
