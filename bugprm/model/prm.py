"""The process reward model: a backbone read at each ``<step>`` token, and an ensemble of heads on top.

``PRM.score`` is deterministic in eval mode; with ``mc_passes`` it also keeps dropout on and pools the heads of
every stochastic pass. Each trajectory's score carries the per-step mean and std over those members, the
per-head probabilities, and a pooled embedding for diversity-aware selection.
"""

from __future__ import annotations

import contextlib
from typing import Iterable, Sequence

import numpy as np
import torch
from torch import nn

from bugprm.calibration import Calibration
from bugprm.stratified_calibration import StratifiedCalibration, calibrated, stratum
from bugprm.config import Config, prior_names, prior_offset_choices
from bugprm.errors import ConfigError
from bugprm.model.backbone import step_hidden_states
from bugprm.model.batching import Batch, by_length, collate
from bugprm.model.device import autocast, autocast_dtype
from bugprm.model.encoding import Encoded, encode_examples
from bugprm.model.examples import Example, as_example
from bugprm.model.features import FeatureSchema
from bugprm.model.heads import EnsembleHeads
from bugprm.model.consistency import consistent_with_completions
from bugprm.model.prior import KINDS, Prior
from bugprm.model.scores import TrajectoryScore
from bugprm.model.tokenizer import special_ids
from bugprm.records import Candidate



class PRM(nn.Module):
    def __init__(self, backbone: nn.Module, tokenizer, config: Config, schema: FeatureSchema = FeatureSchema()):
        super().__init__()
        self.backbone, self.tokenizer, self.config, self.schema = backbone, tokenizer, config, schema
        self.special = special_ids(tokenizer)
        m = config.model
        if "corpus" in prior_names(m.prior) and not m.corpus_prior:
            raise ConfigError("model.prior names corpus but model.corpus_prior gives no model directory to read "
                              "it from")
        width = backbone.config.hidden_size + (schema.size if m.use_features else 0) + len(prior_names(m.prior))
        self.heads = EnsembleHeads(m.heads, width, m.head_hidden, m.dropout, seed=config.training.seed)
        self.offset_priors = offset_priors(m.prior, m.prior_offset)
        self.priors: dict[str, Prior] = {}  # fitted by training, for the names the config gives
        self.summary: dict = {}  # training data and metrics, saved with the model
        # heads' probabilities -> calibrated ones (the base model's, per coverage stratum; train's; else identity)
        self.calibration: Calibration | StratifiedCalibration = Calibration()

    @property
    def device(self) -> torch.device:
        return self.heads.weight1.device

    def encode(self, examples: Sequence[Example], drop_after_first_negative: bool = True) -> list[Encoded]:
        limit = self.config.model.max_length
        return encode_examples(examples, self.tokenizer, self.special, limit, drop_after_first_negative)

    def batch(self, examples: Sequence[Example], encoded: Sequence[Encoded],
              prior_log_odds: dict[str, dict[str, float]] | None = None) -> Batch:
        """``prior_log_odds`` (prior -> id -> value) replace the fitted priors' estimates (training passes
        out-of-fold ones)."""
        use, names = self.config.model.use_features, prior_names(self.config.model.prior)
        features = [self.schema.vector(e.features) if use else [] for e in examples]
        for name in names:
            given = (prior_log_odds or {}).get(name, {})
            fitted = self.prior_log_odds(name, [e for e in examples if e.id not in given])
            features = [[*f, given[e.id] if e.id in given else next(fitted)] for f, e in zip(features, examples)]
        offsets = [self._offset(e.kind, dict(zip(names, f[len(f) - len(names):]))) for e, f in zip(examples, features)]
        return collate(encoded, features, self.tokenizer.pad_token_id, offsets).to(self.device)

    def _offset(self, kind: str, values: dict[str, float]) -> float:
        """The mean log-odds (prior name -> value) of the priors that offset this kind's head logits; 0 when none do."""
        chosen = [values[name] for name in self.offset_priors.get(kind, ())]
        return sum(chosen) / len(chosen) if chosen else 0.0

    def prior_log_odds(self, name: str, examples: Sequence[Example]):
        """An iterator of the named prior's estimates; 0 (even odds) before it is fitted."""
        if name not in self.priors or not examples:
            return iter([0.0] * len(examples))
        return iter(self.priors[name].log_odds(examples).tolist())

    def forward(self, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits [K, N], backbone states [N, H]) at the N step ends of the batch."""
        states = self.step_states(batch)
        return self.head_logits(states, batch), states

    def step_states(self, batch: Batch) -> torch.Tensor:
        states = step_hidden_states(self.backbone, batch.input_ids, batch.attention_mask, batch.step_rows,
                                    batch.step_cols)
        return states.float()

    def head_logits(self, states: torch.Tensor, batch: Batch) -> torch.Tensor:
        if batch.features.shape[1]:
            states = torch.cat([states, batch.features[batch.step_rows]], dim=-1)
        return self.heads(states) + batch.offsets[batch.step_rows]

    @torch.inference_mode()
    def score(self, items: Iterable[Candidate | Example], batch_size: int = 32, mc_passes: int = 0,
              seed: int = 0, threads: int | None = None) -> list[TrajectoryScore]:
        """Scores in input order; ``mc_passes`` > 0 adds that many dropout passes (seeded by ``seed``);
        ``threads`` caps torch's intra-op threads for this call (None: as they are)."""
        examples = [as_example(item) for item in items]
        encoded = self.encode(examples)
        priors = {name: dict(zip((e.id for e in examples), self.prior_log_odds(name, examples)))
                  for name in self.priors}  # once for all: a call per batch costs more than the batch's backbone
        found: dict[int, TrajectoryScore] = {}
        self.eval()
        with torch.random.fork_rng(devices=[]), _dropout_on(self, mc_passes > 0), _intra_op_threads(threads):
            torch.manual_seed(seed)
            for indices in by_length(encoded, batch_size):
                chosen = [examples[i] for i in indices]
                scored = self._score_batch(chosen, [encoded[i] for i in indices], mc_passes, priors)
                found.update(zip(indices, scored))
        return [found[i] for i in range(len(examples))]

    def _score_batch(self, examples, encoded, mc_passes: int, priors: dict) -> list[TrajectoryScore]:
        batch = self.batch(examples, encoded, priors)
        with autocast(self.device, autocast_dtype(self.device, self.config.optimization.mixed_precision)):
            states = self.step_states(batch)
            passes = range(max(mc_passes, 1))
            logits = [self.head_logits(self._states_for_pass(states, batch, p), batch) for p in passes]
        states, rows = states.cpu(), batch.step_rows.cpu()
        probabilities = self._calibrated(torch.sigmoid(torch.stack(logits).float()).cpu(), examples, rows)  # [P, K, N]
        per_trajectory = (probabilities[:, :, rows == r] for r in range(len(examples)))
        if self.config.model.consistent_steps:
            per_trajectory = map(consistent_with_completions, per_trajectory)
        return [_trajectory_score(e.id, p, states[rows == r])
                for r, (e, p) in enumerate(zip(examples, per_trajectory))]

    def _calibrated(self, probabilities: torch.Tensor, examples: Sequence[Example], rows: torch.Tensor) -> torch.Tensor:
        """Every member's step probabilities through the saved monotone map (its trajectory's stratum's, for a
        stratified one), so that every consumer (score, repair, the active loop) reads calibrated numbers; a monotone
        map keeps the steps consistent and, within a stratum, the ranking."""
        if self.calibration.kind == "none":
            return probabilities
        strata = np.array([stratum(e.kind, e.features) for e in examples])[rows.numpy()]
        return torch.from_numpy(calibrated(self.calibration, probabilities.numpy(), strata)).to(probabilities.dtype)

    def _states_for_pass(self, states: torch.Tensor, batch: Batch, index: int) -> torch.Tensor:
        """The backbone is rerun for each MC pass only if dropout can change its output."""
        dropouts = (m for m in self.backbone.modules() if isinstance(m, nn.Dropout))
        return self.step_states(batch) if index > 0 and any(m.training and m.p > 0 for m in dropouts) else states


