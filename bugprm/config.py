"""Run configuration: frozen dataclasses read from YAML, where an unknown key is an error that names it.

``load_config`` takes a YAML path or a preset name (a file in ``configs/``); keys a file leaves out keep their
defaults. ``with_overrides`` changes single keys; ``fingerprint`` names a configuration by its content.
No torch here: every stage may read the configuration.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from bugprm.errors import ConfigError

PRESET_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_PRESET = "default"
# YAML keys that are Python keywords, and the attribute each is stored under.
_KEY_ALIASES = {"lambda": "anchor_lambda"}


@dataclass(frozen=True)
class ModelConfig:
    backbone: str = "scratch"  # "scratch": built from this section; otherwise a transformers name or local path
    architecture: str = "llama"  # scratch only: "llama" (causal) or "roberta" (bidirectional)
    vocab_size: int = 4000  # scratch only: size of the byte-level BPE trained on the corpus
    hidden_size: int = 64
    num_layers: int = 2
    num_heads_attention: int = 2
    heads: int = 8
    head_hidden: int = 64
    anchor_lambda: float = 1e-3  # YAML key `lambda`: pull of each head toward its own initial weights
    bootstrap: float = 0.0  # chance a head sees a trajectory; 0 turns the bootstrap mask off
    max_length: int = 192
    use_features: bool = False
    consistent_steps: bool = True  # raise each step's reward to the best reward after it (a prefix's value bound)
    # Estimates the heads read beside the backbone: "forest" (PMT features), "text" (hashed n-grams), both, or "none"
    prior: str = "forest+text"
    # A prior whose log-odds is added to every head's logit ("none", one of `prior`, or "mean" of them), for every
    # trajectory kind or per kind ("repair:forest"): the heads then learn a correction to it instead of recovering
    # its ranking from one input among many (BENCHMARKS.md, repair ranking)
    prior_offset: str = "repair:forest"
    # A model directory whose text prior, fitted on other projects' labels, the heads read as the frozen `corpus`
    # prior (name `corpus` in `prior`): what a project's own few labels cannot teach (BENCHMARKS.md, corpus prior)
    corpus_prior: str = ""
    dropout: float = 0.1
    warmup_lm_steps: int = 0


@dataclass(frozen=True)
class ActiveLearningConfig:
    strategy: str = "actprm"
    delta_pred: float = 0.95
    delta_std: float = 0.005
    diversity_weight: float = 0.0
    batch_size: int = 64
    rounds: int = 10
    seed_size: int = 0  # random seed set; 0: the smaller of 100 and 5% of the pool
    budget: float = 0.2  # <= 1: a fraction of the pool; above 1: a count of candidates
    mode: str = "pool"  # pool: re-score the whole pool each round; stream: walk it in batches (the paper's)
    sampling: str = "uniform"  # among the uncertain: uniform draw, top (most uncertain first), proportional
    mc_passes: int = 8  # dropout passes for the mc-dropout and composite strategies
    seed: int = 0  # for the seed set, random selection and the stream order
    # What scores the pool between rounds: "forest" (bagged forests refitted in full each round, the final PRM
    # trained at the end) or "prm" (the PRM itself, continued each round for at least `min_round_steps`)
    learner: str = "forest"
    min_round_steps: int = 50
    # "relative": the top `uncertain_share` of the pool by the strategy's score is uncertain; "absolute": the
    # paper's fixed thresholds (delta_pred, delta_std)
    thresholds: str = "relative"
    uncertain_share: float = 0.3
    stop_when_certain: bool = False  # stop before the budget is spent when nothing counts as uncertain
    seed_selection: str = "stratified"  # "stratified" (by coverage, operator family and file) or "uniform"
    calibration: str = "platt"  # out-of-fold map from score to probability: "platt", "isotonic" or "none"
    # What the loop is for: "rank" (the PRM that ranks the unexecuted rest: `strategy`) or "gaps" (find surviving
    # candidates: the likeliest survivors first, `uniform_floor` of each round drawn uniformly)
    goal: str = "rank"
    uniform_floor: float = 0.0  # share of each round drawn uniformly from the pool (0.2 under goal gaps if 0)


@dataclass(frozen=True)
class TrainingConfig:
    learning_rate: float = 5e-4
    head_learning_rate: float = 0.0  # 0: same as learning_rate (raise it for a pretrained backbone's small rate)
    warmup_steps: int = 20
    max_steps: int = 0  # 0: run `epochs` passes over the data
    gradient_accumulation: int = 1
    batch_size: int = 16
    epochs: int = 3
    seed: int = 0
    drop_after_first_negative: bool = True
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    validation_fraction: float = 0.1  # held out by `fit` to report metrics in the model directory


@dataclass(frozen=True)
class OptimizationConfig:
    mixed_precision: str = "auto"  # auto (bf16 on a GPU that has it), no, bf16, fp16; CPU always runs fp32
    gradient_checkpointing: bool = False  # GPU only
    cpu_offload: bool = False  # accepted, not implemented yet


@dataclass(frozen=True)
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    active_learning: ActiveLearningConfig = field(default_factory=ActiveLearningConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    optimization: OptimizationConfig = field(default_factory=OptimizationConfig)

    def to_dict(self) -> dict:
        return {f.name: _section_to_dict(getattr(self, f.name)) for f in fields(self)}

    def fingerprint(self) -> str:
        return fingerprint(self)


_SECTIONS = {f.name: f.default_factory for f in fields(Config)}


def load_config(source: str | Path | None = None) -> Config:
    """A config from a YAML file, or from a preset name such as ``tiny``; None gives the default preset."""
    path = _resolve(source if source is not None else DEFAULT_PRESET)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config {path} must be a mapping of sections, not {type(data).__name__}")
    return config_from_dict(data, origin=str(path))


def config_from_dict(data: dict, origin: str = "config") -> Config:
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"{origin}: unknown section {unknown[0]!r} (known: {', '.join(_SECTIONS)})")
    sections = {name: _section(name, factory(), data.get(name) or {}, origin) for name, factory in _SECTIONS.items()}
    return Config(**sections)


def with_overrides(config: Config, overrides: dict) -> Config:
    """``config`` with keys replaced: ``{"model": {"heads": 4}}`` or ``{"model.heads": 4}``."""
    merged = config.to_dict()
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        updates = {name: value} if name else value
        if section not in merged or not isinstance(updates, dict):
            raise ConfigError(f"override {key!r}: unknown section {section!r} (known: {', '.join(_SECTIONS)})")
        merged[section] = {**merged[section], **updates}
    return config_from_dict(merged, origin="overrides")


def with_corpus_prior(config: Config, model_dir: str | Path | None) -> Config:
    """``config`` whose heads also read the text prior of the model saved in ``model_dir`` (None: unchanged)."""
    if model_dir is None:
        return config
    prior = config.model.prior if "corpus" in config.model.prior.split("+") else f"{config.model.prior}+corpus"
    return with_overrides(config, {"model": {"prior": prior.removeprefix("none+"),
                                             "corpus_prior": str(Path(model_dir).resolve())}})


def fingerprint(config: Config) -> str:
    blob = json.dumps(config.to_dict(), sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESET_DIR.glob("*.yaml"))


def _resolve(source: str | Path) -> Path:
    path = Path(source)
    if path.is_file():
        return path
    preset = PRESET_DIR / f"{source}.yaml"
    if preset.is_file():
        return preset
    raise ConfigError(f"no config file or preset named {str(source)!r} (presets: {', '.join(preset_names())})")


def _section(name: str, defaults, values: dict, origin: str):
    if not isinstance(values, dict):
        raise ConfigError(f"{origin}: section {name!r} must be a mapping")
    known = {f.name: f for f in fields(defaults)}
    updates = {}
    for key, value in values.items():
        attribute = _KEY_ALIASES.get(key, key)
        if attribute not in known:
            raise ConfigError(f"{origin}: unknown key {key!r} in section {name!r}")
        updates[attribute] = _checked(name, key, value, getattr(defaults, attribute))
    return replace(defaults, **updates)


def _checked(section: str, key: str, value, default):
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
        return value
    raise ConfigError(f"{section}.{key} must be {expected.__name__}, got {value!r}")


def _section_to_dict(section) -> dict:
    inverse = {attribute: key for key, attribute in _KEY_ALIASES.items()}
    return {inverse.get(f.name, f.name): getattr(section, f.name) for f in fields(section)}
