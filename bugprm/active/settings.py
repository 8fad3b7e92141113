"""From config file and command-line options to one TrainRequest; the command line wins over the YAML."""

from __future__ import annotations

from pathlib import Path

from bugprm.active.budget import Budget
from bugprm.active.loop import LoopSettings
from bugprm.active.run import TrainRequest
from bugprm.config import load_config
from bugprm.store import find_store_directory

MODEL_DIRNAME = "model"


def loop_settings(active, mode: str | None = None, **overrides) -> LoopSettings:
    chosen = {k: v for k, v in overrides.items() if v is not None}
    return LoopSettings(
        strategy=chosen.get("strategy", active.strategy), delta_pred=active.delta_pred, delta_std=active.delta_std,
        diversity_weight=chosen.get("diversity_weight", active.diversity_weight), batch_size=active.batch_size,
        rounds=active.rounds, seed_size=active.seed_size, mode=mode or active.mode, mc_passes=active.mc_passes,
    )


def train_request(repos, config_source, budget, strategy, mode, diversity_weight, eval_fraction, out_dir,
                  max_candidates, workers, python, pytest_args) -> TrainRequest:
    config = load_config(config_source)
    repos = tuple(Path(r).resolve() for r in repos)
    return TrainRequest(
        repos=repos, config=config, budget=Budget.parse(budget if budget is not None else config.active_learning.budget),
        out=Path(out_dir) if out_dir else find_store_directory(None, repos[0]) / MODEL_DIRNAME,
        settings=loop_settings(config.active_learning, mode, strategy=strategy, diversity_weight=diversity_weight),
        eval_fraction=eval_fraction, workers=workers, python=python, pytest_args=pytest_args,
        max_candidates=max_candidates,
    )
