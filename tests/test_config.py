"""YAML configuration: presets, defaults, unknown keys, type checks, overrides and fingerprints."""

import pytest

from bugprm.config import MODEL_DIRNAME, Budget, Config, load_config, preset_names, with_overrides
from bugprm.errors import ConfigError, InputError


def test_every_preset_loads():
    assert {"tiny", "default", "unixcoder", "qwen-coder"} <= set(preset_names())
    for name in preset_names():
        assert isinstance(load_config(name), Config)


def test_default_preset_matches_the_code_defaults():
    assert load_config("default") == Config() == load_config()


def test_yaml_values_and_the_lambda_alias(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("model:\n  heads: 16\n  lambda: 0.5\ntraining:\n  learning_rate: 1\n")
    config = load_config(path)
    assert config.model.heads == 16 and config.model.anchor_lambda == 0.5
    assert config.training.learning_rate == 1.0 and isinstance(config.training.learning_rate, float)
    assert config.model.hidden_size == Config().model.hidden_size  # left out: default
    assert config.to_dict()["model"]["lambda"] == 0.5


@pytest.mark.parametrize("text, message", [
    ("model:\n  colour: red\n", "unknown key 'colour' in section 'model'"),
    ("modle:\n  heads: 2\n", "unknown section 'modle'"),
    ("model:\n  heads: many\n", "model.heads must be int"),
    ("model:\n  use_features: 1\n", "model.use_features must be bool"),
    ("training:\n  epochs: true\n", "training.epochs must be int"),
    ("training:\n  learning_rate: true\n", "training.learning_rate must be float"),
    ("- a\n- b\n", "must be a mapping"),
    ("model: [1]\n", "section 'model' must be a mapping"),
    ("model: {heads: 2\n", "cannot read config"),
])
def test_bad_configs_name_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(ConfigError, match="presets: .*tiny"):
        load_config("huge")


def test_overrides_in_both_spellings():
    base = load_config("tiny")
    assert with_overrides(base, {"model.heads": 2}).model.heads == 2
    assert with_overrides(base, {"training": {"epochs": 1, "seed": 7}}).training.seed == 7
    assert with_overrides(base, {"model.lambda": 0.1}).model.anchor_lambda == 0.1
    with pytest.raises(ConfigError, match="unknown key 'nope' in section 'model'"):
        with_overrides(base, {"model.nope": 1})
    with pytest.raises(ConfigError, match="unknown section 'nowhere'"):
        with_overrides(base, {"nowhere.x": 1})


def test_fingerprint_follows_content():
    base = load_config("tiny")
    assert base.fingerprint() == load_config("tiny").fingerprint()
    assert with_overrides(base, {"model.heads": 2}).fingerprint() != base.fingerprint()
    assert len(base.fingerprint()) == 16


@pytest.mark.parametrize("text, message", [
    ("active_learning:\n  mode: pol\n", "active_learning.mode must be one of pool, stream, got 'pol'"),
    ("model:\n  prior: forst\n", "model.prior must be none or priors joined by \\+"),
    ("model:\n  prior: forest+forest\n", "model.prior must be none"),
    ("model:\n  architecture: lama\n", "model.architecture must be one of llama, roberta, got 'lama'"),
    ("model:\n  prior_offset: repair:tree\n", "model.prior_offset must be one of"),
    ("active_learning:\n  sampling: best\n", "active_learning.sampling must be one of"),
    ("active_learning:\n  strategy: actprn\n", "active_learning.strategy must be one of"),
    ("active_learning:\n  warm_local: refind\n", "active_learning.warm_local must be one of forest, refined"),
    ("active_learning:\n  leaf_strength: 0\n", "active_learning.leaf_strength must be above 0"),
    ("active_learning:\n  budget: cpu:lots\n", "active_learning.budget budget 'cpu:lots' is not"),
    ("active_learning:\n  budget: -3\n", "active_learning.budget a budget must be a positive, finite number"),
    ("active_learning:\n  delta_pred: 1.5\n", "active_learning.delta_pred must be between 0 and 1"),
    ("training:\n  batch_size: 0\n", "training.batch_size must be at least 1"),
    ("optimization:\n  mixed_precision: fp8\n", "optimization.mixed_precision must be one of"),
    ("optimization:\n  cpu_offload: true\n", "unknown key 'cpu_offload'"),
    ("scoring:\n  threshold: 7\n", "scoring.threshold must be between 0 and 1"),
    ("project:\n  exclude: docs\n", "project.exclude must be a list of strings"),
])
def test_a_misspelled_value_fails_at_load_naming_its_key(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


@pytest.mark.parametrize("value, expected", [(0.3, "0.3"), (150, "150"), ("cpu:600", "cpu:600"), ("1.0", "1.0")])
def test_a_budget_has_one_grammar_in_the_yaml_and_on_the_command_line(value, expected):
    config = with_overrides(Config(), {"active_learning.budget": value})
    assert config.active_learning.budget == expected
    assert config.active_learning.parsed_budget == Budget.parse(expected)


def test_each_grammar_matches_the_stage_that_reads_it():
    from bugprm import metrics
    from bugprm.active.strategies import STRATEGY_NAMES, make_strategy
    from bugprm.config import AGGREGATES, PRIOR_NAMES, STRATEGIES
    from bugprm.model.prior import KINDS

    assert tuple(metrics.AGGREGATES) == AGGREGATES and tuple(KINDS) == PRIOR_NAMES and STRATEGY_NAMES == STRATEGIES
    assert [make_strategy(name).name for name in STRATEGIES] == list(STRATEGIES)


def test_the_model_fingerprint_ignores_scoring_and_project_settings():
    changed = with_overrides(Config(), {"scoring.threshold": 0.2, "project.python": "/usr/bin/python3"})
    assert changed.fingerprint() == Config().fingerprint()
    assert with_overrides(Config(), {"model.heads": 3}).fingerprint() != Config().fingerprint()


def test_tool_bugprm_is_read_into_the_same_config_and_the_command_line_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.bugprm]\ninclude = ["src"]\nthreshold = 0.6\nbudget = 40\n'
        'pytest_args = "-k fast"\n\n[tool.bugprm.model]\nheads = 3\n')
    config = load_config("tiny", repo=tmp_path, overrides={"scoring.threshold": 0.9, "active_learning.mode": None})
    assert config.project.include == ("src",) and config.project.pytest_args == "-k fast"
    assert config.active_learning.budget == "40" and config.model.heads == 3
    assert config.scoring.threshold == 0.9 and config.active_learning.mode == "pool"
    assert config.project.exclude == ("tests", "test", "benchmarks", "docs")


