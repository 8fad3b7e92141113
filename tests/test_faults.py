"""A few trials of benchmarks/bench_faults.py in CI: kill -9 at a random moment of `repair --execute` and of `label`,
then rerun; the tree, the store, the verdicts and the workspaces are checked as in the benchmark's 20 trials."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "benchmarks" / "bench_faults.py"


@pytest.fixture(scope="module")
def faults():
    spec = importlib.util.spec_from_file_location("bench_faults", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("command", ["repair", "label"])
def test_kill_9_at_a_random_moment_then_rerun(faults, command, tmp_path):
    base = faults.template(tmp_path / "template", with_model=False, pool=10, labelled=5)
    result = faults.trial(command, faults.copy_of(base, tmp_path / "trial"), None, random.Random(command),
                          window=(1.0, 6.0))
    assert result["ok"], result
