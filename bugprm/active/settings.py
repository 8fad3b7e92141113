"""From config file and command-line options to one TrainRequest; the command line wins over the YAML."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bugprm.active.budget import Budget
from bugprm.active.run import TrainRequest
from bugprm.config import ActiveLearningConfig, Config, load_config, with_corpus_prior
from bugprm.errors import ConfigError, InputError
from bugprm.execute.executors import LOCAL
from bugprm.store import find_store_directory

MODEL_DIRNAME = "model"


def loop_settings(active: ActiveLearningConfig, **overrides) -> ActiveLearningConfig:
    """The config's active-learning section with the command-line options given (None means not given)."""
    return replace(active, **{k: v for k, v in overrides.items() if v is not None})


MODEL_SIZES = ("vocab_size", "hidden_size", "num_layers", "num_heads_attention", "heads", "head_hidden", "max_length")


def check_model_sizes(config: Config) -> None:
    """Sizes a model is built from must be positive: checked before any test runs, not after the labels are paid."""
    for key in MODEL_SIZES:
        if getattr(config.model, key) < 1:
            raise ConfigError(f"model.{key} must be a positive integer, got {getattr(config.model, key)}: "
                              "fix the config file or use a preset (tiny, default)")


def train_request(repos, config_source, budget, strategy, mode, diversity_weight, eval_fraction, out_dir,
                  max_candidates, workers, python, pytest_args, corpus_prior=None, store_dir=None,
                  executor=LOCAL, goal=None) -> TrainRequest:
    config = with_corpus_prior(load_config(config_source), corpus_prior)
    check_model_sizes(config)
    repos = tuple(Path(r).resolve() for r in repos)
    if store_dir is not None and len(repos) > 1:
        raise InputError("--store names one run directory; with several repositories each keeps its own .bugprm/")
    return TrainRequest(
        repos=repos, config=config, budget=Budget.parse(budget if budget is not None else config.active_learning.budget),
        out=Path(out_dir) if out_dir else find_store_directory(store_dir, repos[0]) / MODEL_DIRNAME,
        store_dir=Path(store_dir) if store_dir else None,
        settings=loop_settings(config.active_learning, mode=mode, strategy=strategy, diversity_weight=diversity_weight,
                               goal=goal),
        eval_fraction=eval_fraction, workers=workers, python=python, pytest_args=pytest_args,
        max_candidates=max_candidates, executor=executor,
    )
