"""The PRM as the active loop's learner: fit on labelled trajectories, predict per-head step probabilities.

It lives in `active/` because it adapts the model to the loop's `Learner` protocol: `model/` never imports `active/`.
Importing it loads torch; the loop itself does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from bugprm.active.strategies import Prediction
from bugprm.config import Config
from bugprm.model.examples import as_example
from bugprm.model.io import load_model, save_model
from bugprm.model.prm import PRM
from bugprm.model.training import new_model, train, update, with_training
from bugprm.records import Candidate


class PrmLearner:
    """The first fit trains a new model (or continues one saved at ``init_from``); later fits continue it."""

    def __init__(self, config: Config, corpus: Sequence[str] = (), init_from: Path | None = None, seed: int = 0,
                 min_round_steps: int = 0):
        self.config, self.corpus, self.init_from, self.seed = config, list(corpus), init_from, seed
        self.min_round_steps = min_round_steps  # a round's update runs at least this many optimizer steps
        self.model: PRM | None = None

    def fit(self, labelled: list[Candidate]) -> dict:
        if self.model is None:
            self.model = self._start(labelled)
            log = train(self.model, labelled)
        else:
            log = update(self.model, labelled, min_steps=self.min_round_steps)
        return {"trained_on": log.trajectories, "optimizer_steps": log.steps,
                "loss": round(float(np.mean(log.losses[-5:])), 4) if log.losses else None,
                "train_seconds": round(log.seconds, 2)}

    def refit(self, labelled: list[Candidate]) -> dict:
        """A fresh model trained for the configured epochs on every label: the rounds' updates run one epoch each."""
        self.model = None
        return self.fit(labelled)

    def predict(self, candidates: list[Candidate], mc_passes: int = 0) -> list[Prediction]:
        scores = self.model.score(candidates, mc_passes=mc_passes, seed=self.seed)
        return [_prediction(s, mc_passes) for s in scores]

    def calibrate(self, calibration) -> None:
        """Its scores from now on, and the saved model's, pass through ``calibration`` (a ``bugprm.calibration``
        map): a model fine-tuned from the base gets a map of its own, not the base's."""
        self.model.calibration = calibration

    def save(self, directory: Path) -> Path:
        return save_model(self.model, directory)

    def _start(self, labelled: list[Candidate]) -> PRM:
        if self.init_from is not None:
            return with_training(load_model(self.init_from), self.config)
        return new_model(self.config, [as_example(c) for c in labelled], self.corpus)


def _prediction(score, mc_passes: int) -> Prediction:
    per_head = np.array(score.per_head, dtype=float)
    mc_variance = np.square(np.array(score.step_std, dtype=float)) if mc_passes else None
    return Prediction(score.id, per_head, np.array(score.embedding, dtype=float), mc_variance)
