"""Run configuration: frozen dataclasses read from YAML, where an unknown key or value is an error that names it.

``load_config`` takes a YAML path or a preset name (a file in ``configs/``); keys a file leaves out keep their
defaults. Every value is checked when the file loads, the small grammars too (prior lists, budgets, offsets, modes,
architectures, samplings): a misspelling fails here, before any test runs, not at the first fit. Each default
and each grammar is defined here once; the stages import them. The subject repository's ``[tool.bugprm]`` table
(``pyproject.toml``) is read into the same Config (``project_overrides``). ``with_overrides`` changes single keys
(the command line); ``fingerprint`` names the model-affecting part of a configuration by its content.
No torch here: every stage may read the configuration.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Callable

import yaml

from bugprm.errors import ConfigError, InputError
from bugprm.records import Kind

PRESET_DIR = Path(__file__).resolve().parent.parent / "configs"
DEFAULT_PRESET = "default"
MODEL_DIRNAME = "model"  # a trained model's directory inside the store directory
# YAML keys that are Python keywords, and the attribute each is stored under.
_KEY_ALIASES = {"lambda": "anchor_lambda"}

# The small grammars, each spelled once; the stages that read a value import its choices from here.
ARCHITECTURES = ("llama", "roberta")
PRIOR_NAMES = ("forest", "text", "corpus")
PRIOR_OFFSET_CHOICES = ("none", "mean", *PRIOR_NAMES)
MODES = ("pool", "stream")
SAMPLINGS = ("top", "proportional", "uniform")
STRATEGIES = ("actprm", "entropy", "mc-dropout", "margin", "committee", "composite", "survivors", "random")
LEARNERS = ("forest", "prm")
THRESHOLDS = ("relative", "absolute")
ALEATORIC_TESTS = ("rank", "confidence")
SEED_SELECTIONS = ("stratified", "uniform", "learner")
WARM_LOCALS = ("forest", "refined", "refined-feature", "blend")
CALIBRATIONS = ("platt", "isotonic", "none")
GOALS = ("rank", "gaps", "estimate")
EXECUTORS = ("local", "ray")
PRECISIONS = ("auto", "no", "bf16", "fp16")
AGGREGATES = ("min", "product", "mean", "last")
GATES = ("gaps", "none")


@dataclass(frozen=True)
class Budget:
    """How much test execution a run may spend: a fraction of the pool, a count, or CPU-seconds."""

    fraction: float | None = None
    count: int | None = None
    cpu_seconds: float | None = None

    @classmethod
    def parse(cls, text: str | float) -> "Budget":
        """``0.2`` a fraction of the pool, ``150`` a count, ``cpu:600`` CPU-seconds of test execution."""
        text = str(text).strip()
        try:
            if text.startswith("cpu:"):
                return cls(cpu_seconds=_positive_budget(float(text[4:])))
            value = float(text)
        except ValueError:
            raise InputError(f"budget {text!r} is not a fraction, a count or cpu:SECONDS") from None
        if 0 < value <= 1 and ("." in text or value < 1):
            return cls(fraction=value)
        return cls(count=int(_positive_budget(value)))

    def limit(self, pool_size: int) -> int:
        """The most candidates this budget lets a run execute."""
        if self.fraction is not None:
            return math.floor(self.fraction * pool_size + 1e-9)
        if self.count is not None:
            return min(self.count, pool_size)
        return pool_size

    def left(self, executed: int, cpu_spent: float, pool_size: int) -> int:
        if self.cpu_seconds is not None and cpu_spent >= self.cpu_seconds:
            return 0
        return max(0, self.limit(pool_size) - executed)

    def describe(self) -> str:
        if self.fraction is not None:
            return f"{self.fraction:.0%} of the pool"
        if self.count is not None:
            return f"{self.count} candidates"
        return f"{self.cpu_seconds:g} test CPU-seconds"


def _positive_budget(value: float) -> float:
    if not value > 0 or math.isinf(value):
        raise InputError(f"a budget must be a positive, finite number, not {value:g} (e.g. 0.2, 150 or cpu:600)")
    return value


def prior_names(setting: str) -> tuple[str, ...]:
    """``none``, or priors joined by ``+`` (``forest+text``, ``forest+text+corpus``) -> the priors' names."""
    return () if setting == "none" else tuple(setting.split("+"))


