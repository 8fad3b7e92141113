"""Shared fixtures: synthetic labelled trajectories and one tiny model trained once per session."""

import pytest

from bugprm.config import load_config, with_overrides
from bugprm.model.examples import from_candidate
from bugprm.model.synthetic import synthetic_candidates


@pytest.fixture(scope="session")
def tiny_config():
    return load_config("tiny")


@pytest.fixture(scope="session")
def train_examples():
    return [from_candidate(c) for c in synthetic_candidates(160, seed=1)]


@pytest.fixture(scope="session")
def test_examples():
    return [from_candidate(c) for c in synthetic_candidates(60, seed=2)]


@pytest.fixture(scope="session")
def trained(tiny_config, train_examples):
    """(model, log): the tiny config trained on the synthetic task, read as raw step rewards.

    The synthetic validate step is never trained on a 0 (dropped after the first negative), so raising each step to
    the rewards after it (consistent_steps) would hide what training learned at the inject step.
    """
    from bugprm.model.training import new_model, train

    model = new_model(with_overrides(tiny_config, {"model": {"consistent_steps": False}}), train_examples)
    return model, train(model, train_examples)


@pytest.fixture
def quick_config(tiny_config):
    """The tiny config cut to a handful of optimizer steps, for tests about plumbing rather than learning."""
    return with_overrides(tiny_config, {"training": {"max_steps": 3, "batch_size": 4}})
