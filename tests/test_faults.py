"""A trial of benchmarks/bench_faults.py in CI: kill -9 at a random moment of `repair --execute`, then rerun; the
tree, the store, the verdicts and the workspaces are checked as in the benchmark's 20 trials. (`label` has its own
kill test, tests/execute/test_kill_resume.py; train's resume is tested in tests/active/test_loop.py.)"""

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


def test_kill_9_at_a_random_moment_of_repair_then_rerun(faults, tmp_path):
    base = faults.template(tmp_path / "template", with_model=False, pool=8, labelled=4)
    result = faults.trial("repair", faults.copy_of(base, tmp_path / "trial"), None, random.Random(0),
                          window=(1.0, 6.0))
    assert result["ok"], result