def prior_offset_choices(setting: str) -> dict[str, str]:
    """``model.prior_offset`` -> trajectory kind -> its choice: ``none``, ``mean`` or a prior's name.

    One choice for every kind (``forest``), or per kind (``repair:forest,bug:none``; a kind left out gets none).
    """
    if ":" not in setting:
        per_kind = {kind: setting for kind in Kind}
    else:
        per_kind = dict(part.partition(":")[::2] for part in setting.split(","))
    if not set(per_kind) <= set(Kind) or not set(per_kind.values()) <= set(PRIOR_OFFSET_CHOICES):
        raise ValueError(f"must be one of {', '.join(PRIOR_OFFSET_CHOICES)}, for every kind or as kind:choice pairs "
                         f"(kinds: {', '.join(Kind)}), got {setting!r}")
    return {str(kind): choice for kind, choice in per_kind.items()}


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
    budget: str = "0.2"  # a fraction of the pool (0.2), a count (150) or test CPU-seconds (cpu:600): `Budget`
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
    # ActPRM's aleatoric test under relative thresholds: "rank" (the expected rise of the rest's AUROC once the
    # verdict is known, `bugprm.active.rank_gain`) or "confidence" (the least confident, the paper's)
    aleatoric: str = "rank"
    stop_when_certain: bool = False  # stop before the budget is spent when nothing counts as uncertain
    # "stratified" (by coverage, operator family and file), "uniform", or "learner": a warm start's base model picks
    # the seed set by its uncertainty (it cost AUROC in BENCHMARKS.md, "Warm start"; stratified otherwise)
    seed_selection: str = "stratified"
    calibration: str = "platt"  # out-of-fold map from score to probability: "platt", "isotonic" or "none"
    # What the loop is for: "rank" (the PRM that ranks the unexecuted rest: `strategy`) or "gaps" (find surviving
    # candidates: the likeliest survivors first, `uniform_floor` of each round drawn uniformly) or "estimate" (the
    # mutation score with an interval: draws with known probabilities, `bugprm.active.estimate`)
    goal: str = "rank"
    uniform_floor: float = 0.0  # share of each round drawn uniformly from the pool (0.2 under goal gaps if 0)
    # The forest learner also reads what the executed candidates of the same line and function became
    # (`bugprm.active.neighbours`); goal rank weighs each uncertainty by (1 + unexecuted line-mates) ^ density_weight
    neighbour_features: bool = False
    density_weight: float = 0.0
    # A warm start's local learner beside the base model: "forest" (bagged forests on the package's labels alone),
    # "refined" (the base's own forest, each leaf's corpus kill rate updated by the labels, worth `leaf_strength`
    # labels: `bugprm.active.leaf_refined`), "refined-feature" (the bagged forests reading that refined score) or
    # "blend" (the forests and the refined forest averaged in log-odds; chosen on tuning packages, BENCHMARKS.md warm21)
    warm_local: str = "forest"
    leaf_strength: float = 2.0

    @property
    def parsed_budget(self) -> Budget:
        return Budget.parse(self.budget)


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


@dataclass(frozen=True)
class ScoringConfig:
    threshold: float = 0.7  # recommend "use" at or above this aggregate score, else "refine"
    aggregate: str = "min"  # steps -> one score: min, product, mean or last
    fail_under: float = 0.0  # the CI gate: exit 1 when a candidate or hunk scores below it; 0 never fails
    gate: str = "gaps"  # score --diff's default test-gap gate (bugprm.scoring.gate), or "none"


@dataclass(frozen=True)
class ProjectConfig:
    """The subject repository: which files are mutated and how its tests run (``[tool.bugprm]``)."""

    include: tuple[str, ...] = ()  # path prefixes or globs to mutate; empty: every discovered source file
    exclude: tuple[str, ...] = ("tests", "test", "benchmarks", "docs")  # path prefixes or globs never mutated
    python: str = ""  # the subject's interpreter; empty: remembered for the repository, else this one
    pytest_args: str = ""  # extra pytest arguments
    executor: str = "local"  # where label and train run candidates: "local" or "ray" (--executor)
    ray_address: str = ""  # a running Ray cluster for executor ray; empty: a local Ray for the command


