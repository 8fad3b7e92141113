"""How much test execution a run may spend: a fraction of the pool, a count, or CPU-seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass

from bugprm.errors import InputError


@dataclass(frozen=True)
class Budget:
    fraction: float | None = None
    count: int | None = None
    cpu_seconds: float | None = None

    @classmethod
    def parse(cls, text: str | float) -> "Budget":
        """``0.2`` a fraction of the pool, ``150`` a count, ``cpu:600`` CPU-seconds of test execution."""
        text = str(text).strip()
        try:
            if text.startswith("cpu:"):
                return cls(cpu_seconds=_positive(float(text[4:])))
            value = float(text)
        except ValueError:
            raise InputError(f"budget {text!r} is not a fraction, a count or cpu:SECONDS") from None
        if 0 < value <= 1 and ("." in text or value < 1):
            return cls(fraction=value)
        return cls(count=int(_positive(value)))

    def limit(self, pool_size: int) -> int:
        """The most candidates this budget lets a run execute."""
        if self.fraction is not None:
            return math.floor(self.fraction * pool_size + 1e-9)
        if self.count is not None:
            return min(self.count, pool_size)
        return pool_size

    def left(self, executed: int, cpu_spent: float, pool_size: int) -> int:
        if self.cpu_seconds is not None and cpu_spent >= self.cpu_seconds:
            return 0
        return max(0, self.limit(pool_size) - executed)

    def describe(self) -> str:
        if self.fraction is not None:
            return f"{self.fraction:.0%} of the pool"
        if self.count is not None:
            return f"{self.count} candidates"
        return f"{self.cpu_seconds:g} test CPU-seconds"


def _positive(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"a budget must be a positive, finite number, not {value:g} (e.g. 0.2, 150 or cpu:600)")
    return value