@pytest.mark.parametrize("table, message", [
    ("[tool.bugprm]\nthreshhold = 0.6\n", "unknown key 'threshhold' in \\[tool.bugprm\\]"),
    ("[tool.bugprm]\nbudget = \"half\"\n", "active_learning.budget budget 'half'"),
    ("[tool.bugprm.model]\nprior = \"forst\"\n", "pyproject.toml: model.prior must be"),
    ("[tool.bugprm\n", "cannot read"),
])
def test_a_bad_tool_bugprm_table_names_the_key(tmp_path, table, message):
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(ConfigError, match=message):
        load_config(repo=tmp_path)


def test_a_repository_without_a_table_gets_the_defaults(tmp_path):
    assert load_config(repo=tmp_path) == Config()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_config(repo=tmp_path) == Config()


def test_no_prior_at_all_is_a_valid_setting():
    from bugprm.config import Config, with_overrides

    assert with_overrides(Config(), {"model.prior": "none"}).model.prior == "none"


@pytest.mark.parametrize("text, described", [("0.25", "25% of the pool"), ("1", "1 candidates"),
                                             ("1.0", "100% of the pool"), ("40", "40 candidates"),
                                             ("cpu:90", "90 test CPU-seconds"), ("5e-1", "50% of the pool")])
def test_a_budget_says_what_it_is(text, described):
    assert Budget.parse(text).describe() == described


@pytest.mark.parametrize("value", ["", "forest+forest", "forest+tree", "+"])
def test_a_prior_list_must_name_known_priors_once(tmp_path, value):
    with pytest.raises(ConfigError, match="model.prior"):
        with_overrides(Config(), {"model.prior": value})
    assert with_overrides(Config(), {"model.prior": "forest+text+corpus"}).model.prior == "forest+text+corpus"


def test_a_corpus_prior_is_added_to_the_priors_once(tmp_path):
    from bugprm.config import with_corpus_prior

    config = with_overrides(Config(), {"model.prior": "forest"})
    once = with_corpus_prior(config, tmp_path / "m")
    assert once.model.prior == "forest+corpus" and once.model.corpus_prior == str((tmp_path / "m").resolve())
    assert with_corpus_prior(once, tmp_path / "m").model.prior == "forest+corpus"
    assert with_corpus_prior(with_overrides(Config(), {"model.prior": "none"}), tmp_path).model.prior == "corpus"
    assert with_corpus_prior(config, None) is config


def test_a_train_request_takes_one_store_for_one_repository(tmp_path):
    from bugprm.active.settings import train_request

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    args = dict(config_source="tiny", budget=None, strategy=None, mode=None, diversity_weight=None,
                eval_fraction=0.0, out_dir=None, max_candidates=None, workers=1, python=None, pytest_args=None)
    with pytest.raises(InputError, match="--store names one run directory"):
        train_request([tmp_path / "a", tmp_path / "b"], store_dir=tmp_path / "s", **args)
    alone = train_request([tmp_path / "a"], store_dir=tmp_path / "s", **args)
    assert alone.out == tmp_path / "s" / MODEL_DIRNAME and alone.store_dir == tmp_path / "s"
    default = train_request([tmp_path / "a", tmp_path / "b"], **{**args, "budget": "7"})
    assert default.out == (tmp_path / "a").resolve() / ".bugprm" / MODEL_DIRNAME and default.store_dir is None
    assert default.budget.count == 7
    assert train_request([tmp_path / "a"], **{**args, "out_dir": tmp_path / "o"}).out == tmp_path / "o"
