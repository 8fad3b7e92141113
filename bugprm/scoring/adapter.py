"""The trained PRM as a ``Scorer``: ``bugprm.model`` (and torch) load only when ``load_scorer`` is called."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from bugprm.errors import ModelError
from bugprm.records import Candidate, Kind, TrajectoryScore
from bugprm.scoring.records import Scorer
from bugprm.stratified_calibration import StratifiedCalibration, pool_covered_share


def load_scorer(model_dir: str | Path) -> Scorer:
    """The trained ensemble in ``model_dir`` as a ``Scorer``; ``bugprm.model`` (and torch) load only now."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise ModelError(f"no model at {model_dir} (train one first, or pass --model DIR)")
    try:
        from bugprm.model import load_model
    except ImportError as exc:
        raise ModelError(f"this bugprm cannot load models ({exc})") from exc
    return ModelScorer(load_model(model_dir))  # calibrated: the PRM applies the map saved with it


class ModelScorer:
    """A ``Scorer`` over a loaded PRM (anything whose ``score`` gives ``step_mean`` and ``step_std`` per item).

    Torch gets no more threads than the machine has idle cores (unless ``threads`` says how many): beside one
    other busy process two threads wait on each other at every op and scoring takes several times as long. On an
    idle machine a second thread pays off for wider backbones (the old 256-wide default: a third less time); for
    the 64-wide presets it changes wall time by -10% to +20% (BENCHMARKS.md, "Scoring against executing").
    """

    def __init__(self, model, threads: int | None = None):
        self.model, self.threads = model, threads

    def score(self, candidates: Sequence[Candidate]) -> list[TrajectoryScore]:
        return list(self.model.score(list(candidates), threads=self.threads or idle_cores()))

    def for_pool(self, pool: Sequence[Candidate]) -> "ModelScorer":
        """This scorer serving ``pool`` (the repository's candidate bugs): a base model's calibration reads the
        pool's covered share (``bugprm.pool_level``), which no chunk of candidates scored at a time tells."""
        if isinstance(self.model.calibration, StratifiedCalibration):
            share = pool_covered_share([c.features for c in pool if c.kind is Kind.BUG])
            self.model.calibration = self.model.calibration.for_pool(share)
        return self


def idle_cores() -> int:
    """The cores this process may use that the last minute's load average left idle; at least one."""
    return max(1, round(len(os.sched_getaffinity(0)) - os.getloadavg()[0]))
