"""Numeric features beside the hidden state: the schema, and a model that uses them end to end."""

import pytest

from bugprm.config import with_overrides
from bugprm.model.features import FeatureSchema, fit_schema
from bugprm.model.io import load_model, save_model
from bugprm.model.training import new_model, train


def test_schema_keeps_numeric_keys_and_standardises():
    schema = fit_schema([{"a": 1, "b": "text", "c": True}, {"a": 3, "c": False, "d": float("nan")}])
    assert schema.names == ("a", "c")
    assert schema.means == (2.0, 0.5) and schema.scales == (1.0, 0.5)
    assert schema.vector({"a": 4, "c": True}) == [2.0, 1.0]
    assert schema.vector({"c": "yes"}) == [0.0, 0.0]  # missing or non-numeric: the training mean
    assert FeatureSchema.from_json(schema.to_json()) == schema


def test_a_constant_feature_does_not_divide_by_zero():
    schema = fit_schema([{"a": 2}, {"a": 2}])
    assert schema.scales == (1.0,) and schema.vector({"a": 2}) == [0.0]


def test_model_with_features_trains_saves_and_scores_the_same(quick_config, train_examples, tmp_path):
    config = with_overrides(quick_config, {"model.use_features": True})
    model = new_model(config, train_examples[:20])
    assert model.schema.names == ("complexity", "covered", "depth", "lines", "returns", "tests")
    assert model.heads.weight1.shape[1] == 64 + 6 + 2  # hidden state, features, the two priors
    train(model, train_examples[:20])
    save_model(model, tmp_path)
    loaded = load_model(tmp_path)
    assert loaded.schema == model.schema
    assert loaded.score(train_examples[:5]) == model.score(train_examples[:5])


@pytest.mark.parametrize("keep", [0.5])
def test_bootstrap_training_runs(quick_config, train_examples, keep):
    config = with_overrides(quick_config, {"model.bootstrap": keep})
    model = new_model(config, train_examples[:20])
    assert train(model, train_examples[:20]).steps == 3
