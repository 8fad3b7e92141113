"""Strategies compared on the same seeds: per repository and budget, the mean of each seed's difference from a
reference strategy, with a 95% t-interval. Seeds share the split and the seed set, so the difference removes what
they have in common, which a comparison of two means over seeds leaves in."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

REFERENCES = ("random", "same-line")
COMPARED = ("auroc", "auroc_covered", "survivors_found", "score_error_probability", "calibration_error")


def paired_differences(rows, references=REFERENCES, metrics=COMPARED) -> list[dict]:
    by_run = {(r["split"], r["repo"], r["strategy"], r["budget"], r["seed"]): r for r in rows}
    groups: dict[tuple, list[tuple[dict, dict]]] = defaultdict(list)
    for (split, repo, strategy, budget, seed), row in by_run.items():
        for reference in references:
            other = _reference_row(by_run, split, repo, reference, budget, seed)
            if other is not None and strategy != reference:
                groups[(split, repo, strategy, reference, budget)].append((row, other))
    return [_entry(key, pairs, metrics) for key, pairs in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def _reference_row(by_run, split, repo, reference, budget, seed):
    """The reference at the same budget; a budget-free one (no such row) at whatever budget it ran."""
    row = by_run.get((split, repo, reference, budget, seed))
    return row or next((r for k, r in by_run.items() if k[:3] == (split, repo, reference) and k[4] == seed), None)


def _entry(key: tuple, pairs: list[tuple[dict, dict]], metrics) -> dict:
    split, repo, strategy, reference, budget = key
    entry = {"split": split, "repo": repo, "strategy": strategy, "reference": reference, "budget": budget,
             "seeds": len(pairs)}
    for metric in metrics:
        entry[metric] = mean_interval([_difference(a.get(metric), b.get(metric)) for a, b in pairs])
    return entry


def mean_interval(values: list[float | None], level: float = 0.95) -> dict | None:
    """Mean and its t-interval; None when no value is known."""
    known = np.array([v for v in values if v is not None], dtype=float)
    if known.size == 0:
        return None
    mean = float(known.mean())
    if known.size < 2:
        return {"mean": round(mean, 4), "low": None, "high": None}
    from scipy.stats import t

    half = float(t.ppf(0.5 + level / 2, known.size - 1) * known.std(ddof=1) / math.sqrt(known.size))
    return {"mean": round(mean, 4), "low": round(mean - half, 4), "high": round(mean + half, 4)}


def _difference(a, b) -> float | None:
    if a is None or b is None or any(isinstance(v, float) and math.isnan(v) for v in (a, b)):
        return None
    return float(a) - float(b)


def pooled_by_count(estimates: list[tuple[float, float, float, int]], level: float = 0.95) -> dict:
    """One mean and interval from independent estimates ``(mean, low, high, count)`` whose per-item rows are gone:
    the count-weighted mean, and a normal interval whose standard error combines each estimate's own (its
    interval's width over 2 z). What a bootstrap resampling each group on its own gives over the pooled items,
    to the normal approximation; a percentile interval's asymmetry is lost."""
    from scipy.stats import norm

    if not estimates or any(count <= 0 or high < low for _, low, high, count in estimates):
        raise ValueError(f"expected (mean, low, high, count) with low <= high and count > 0, got {estimates!r}")
    z, total = float(norm.ppf(0.5 + level / 2)), sum(count for *_, count in estimates)
    mean = sum(m * count for m, _, _, count in estimates) / total
    error = math.sqrt(sum((count / total * (high - low) / (2 * z)) ** 2 for _, low, high, count in estimates))
    return {"mean": round(mean, 4), "low": round(mean - z * error, 4), "high": round(mean + z * error, 4),
            "count": total}