def offset_priors(prior: str, setting: str) -> dict[str, tuple[str, ...]]:
    """``model.prior_offset`` -> trajectory kind -> the priors whose mean log-odds offsets its head logits.

    ``none``; a prior (``forest``), or ``mean`` of all, for every kind; or per kind, ``repair:forest,bug:none``.
    A prior the model does not read (``model.prior``) offsets nothing, so the default suits any ``model.prior``.
    """
    names = prior_names(prior)
    choices = {"none": (), "mean": names, **{name: (name,) if name in names else () for name in KINDS}}
    try:
        per_kind = prior_offset_choices(setting)
    except ValueError as exc:
        raise ConfigError(f"model.prior_offset {exc}") from None
    return {kind: choices[value] for kind, value in per_kind.items()}


def _trajectory_score(trajectory_id: str, probabilities: torch.Tensor, states: torch.Tensor) -> TrajectoryScore:
    passes, heads, steps = probabilities.shape
    members = probabilities.reshape(passes * heads, steps)
    std = members.std(dim=0, correction=1 if passes * heads > 1 else 0)
    return TrajectoryScore(
        id=trajectory_id, step_mean=tuple(members.mean(dim=0).tolist()), step_std=tuple(std.tolist()),
        per_head=tuple(tuple(row) for row in probabilities.mean(dim=0).tolist()),
        embedding=tuple(states.mean(dim=0).tolist()),
    )


@contextlib.contextmanager
def _dropout_on(model: nn.Module, enabled: bool):
    """Dropout layers in training mode for MC dropout; everything else stays in eval mode."""
    dropouts = [m for m in model.modules() if isinstance(m, nn.Dropout)] if enabled else []
    for module in dropouts:
        module.train()
    try:
        yield
    finally:
        for module in dropouts:
            module.eval()


@contextlib.contextmanager
def _intra_op_threads(count: int | None):
    """At most ``count`` torch threads in the block; the count is process-wide, so it is restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(min(count or before, before))
    try:
        yield
    finally:
        torch.set_num_threads(before)
