"""From config file and command-line options to one TrainRequest; the command line wins over the YAML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bugprm.active.budget import Budget
from bugprm.active.run import TrainRequest
from bugprm.config import ActiveLearningConfig, load_config, with_corpus_prior
from bugprm.store import find_store_directory

MODEL_DIRNAME = "model"


def loop_settings(active: ActiveLearningConfig, **overrides) -> ActiveLearningConfig:
    """The config's active-learning section with the command-line options given (None means not given)."""
    return replace(active, **{k: v for k, v in overrides.items() if v is not None})


def train_request(repos, config_source, budget, strategy, mode, diversity_weight, eval_fraction, out_dir,
                  max_candidates, workers, python, pytest_args, corpus_prior=None, goal=None) -> TrainRequest:
    config = with_corpus_prior(load_config(config_source), corpus_prior)
    repos = tuple(Path(r).resolve() for r in repos)
    return TrainRequest(
        repos=repos, config=config, budget=Budget.parse(budget if budget is not None else config.active_learning.budget),
        out=Path(out_dir) if out_dir else find_store_directory(None, repos[0]) / MODEL_DIRNAME,
        settings=loop_settings(config.active_learning, mode=mode, strategy=strategy, diversity_weight=diversity_weight,
                               goal=goal),
        eval_fraction=eval_fraction, workers=workers, python=python, pytest_args=pytest_args,
        max_candidates=max_candidates,
    )
