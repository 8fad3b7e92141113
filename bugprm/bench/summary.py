"""Learning curves from result rows: per split, strategy and budget, the mean and spread over seeds."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from bugprm.bench.evaluation import METRICS

SUMMARISED = METRICS + ("executed", "cpu_seconds")


def summarise(rows) -> list[dict]:
    """Each seed's value is the mean over the repositories tested; the entry gives mean and std over seeds."""
    groups: dict[tuple, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        groups[(row["split"], row["strategy"], row["budget"])][row["seed"]].append(row)
    return [_entry(key, by_seed) for key, by_seed in groups.items()]


def _entry(key: tuple, by_seed: dict[int, list[dict]]) -> dict:
    split, strategy, budget = key
    entry = {"split": split, "strategy": strategy, "budget": budget, "seeds": len(by_seed)}
    for metric in SUMMARISED:
        entry[metric] = _spread([_mean([row.get(metric) for row in rows]) for rows in by_seed.values()])
    return entry


def _spread(values: list[float | None]) -> dict | None:
    known = [v for v in values if v is not None]
    if not known:
        return None
    return {"mean": round(float(np.mean(known)), 4), "std": round(float(np.std(known)), 4)}


def _mean(values: list) -> float | None:
    known = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return float(np.mean(known)) if known else None
