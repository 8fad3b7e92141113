"""YAML configuration: presets, defaults, unknown keys, type checks, overrides and fingerprints."""

import pytest

from bugprm.config import Config, load_config, preset_names, with_overrides
from bugprm.errors import ConfigError


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
