"""Training: ``fit`` a new (or saved) model on labelled trajectories, ``update`` one with new examples.

AdamW with linear warm-up and decay, gradient accumulation and clipping, fixed seeds. Autocast and gradient
checkpointing switch on only on a GPU; plain fp32 CPU training is the tested path. The anchored penalty is
added once per optimizer step, so a micro-batch without labelled steps adds nothing.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

import torch

from bugprm.config import Config, TrainingConfig, prior_names
from bugprm.model.backbone import new_backbone
from bugprm.model.batching import has_labels, shuffled_by_length
from bugprm.model.device import autocast, autocast_dtype, default_device
from bugprm.model.encoding import Encoded
from bugprm.model.examples import Example, as_example
from bugprm.model.features import FeatureSchema, fit_schema
from bugprm.model.io import load_corpus_prior
from bugprm.model.loss import bootstrap_mask, step_bce
from bugprm.model.prior import FITTED, KINDS, out_of_fold_log_odds
from bugprm.model.prm import PRM
from bugprm.model.warmup import warm_up
from bugprm.records import Candidate


MIN_PER_CLASS = 2  # of each outcome, for the priors' out-of-fold estimates (two folds)


@dataclass(frozen=True)
class TrainLog:
    trajectories: int
    steps: int
    losses: tuple[float, ...]  # data loss of each optimizer step
    seconds: float


def new_model(config: Config, examples: Sequence[Example], corpus: Sequence[str] = (), device=None) -> PRM:
    """An untrained model; a scratch backbone's tokenizer is trained on the step texts and ``corpus``."""
    torch.manual_seed(config.training.seed)
    texts = [*corpus, *(t for e in examples for t in (e.prompt, *e.texts) if t)]
    backbone, tokenizer = new_backbone(config.model, texts, config.training.seed)
    schema = fit_schema([e.features for e in examples]) if config.model.use_features else FeatureSchema()
    model = PRM(backbone, tokenizer, config, schema).to(device or default_device())
    if "corpus" in prior_names(config.model.prior):
        model.priors["corpus"] = load_corpus_prior(Path(config.model.corpus_prior))
    losses = _warm_up(model, texts)
    if losses:
        model.summary["warmup_lm"] = {"steps": len(losses), "loss_first": losses[0], "loss_last": losses[-1]}
    return model


def train(model: PRM, items: Sequence[Candidate | Example], max_steps: int | None = None,
          decay: bool = True, prior_estimates: dict[str, dict[str, float]] | None = None) -> TrainLog:
    """Train in place on the items that have a labelled step; ``max_steps`` overrides the config's length.
    ``prior_estimates`` (prior -> id -> log-odds): the caller fitted ``model.priors`` itself and gives the
    out-of-fold estimates the heads train on (the base model's come from folds by package), so none is refitted."""
    settings, started = model.config.training, time.perf_counter()
    examples = [as_example(item) for item in items]
    encoded = model.encode(examples, settings.drop_after_first_negative)
    pairs = [(example, e) for example, e in zip(examples, encoded) if has_labels(e)]
    if not pairs:
        return TrainLog(0, 0, (), 0.0)
    priors = prior_estimates if prior_estimates is not None else _fit_priors(model, [ex for ex, _ in pairs])
    batches = _micro_batches(pairs, settings)
    steps = max_steps or _planned_steps(len(pairs), settings)
    optimizer = _optimizer(model, settings)
    schedule = _schedule(optimizer, settings.warmup_steps if decay else 0, steps if decay else 0)
    losses = _run(model, batches, optimizer, schedule, steps, priors)
    model.eval()
    return TrainLog(len(pairs), steps, tuple(losses), time.perf_counter() - started)


def update(model: PRM, items: Sequence[Candidate | Example], epochs: int = 1, min_steps: int = 1) -> TrainLog:
    """Continue training on newly labelled items (the active-learning step): fresh AdamW, constant learning rate,
    at least ``min_steps`` optimizer steps (one epoch of a few labels is a handful of steps: the base rate only)."""
    settings = model.config.training
    labelled = sum(as_example(item).has_labels for item in items)
    steps = max(1, min_steps, math.ceil(epochs * labelled / (settings.batch_size * settings.gradient_accumulation)))
    return train(model, items, max_steps=steps, decay=False)


def with_training(model: PRM, config: Config) -> PRM:
    """The model set to train and run with ``config``'s training and optimization sections (its own model section)."""
    model.config = replace(model.config, training=config.training, optimization=config.optimization)
    return model


