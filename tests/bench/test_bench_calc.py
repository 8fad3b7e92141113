"""`bugprm bench` end to end on h_calc: the pool is generated and executed once, then every strategy and baseline
is replayed from the cache. A shortened tiny config keeps it to seconds of training per run."""

import json
import math
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bugprm.config import Budget, PRESET_DIR, load_config
from bugprm.bench import BenchRequest, run_bench
from bugprm.cli import cli

from bugprm.store import Store

FIXTURE = Path(__file__).parents[1] / "fixtures" / "h_calc"
ROW_KEYS = {"strategy", "budget", "seed", "split", "repo", "auroc", "auroc_covered", "pr_auc", "f1", "processbench_f1",
            "score_error", "executed", "cpu_seconds"}
SHORT = {"model": {"max_length": 128}, "training": {"epochs": 2},
         "active_learning": {"rounds": 3, "seed_size": 4, "batch_size": 4}}


def short_config(directory: Path) -> Path:
    tiny = yaml.safe_load((PRESET_DIR / "tiny.yaml").read_text())
    merged = {section: {**tiny.get(section, {}), **SHORT.get(section, {})} for section in {*tiny, *SHORT}}
    path = directory / "short.yaml"
    path.write_text(yaml.safe_dump(merged))
    return path


@pytest.fixture(scope="module")
def benched(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    repo = root / "calc"
    shutil.copytree(FIXTURE, repo)
    config = short_config(root)
    result = CliRunner().invoke(cli, ["bench", str(repo), "--config", str(config), "--seeds", "1", "--budgets",
                                      "0.2,0.5", "--splits", "within", "--out", str(root / "out")])
    assert result.exit_code == 0, result.output
    return {"repo": repo, "config": config, "out": root / "out", "result": result,
            "document": json.loads((root / "out" / "bench.json").read_text())}


def test_bench_writes_json_markdown_and_plots(benched):
    out = benched["out"]
    assert (out / "bench.md").read_text().startswith("# bugprm bench")
    assert (out / "bench_within.png").read_bytes().startswith(b"\x89PNG")
    assert "| actprm | 50% |" in benched["result"].stdout
    assert "within calc seed 0 random at 20%" in benched["result"].stderr


def test_rows_have_the_documented_shape(benched):
    document = benched["document"]
    assert document["version"] == 1 and [r["name"] for r in document["repos"]] == ["calc"]
    rows = document["results"]
    assert all(ROW_KEYS <= set(row) for row in rows)
    assert {row["strategy"] for row in rows} == {"actprm", "random", "full", "pmt-rf", "covered-killed", "same-line"}
    assert {(row["strategy"], row["budget"]) for row in rows if row["strategy"] == "actprm"} == {
        ("actprm", 0.2), ("actprm", 0.5)}
    assert all(row["auroc"] is None or 0 <= row["auroc"] <= 1 for row in rows)


def test_no_run_executes_more_than_its_budget(benched):
    for row in benched["document"]["results"]:
        assert row["executed"] <= Budget(fraction=row["budget"]).limit(row["train_pool"]), row
    full = next(r for r in benched["document"]["results"] if r["strategy"] == "full")
    assert full["executed"] == full["train_pool"]


def test_the_whole_pool_was_executed_once_into_the_store(benched):
    with Store.open(benched["repo"] / ".bugprm") as store:
        assert len(store.verdicts()) == store.count_candidates() > 0
    assert benched["document"]["repos"][0]["cpu_seconds_all"] > 0


def test_a_second_bench_reuses_the_cached_verdicts(benched, monkeypatch):
    def no_harness(*args, **kwargs):
        raise AssertionError("the harness ran again")

    monkeypatch.setattr("bugprm.execute.label_pool", no_harness)
    with Store.open(benched["repo"] / ".bugprm") as store:
        before = store.executions()
    request = BenchRequest((benched["repo"],), load_config(benched["config"]), budgets=(0.2,),
                           strategies=("pmt-rf",), seeds=1, splits=("within",))
    rows = run_bench(request).results
    with Store.open(benched["repo"] / ".bugprm") as store:
        assert store.executions() == before
    first = {(r["strategy"], r["budget"]): r for r in benched["document"]["results"]}
    for row in rows:  # the same seed draws the same sample, so the same verdicts and cost
        assert row["executed"] == first[(row["strategy"], 0.2)]["executed"]
        assert math.isclose(row["cpu_seconds"], first[(row["strategy"], 0.2)]["cpu_seconds"])
