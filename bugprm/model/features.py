"""Numeric trajectory features the heads may see beside the hidden state, standardised by a saved schema."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True)
class FeatureSchema:
    names: tuple[str, ...] = ()
    means: tuple[float, ...] = ()
    scales: tuple[float, ...] = ()

    @property
    def size(self) -> int:
        return len(self.names)

    def vector(self, features: dict) -> list[float]:
        """Standardised values in schema order; a missing or non-numeric value reads as the training mean (0)."""
        values = (_numeric(features.get(name)) for name in self.names)
        return [0.0 if v is None else (v - m) / s for v, m, s in zip(values, self.means, self.scales)]

    def to_json(self) -> dict:
        return {"names": list(self.names), "means": list(self.means), "scales": list(self.scales)}

    @classmethod
    def from_json(cls, data: dict) -> "FeatureSchema":
        return cls(tuple(data["names"]), tuple(map(float, data["means"])), tuple(map(float, data["scales"])))


def fit_schema(feature_dicts: Sequence[dict]) -> FeatureSchema:
    """Every key that is numeric in some training trajectory, with its mean and standard deviation."""
    names = sorted({k for d in feature_dicts for k, v in d.items() if _numeric(v) is not None})
    columns = [[x for d in feature_dicts if (x := _numeric(d.get(name))) is not None] for name in names]
    means = [sum(c) / len(c) for c in columns]
    scales = [_std(c, m) or 1.0 for c, m in zip(columns, means)]
    return FeatureSchema(tuple(names), tuple(means), tuple(scales))


def _numeric(value) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def _std(column: list[float], mean: float) -> float:
    return math.sqrt(sum((x - mean) ** 2 for x in column) / len(column))
