"""Which learner scores the pool between the loop's rounds (``active_learning.learner``)."""

from __future__ import annotations

from typing import Sequence

from bugprm.active.forest_learner import BaggedForestLearner
from bugprm.config import ActiveLearningConfig, Config
from bugprm.errors import ConfigError

from bugprm.config import LEARNERS  # noqa: E402


def loop_learner(config: Config, settings: ActiveLearningConfig, corpus: Sequence[str] = (), seed: int = 0):
    """``forest``: bagged forests refitted in full each round; ``prm``: the PRM, continued each round."""
    if settings.learner == "forest":
        return BaggedForestLearner(seed, calibration=settings.calibration)
    if settings.learner == "prm":
        return prm_learner(config, corpus, seed, settings.min_round_steps)
    raise ConfigError(f"active_learning.learner must be one of {', '.join(LEARNERS)}, got {settings.learner!r}")


def prm_learner(config: Config, corpus: Sequence[str] = (), seed: int = 0, min_round_steps: int = 0):
    from bugprm.active.learner import PrmLearner

    return PrmLearner(config, corpus=corpus, seed=seed, min_round_steps=min_round_steps)