@dataclass(frozen=True)
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    active_learning: ActiveLearningConfig = field(default_factory=ActiveLearningConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    optimization: OptimizationConfig = field(default_factory=OptimizationConfig)
    scoring: ScoringConfig = field(default_factory=ScoringConfig)
    project: ProjectConfig = field(default_factory=ProjectConfig)

    def to_dict(self) -> dict:
        return {f.name: _section_to_dict(getattr(self, f.name)) for f in fields(self)}

    def fingerprint(self) -> str:
        return fingerprint(self)


_SECTIONS = {f.name: f.default_factory for f in fields(Config)}
# The sections that change what a model learns; scoring and the subject's paths do not, so they stay out of its name.
_MODEL_SECTIONS = ("model", "active_learning", "training", "optimization")


def _one_of(choices: tuple[str, ...]) -> Callable:
    def check(value):
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {value!r}")
        return value
    return check


def _prior_list(value: str) -> str:
    names = prior_names(value)
    if value != "none" and (not names or len(set(names)) < len(names) or not set(names) <= set(PRIOR_NAMES)):
        raise ValueError(f"must be none or priors joined by + ({', '.join(PRIOR_NAMES)}), got {value!r}")
    return value


def _prior_offset(value: str) -> str:
    prior_offset_choices(value)
    return value


def _budget(value) -> str:
    try:
        Budget.parse(value)
    except InputError as exc:
        raise ValueError(str(exc)) from None
    return str(value)


def _at_least(low: float) -> Callable:
    def check(value):
        if value < low:
            raise ValueError(f"must be at least {low:g}, got {value!r}")
        return value
    return check


def _above(low: float) -> Callable:
    def check(value):
        if value <= low:
            raise ValueError(f"must be above {low:g}, got {value!r}")
        return value
    return check


def _between(low: float, high: float) -> Callable:
    def check(value):
        if not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}, got {value!r}")
        return value
    return check


_POSITIVE = _at_least(1)
_NON_NEGATIVE = _at_least(0)
_SHARE = _between(0, 1)
# Values beyond their type: the choices of a grammar, or a range. A key left out here only has its type checked.
_GRAMMARS: dict[str, Callable] = {
    "model.architecture": _one_of(ARCHITECTURES), "model.prior": _prior_list, "model.prior_offset": _prior_offset,
    **{f"model.{k}": _POSITIVE for k in ("vocab_size", "hidden_size", "num_layers", "num_heads_attention", "heads",
                                          "head_hidden", "max_length")},
    "model.bootstrap": _SHARE, "model.dropout": _between(0, 0.99), "model.anchor_lambda": _NON_NEGATIVE,
    "model.warmup_lm_steps": _NON_NEGATIVE,
    "active_learning.strategy": _one_of(STRATEGIES), "active_learning.mode": _one_of(MODES),
    "active_learning.sampling": _one_of(SAMPLINGS), "active_learning.budget": _budget,
    "active_learning.delta_pred": _SHARE, "active_learning.delta_std": _NON_NEGATIVE,
    "active_learning.diversity_weight": _NON_NEGATIVE, "active_learning.batch_size": _POSITIVE,
    "active_learning.rounds": _POSITIVE, "active_learning.seed_size": _NON_NEGATIVE,
    "active_learning.mc_passes": _NON_NEGATIVE,
    "project.executor": _one_of(EXECUTORS),
    "active_learning.learner": _one_of(LEARNERS), "active_learning.thresholds": _one_of(THRESHOLDS),
    "active_learning.seed_selection": _one_of(SEED_SELECTIONS), "active_learning.calibration": _one_of(CALIBRATIONS),
    "active_learning.goal": _one_of(GOALS), "active_learning.uncertain_share": _SHARE,
    "active_learning.aleatoric": _one_of(ALEATORIC_TESTS),
    "active_learning.uniform_floor": _SHARE, "active_learning.min_round_steps": _NON_NEGATIVE,
    "active_learning.density_weight": _NON_NEGATIVE,
    "active_learning.warm_local": _one_of(WARM_LOCALS), "active_learning.leaf_strength": _above(0),
    **{f"training.{k}": _POSITIVE for k in ("gradient_accumulation", "batch_size", "epochs")},
    **{f"training.{k}": _NON_NEGATIVE for k in ("learning_rate", "head_learning_rate", "warmup_steps", "max_steps",
                                                 "weight_decay", "max_grad_norm")},
    "training.validation_fraction": _between(0, 0.9),
    "optimization.mixed_precision": _one_of(PRECISIONS),
    "scoring.threshold": _SHARE, "scoring.aggregate": _one_of(AGGREGATES), "scoring.fail_under": _SHARE,
    "scoring.gate": _one_of(GATES),
}