def _warm_up(model: PRM, texts: list[str]) -> list[float]:
    m, t = model.config.model, model.config.training
    return warm_up(model.backbone, model.tokenizer, texts, m.warmup_lm_steps, t.batch_size, t.learning_rate,
                   m.max_length, t.seed)


def _fit_priors(model: PRM, examples: list[Example]) -> dict[str, dict[str, float]]:
    """Refit each prior on every trajectory with a known fate; the heads train on out-of-fold estimates."""
    judged = [e for e in examples if e.trajectory_label is not None]
    labels, seed = [e.trajectory_label for e in judged], model.config.training.seed
    estimates = {}
    for name in prior_names(model.config.model.prior):
        if name not in FITTED:
            estimates[name] = dict(zip((e.id for e in judged), model.prior_log_odds(name, judged)))
            continue
        if min(labels.count(0), labels.count(1)) < MIN_PER_CLASS:
            # Too few of an outcome for out-of-fold estimates: the input stays 0 (even odds) in training and in
            # prediction alike; a prior fitted now would be a constant in one and vary in the other.
            model.priors.pop(name, None)
            estimates[name] = {e.id: 0.0 for e in judged}
            continue
        model.priors[name] = KINDS[name].fit(judged, labels, seed)
        estimates[name] = dict(zip((e.id for e in judged), out_of_fold_log_odds(name, judged, labels, seed)))
    return estimates


def _run(model: PRM, batches: Iterator, optimizer, schedule, steps: int, priors: dict) -> list[float]:
    dtype = autocast_dtype(model.device, model.config.optimization.mixed_precision)
    scaler = torch.amp.GradScaler(model.device.type, enabled=dtype is torch.float16)
    if model.config.optimization.gradient_checkpointing and model.device.type == "cuda":
        model.backbone.activation_checkpointing_enable()
    model.train()
    return [_optimizer_step(model, batches, optimizer, schedule, scaler, dtype, priors) for _ in range(steps)]


def _optimizer_step(model: PRM, batches: Iterator, optimizer, schedule, scaler, dtype, priors) -> float:
    settings = model.config.training
    optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for _ in range(settings.gradient_accumulation):
        loss = _data_loss(model, next(batches), dtype, priors) / settings.gradient_accumulation
        scaler.scale(loss).backward()
        total += loss.item()
    penalty = model.config.model.anchor_lambda * model.heads.anchor_penalty().mean()
    scaler.scale(penalty).backward()
    scaler.unscale_(optimizer)
    torch.nn.utils.clip_grad_norm_(model.parameters(), settings.max_grad_norm)
    scaler.step(optimizer)
    scaler.update()
    schedule.step()
    return total


def _data_loss(model: PRM, chosen: list[tuple[Example, Encoded]], dtype, priors: dict) -> torch.Tensor:
    examples, encoded = zip(*chosen)
    batch = model.batch(examples, encoded, priors)
    with autocast(model.device, dtype):
        logits, _ = model(batch)
    m, seed = model.config.model, model.config.training.seed
    mask = bootstrap_mask([e.id for e in examples], m.heads, m.bootstrap, seed).to(model.device)
    return step_bce(logits.float(), batch.step_labels, mask[:, batch.step_rows])


def _micro_batches(pairs: list[tuple[Example, Encoded]], settings: TrainingConfig) -> Iterator[list]:
    """(example, encoded) batches of similar lengths, epoch after epoch, without end."""
    rng = random.Random(settings.seed)
    encoded = [e for _, e in pairs]
    while True:
        for indices in shuffled_by_length(encoded, settings.batch_size, rng):
            yield [pairs[i] for i in indices]


def _planned_steps(count: int, settings: TrainingConfig) -> int:
    if settings.max_steps > 0:
        return settings.max_steps
    per_epoch = math.ceil(count / settings.batch_size)
    return max(1, math.ceil(settings.epochs * per_epoch / settings.gradient_accumulation))


def _optimizer(model: PRM, settings: TrainingConfig) -> torch.optim.Optimizer:
    # The heads already have their anchor as a prior: weight decay would pull them toward zero instead.
    groups = [
        {"params": list(model.backbone.parameters()), "weight_decay": settings.weight_decay},
        {"params": list(model.heads.parameters()), "weight_decay": 0.0,
         "lr": settings.head_learning_rate or settings.learning_rate},
    ]
    return torch.optim.AdamW(groups, lr=settings.learning_rate)


def _schedule(optimizer, warmup: int, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up over ``warmup`` steps then linear decay to 0 at ``total``; total 0 keeps the rate constant."""
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 1.0 if total <= 0 else max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
