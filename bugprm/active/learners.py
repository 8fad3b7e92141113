"""Which learner scores the pool between the loop's rounds (``active_learning.learner``), cold or from a base model."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from bugprm.active.forest_learner import BaggedForestLearner
from bugprm.config import ActiveLearningConfig, Config
from bugprm.errors import ConfigError

from bugprm.config import LEARNERS  # noqa: E402


def loop_learner(config: Config, settings: ActiveLearningConfig, corpus: Sequence[str] = (), seed: int = 0,
                 base_model: Path | None = None):
    """``forest``: bagged forests refitted in full each round; ``prm``: the PRM, continued each round. With a
    ``base_model`` the forests are stacked on it (``WarmLearner``) and the PRM starts from its weights."""
    if settings.learner == "forest":
        local = BaggedForestLearner(seed, calibration=settings.calibration, neighbours=settings.neighbour_features)
        return local if base_model is None else warm_learner(base_model, local, settings, seed)
    if settings.learner == "prm":
        return prm_learner(config, corpus, seed, settings.min_round_steps, init_from=base_model)
    raise ConfigError(f"active_learning.learner must be one of {', '.join(LEARNERS)}, got {settings.learner!r}")


def prm_learner(config: Config, corpus: Sequence[str] = (), seed: int = 0, min_round_steps: int = 0,
                init_from: Path | None = None):
    from bugprm.active.learner import PrmLearner

    return PrmLearner(config, corpus=corpus, init_from=init_from, seed=seed, min_round_steps=min_round_steps)


def warm_learner(base_model: Path, local, settings: ActiveLearningConfig | None = None, seed: int = 0):
    """The local learner stacked on the base model saved in ``base_model`` (loaded now, with torch):
    ``local`` itself, or as ``settings.warm_local`` says, the base's forest refined by the labels."""
    from bugprm.active.warm_learner import WarmLearner
    from bugprm.scoring.adapter import load_scorer

    if settings is not None and settings.warm_local != "forest":
        local = refined_local(base_model, local, settings, seed)
    return WarmLearner(load_scorer(base_model), local)


def refined_local(base_model: Path, local, settings: ActiveLearningConfig, seed: int):
    """The base's forest prior with its leaves refined by the labels, alone or read by ``local`` as a feature."""
    from bugprm.active.leaf_refined import BlendedLocal, LeafRefinedForest, RefinedFeatureForests
    from bugprm.model.io import load_fitted_prior

    forest = load_fitted_prior(base_model, "forest")
    refined = LeafRefinedForest(forest, seed, strength=settings.leaf_strength, calibration=settings.calibration)
    if settings.warm_local == "refined":
        return refined
    if settings.warm_local == "blend":
        return BlendedLocal(local, refined)
    return RefinedFeatureForests(forest, local, strength=settings.leaf_strength)
