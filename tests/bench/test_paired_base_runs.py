"""benchmarks/paired_base_runs.py: two designs' bench reports compared package by package over seeds."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "paired_base_runs.py"


def _script():
    spec = importlib.util.spec_from_file_location("paired_base_runs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(tmp_path: Path, name: str, aces: dict[str, float]) -> str:
    rows = {p: {"ace": a, "auroc": 0.8, "auroc_covered": 0.7, "lift10": 3.0, "gap10": 0.05} for p, a in aces.items()}
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"packages": rows, "tuning": ["t1", "t2"], "evaluation": ["e1", "e2", "e3"]}))
    return str(path)


def test_the_difference_is_per_package_after_averaging_the_seeds(tmp_path, monkeypatch, capsys):
    before = {"t1": 0.10, "t2": 0.20, "e1": 0.10, "e2": 0.05, "e3": 0.30}
    seeds = [{**before, "e3": 0.20}, {**before, "e3": 0.10, "e1": 0.12}]  # e3 better by 0.15 on average, e1 worse
    reference = ",".join(_report(tmp_path, f"ref{i}", before) for i in range(2))
    arm = ",".join(_report(tmp_path, f"arm{i}", aces) for i, aces in enumerate(seeds))
    monkeypatch.setattr(sys, "argv", ["x", "--reference", reference, "--arm", arm, "--show", "e3"])
    _script().main()
    found = json.loads(capsys.readouterr().out)
    ace = found["evaluation"]["ace"]
    assert found["evaluation"]["packages"] == 3 and found["tuning"]["ace"]["difference"]["mean"] == 0.0
    assert abs(ace["difference"]["mean"] - (0.01 + 0.0 - 0.15) / 3) < 1e-4 and ace["lower_in"] == 1
    assert ace["difference"]["low"] < ace["difference"]["mean"] < ace["difference"]["high"]
    per_seed = found["by_seed"]["ace_difference_per_seed"]
    assert [round(d, 4) for d in per_seed] == [round(-0.1 / 3, 4), round(-0.18 / 3, 4)]
    assert abs(found["packages"]["e3"]["arm"]["ace"] - 0.15) < 1e-9