def load_config(source: str | Path | None = None, repo: Path | None = None, overrides: dict | None = None) -> Config:
    """A config from a YAML file, or from a preset name such as ``tiny``; None gives the default preset.

    Later layers win: the file, then ``repo``'s ``[tool.bugprm]`` table, then ``overrides`` (the command line,
    where None means an option was not given).
    """
    path = _resolve(source if source is not None else DEFAULT_PRESET)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config {path} must be a mapping of sections, not {type(data).__name__}")
    config = config_from_dict(data, origin=str(path))
    if repo is not None:
        config = with_overrides(config, project_overrides(Path(repo)), origin=str(Path(repo) / "pyproject.toml"))
    given = {key: value for key, value in (overrides or {}).items() if value is not None}
    return with_overrides(config, given) if given else config


def config_from_dict(data: dict, origin: str = "config") -> Config:
    unknown = sorted(set(data) - set(_SECTIONS))
    if unknown:
        raise ConfigError(f"{origin}: unknown section {unknown[0]!r} (known: {', '.join(_SECTIONS)})")
    sections = {name: _section(name, factory(), data.get(name) or {}, origin) for name, factory in _SECTIONS.items()}
    return Config(**sections)


def with_overrides(config: Config, overrides: dict, origin: str = "overrides") -> Config:
    """``config`` with keys replaced: ``{"model": {"heads": 4}}`` or ``{"model.heads": 4}``."""
    merged = config.to_dict()
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        updates = {name: value} if name else value
        if section not in merged or not isinstance(updates, dict):
            raise ConfigError(f"{origin}: unknown section {section!r} in {key!r} (known: {', '.join(_SECTIONS)})")
        merged[section] = {**merged[section], **updates}
    return config_from_dict(merged, origin=origin)


# [tool.bugprm] keys outside a section table, and the key each sets.
_PROJECT_KEYS = {
    "include": "project.include", "exclude": "project.exclude", "python": "project.python",
    "pytest_args": "project.pytest_args", "threshold": "scoring.threshold", "aggregate": "scoring.aggregate",
    "fail_under": "scoring.fail_under", "budget": "active_learning.budget", "executor": "project.executor",
    "ray_address": "project.ray_address", "gate": "scoring.gate",
}


def project_overrides(repo: Path) -> dict:
    """The ``[tool.bugprm]`` table of ``repo``'s pyproject.toml as overrides (empty when there is none).

    Plain keys (``include``, ``threshold``, ``budget``...) and section tables (``[tool.bugprm.model]``) alike.
    """
    path = repo / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        table = tomllib.loads(path.read_text()).get("tool", {}).get("bugprm", {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    overrides = {}
    for key, value in table.items():
        if key not in _PROJECT_KEYS and key not in _SECTIONS:
            raise ConfigError(f"{path}: unknown key {key!r} in [tool.bugprm] (known: "
                              f"{', '.join([*_PROJECT_KEYS, *_SECTIONS])})")
        overrides[_PROJECT_KEYS.get(key, key)] = value
    return overrides


def with_corpus_prior(config: Config, model_dir: str | Path | None) -> Config:
    """``config`` whose heads also read the text prior of the model saved in ``model_dir`` (None: unchanged)."""
    if model_dir is None:
        return config
    prior = config.model.prior if "corpus" in config.model.prior.split("+") else f"{config.model.prior}+corpus"
    return with_overrides(config, {"model": {"prior": prior.removeprefix("none+"),
                                             "corpus_prior": str(Path(model_dir).resolve())}})


def fingerprint(config: Config) -> str:
    blob = json.dumps({name: part for name, part in config.to_dict().items() if name in _MODEL_SECTIONS},
                      sort_keys=True)
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
            raise ConfigError(f"{origin}: unknown key {key!r} in section {name!r} (known: {', '.join(known)})")
        updates[attribute] = _checked(f"{name}.{key}", value, getattr(defaults, attribute), origin)
    return replace(defaults, **updates)


def _checked(key: str, value, default, origin: str):
    value = _typed(key, value, default, origin)
    grammar = _GRAMMARS.get(key)
    if grammar is None:
        return value
    try:
        return grammar(value)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {key} {exc}") from None


def _typed(key: str, value, default, origin: str):
    expected = type(default)
    if key == "active_learning.budget" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # a number is a budget too; the grammar keeps it as text
    if expected is tuple and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
        return value
    wanted = "a list of strings" if expected is tuple else expected.__name__
    raise ConfigError(f"{origin}: {key} must be {wanted}, got {value!r}")


def _section_to_dict(section) -> dict:
    inverse = {attribute: key for key, attribute in _KEY_ALIASES.items()}
    return {inverse.get(f.name, f.name): _plain(getattr(section, f.name)) for f in fields(section)}


def _plain(value):
    return list(value) if isinstance(value, tuple) else value
