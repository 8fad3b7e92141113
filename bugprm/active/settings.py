"""From config file, the repository's ``[tool.bugprm]`` and command-line options to one TrainRequest.

Later layers win: the YAML (or preset), then the first repository's ``[tool.bugprm]``, then the command line.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bugprm.active.run import TrainRequest
from bugprm.config import MODEL_DIRNAME, ActiveLearningConfig, load_config, with_corpus_prior
from bugprm.errors import InputError
from bugprm.execute.executors import LOCAL
from bugprm.model.choice import BASE_MODEL_ENV, base_model_directory
from bugprm.store import find_store_directory

__all__ = ["MODEL_DIRNAME", "loop_settings", "train_request"]


def loop_settings(active: ActiveLearningConfig, **overrides) -> ActiveLearningConfig:
    """The config's active-learning section with the options given (None means not given)."""
    return replace(active, **{k: v for k, v in overrides.items() if v is not None})


def train_request(repos, config_source, budget, strategy, mode, diversity_weight, eval_fraction, out_dir,
                  max_candidates, workers, python, pytest_args, corpus_prior=None, store_dir=None,
                  executor=LOCAL, goal=None, start_from=None) -> TrainRequest:
    repos = tuple(Path(r).resolve() for r in repos)
    if store_dir is not None and len(repos) > 1:
        raise InputError("--store names one run directory; with several repositories each keeps its own .bugprm/")
    given = {"active_learning.budget": budget, "active_learning.strategy": strategy, "active_learning.mode": mode,
             "active_learning.diversity_weight": diversity_weight, "active_learning.goal": goal}
    config = with_corpus_prior(load_config(config_source, repos[0], overrides=given), corpus_prior)
    return TrainRequest(
        repos=repos, config=config,
        out=Path(out_dir) if out_dir else find_store_directory(store_dir, repos[0]) / MODEL_DIRNAME,
        store_dir=Path(store_dir) if store_dir else None,
        eval_fraction=eval_fraction, workers=workers, python=python, pytest_args=pytest_args,
        max_candidates=max_candidates, executor=executor, base_model=starting_model(start_from),
    )


def starting_model(start_from: str | None) -> Path | None:
    """``--from``: ``base`` (the default where a base model exists) or ``none`` (a cold start)."""
    if start_from == "none":
        return None
    found = base_model_directory()
    if found is None and start_from == "base":
        raise InputError(f"--from base: this bugprm ships no base model and ${BASE_MODEL_ENV} is not set; "
                         "train cold with --from none")
    return found
