"""The base PRM: trained on many packages' executed candidates at once, so that a repository where nothing was executed
yet starts warm, with probabilities that hold on a package the model never saw.

Honest on a new package means estimated on packages left out, so folds are made of whole packages (a candidate's
neighbours in its own package would make every estimate look better than it is on a new one):

- the priors (forest, text) are fitted once per fold, on the other folds; the heads train on each trajectory's
  estimate from the priors that never saw its package;
- the calibration (one map per coverage stratum: ``bugprm.stratified_calibration``, the covered one with a term for
  the pool's covered share fitted by package: ``bugprm.pool_level``) is fitted on nested
  out-of-fold scores: for each fold, a model (those priors, and heads trained on
  the other folds) scores it, each score centred by that model's level (``fold_levels``); the shipped model's own
  level, read on a sample of its training candidates, centres its scores before the maps. One level is skipped for
  cost: the prior estimates those inner heads train on come from priors that saw the fold (through other folds'
  training sets), never from its own package's labels directly;
- the model that ships: priors on every package, heads on the fold estimates, and that calibration.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import torch

from bugprm.config import Config, prior_names
from bugprm.errors import InputError
from bugprm.metrics import aggregate, auroc
from bugprm.model.examples import Example
from bugprm.model.prior import FITTED, ForestPrior, Prior, TextPrior
from bugprm.model.prm import PRM
from bugprm.model.training import new_model, train
from bugprm.pool_level import with_pool_term
from bugprm.stratified_calibration import StratifiedCalibration, centred, fit_stratified, model_level, stratum

FOLDS = 5
FOREST_TREES = 100  # with FOREST_MIN_LEAF, keeps the saved forest a few MB on tens of thousands of labels
FOREST_MIN_LEAF = 20
CALIBRATION = "platt"  # isotonic's steps tie the scores of a new package into a few levels, and cost it AUROC
HEAD_OUTPUT_SCALE = 0.1  # the heads start as a small correction to the forest offset, not as noise beside it
LEVEL_PRIOR = "forest"  # the models' levels are read against it: refitted per fold, its level moves little
LEVEL_SAMPLE = 512  # training candidates the shipped model's level is read on (it varies by ~0.01 between packages)


@dataclass(frozen=True)
class BaseModel:
    model: PRM
    folds: list[list[str]]  # package names, per fold
    out_of_fold: dict[str, float]  # trajectory id -> its nested leave-packages-out score, before calibration
    prior_out_of_fold: dict[str, dict[str, float]]  # prior -> trajectory id -> log-odds of the prior without its fold
    seconds: float


def train_base(packages: Mapping[str, Sequence[Example]], config: Config,
               say: Callable[[str], None] = lambda line: None,
               repairs: Mapping[str, Sequence[Example]] | None = None) -> BaseModel:
    """A model trained on every package's labelled trajectories (package name -> examples), calibrated on
    nested leave-packages-out scores. ``repairs`` (package name -> repair trajectories) join the priors of every
    fold, so each has an estimate from priors that never saw its package (what a state ranker trains on), and the
    model that ships; not the fold heads whose scores are measured and calibrated, which read bugs only."""
    started = time.perf_counter()
    folds = package_folds({name: len(found) for name, found in packages.items()}, FOLDS)
    members = [[e for name in fold for e in packages[name]] for fold in folds]
    patches = [[e for name in fold for e in (repairs or {}).get(name, ())] for fold in folds]
    fold_priors = [fit_priors(_without(members, i) + _without(patches, i), config) for i in range(len(folds))]
    estimates = _fold_estimates([m + p for m, p in zip(members, patches)], fold_priors)
    raw: dict[str, float] = {}
    for i, inside in enumerate(members):
        say(f"fold {i + 1}/{len(folds)}: {', '.join(folds[i])} held out")
        inner = _trained(_without(members, i), config, fold_priors[i], estimates)
        raw.update(trajectory_scores(inner, inside))
    examples = [e for found in members for e in found]
    labels = {e.id: e.trajectory_label for e in examples}
    every = examples + [e for found in patches for e in found]
    say(f"all {len(packages)} packages: {len(examples)} bug trajectories, {len(every) - len(examples)} repair")
    model = _trained(every, config, fit_priors(every, config), estimates)
    levels = fold_levels(folds, packages, raw, estimates.get(LEVEL_PRIOR, {}))
    fitted_on = centred_by_fold(folds, packages, raw, levels)
    model.calibration = calibrated_on_folds(examples, fitted_on, own_level(model, examples),
                                            {e.id: name for name, found in packages.items() for e in found})
    model.summary = {**model.summary, "base": _summary(packages, folds, raw, labels)}
    return BaseModel(model, folds, raw, estimates, time.perf_counter() - started)


def calibrated_on_folds(examples: Sequence[Example], fitted_on: Mapping[str, float], level: float,
                        package_of: Mapping[str, str]) -> StratifiedCalibration:
    """One map per coverage stratum on the nested out-of-fold scores (each centred by its fold model's level),
    served at the shipped model's ``level``, with the pool term fitted by package (``bugprm.pool_level``)."""
    scores, labels = [fitted_on[e.id] for e in examples], [e.trajectory_label for e in examples]
    strata = [stratum(e.kind, e.features) for e in examples]
    return with_pool_term(fit_stratified(CALIBRATION, scores, labels, strata, level), scores, labels, strata,
                          [package_of[e.id] for e in examples])


def package_folds(sizes: Mapping[str, int], folds: int) -> list[list[str]]:
    """Packages in at most ``folds`` groups of about equal size (largest first into the smallest group)."""
    if len(sizes) < 2:
        raise InputError(f"a base model needs at least 2 packages to be calibrated on left-out ones, got "
                         f"{len(sizes)} ({', '.join(sizes) or 'none'})")
    groups: list[list[str]] = [[] for _ in range(min(folds, len(sizes)))]
    totals = [0] * len(groups)
    for name in sorted(sizes, key=lambda n: (-sizes[n], n)):
        smallest = totals.index(min(totals))
        groups[smallest].append(name)
        totals[smallest] += sizes[name]
    return [sorted(group) for group in groups]


def fit_priors(examples: Sequence[Example], config: Config) -> dict[str, Prior]:
    labels, seed = [e.trajectory_label for e in examples], config.training.seed
    fitted: dict[str, Prior] = {}
    for name in prior_names(config.model.prior):
        if name not in FITTED:
            raise InputError(f"model.prior {name} cannot be fitted on the corpus (a base model reads forest, text)")
        fitted[name] = (ForestPrior.fit(examples, labels, seed, FOREST_TREES, FOREST_MIN_LEAF) if name == "forest"
                        else TextPrior.fit(examples, labels, seed))
    return fitted


def fold_levels(folds: list[list[str]], packages: Mapping[str, Sequence[Example]], raw: Mapping[str, float],
                prior: Mapping[str, float]) -> list[float]:
    """Each fold model's level on the fold it scored (``model_level``; a missing prior reads as even odds)."""
    ids = [[e.id for name in fold for e in packages[name]] for fold in folds]
    return [model_level([raw[i] for i in found], [prior.get(i, 0.0) for i in found]) for found in ids]


def own_level(model: PRM, examples: Sequence[Example]) -> float:
    """The model's level on an evenly spaced sample of ``examples``, scored before any calibration is set."""
    sample = list(examples)[:: max(1, len(examples) // LEVEL_SAMPLE)]
    scores = trajectory_scores(model, sample)
    return model_level([scores[e.id] for e in sample], list(model.prior_log_odds(LEVEL_PRIOR, sample)))


def centred_by_fold(folds: list[list[str]], packages: Mapping[str, Sequence[Example]], raw: Mapping[str, float],
                    levels: Sequence[float]) -> dict[str, float]:
    """Trajectory id -> its raw score centred by the level of the fold model that scored it."""
    found = [e.id for fold in folds for name in fold for e in packages[name]]
    scores = [centred([raw[e.id] for name in fold for e in packages[name]], level)
              for fold, level in zip(folds, levels)]
    return dict(zip(found, np.concatenate(scores).tolist()))


def trajectory_scores(model: PRM, examples: Sequence[Example]) -> dict[str, float]:
    how = model.config.scoring.aggregate
    return {s.id: aggregate(s.step_mean, how) for s in model.score(examples, batch_size=64)}


def _trained(examples: Sequence[Example], config: Config, priors: dict[str, Prior], estimates: dict) -> PRM:
    model = new_model(config, examples)
    _start_near_the_prior(model)
    model.priors = dict(priors)
    ids = {e.id for e in examples}
    train(model, examples, prior_estimates={n: {i: v for i, v in found.items() if i in ids}
                                            for n, found in estimates.items()})
    return model


@torch.no_grad()
def _start_near_the_prior(model: PRM) -> None:
    """Scale each head's output layer (and its anchor, which the penalty pulls toward) down: an untrained head's
    output is noise, and with the prior offset the model should start as the prior itself."""
    for name in ("weight3", "bias3", "anchor_weight3", "anchor_bias3"):
        getattr(model.heads, name).mul_(HEAD_OUTPUT_SCALE)


def _fold_estimates(members: list[list[Example]], fold_priors: list[dict[str, Prior]]) -> dict[str, dict]:
    """Prior name -> trajectory id -> the log-odds of the prior fitted without its fold."""
    estimates: dict[str, dict[str, float]] = {}
    for inside, priors in zip(members, fold_priors):
        for name, prior in priors.items():
            estimates.setdefault(name, {}).update(zip((e.id for e in inside), prior.log_odds(inside).tolist()))
    return estimates


def _without(members: list[list[Example]], index: int) -> list[Example]:
    return [e for i, found in enumerate(members) if i != index for e in found]


def _summary(packages: Mapping[str, Sequence[Example]], folds: list[list[str]], raw: dict, labels: dict) -> dict:
    per_package = {}
    for name, found in sorted(packages.items()):
        y = [labels[e.id] for e in found]
        per_package[name] = {"trajectories": len(found), "kill_rate": round(float(np.mean(y)), 4),
                             "out_of_fold_auroc": round(auroc(y, [raw[e.id] for e in found]), 4)}
    return {"folds": folds, "calibration": f"{CALIBRATION} per coverage stratum", "packages": per_package}
