"""Rendering a bench document: the Markdown table, the plots, and the error when matplotlib is missing."""

import sys

import pytest

from bugprm.errors import InputError
from bugprm.report.bench import bench_markdown, write_bench, write_plots


def entry(strategy, budget, auroc):
    spread = {"mean": auroc, "std": 0.02}
    return {"split": "within", "strategy": strategy, "budget": budget, "seeds": 2, "auroc": spread,
            "auroc_covered": None, "pr_auc": spread, "f1": spread, "processbench_f1": None, "score_error": spread,
            "executed": {"mean": 12.0, "std": 0.0}, "cpu_seconds": {"mean": 3.25, "std": 0.5}}


DOCUMENT = {
    "version": 1, "request": {},
    "repos": [{"name": "calc", "path": "/r/calc", "judged": 50, "dropped": 1, "cpu_seconds_all": 3.5}],
    "results": [],
    "summary": [entry("actprm", 0.1, 0.7), entry("actprm", 0.5, 0.8), entry("full", 1.0, 0.85)],
}


def test_markdown_has_one_row_per_strategy_and_budget_with_the_seed_spread():
    markdown = bench_markdown(DOCUMENT)
    assert "| calc | 50 | 1 | 3.5 |" in markdown
    assert "| actprm | 10% | 0.700 ± 0.020 | – | 0.700 ± 0.020 |" in markdown
    assert "| full | 100% | 0.850 ± 0.020 |" in markdown and "12.0 ± 0.0 | 3.2 ± 0.5 |" in markdown


def test_write_bench_writes_json_markdown_and_one_png_per_split(tmp_path):
    markdown = write_bench(DOCUMENT, tmp_path)
    assert (tmp_path / "bench.md").read_text() == markdown
    assert (tmp_path / "bench.json").exists()
    assert (tmp_path / "bench_within.png").read_bytes().startswith(b"\x89PNG")


def test_plots_without_matplotlib_are_an_input_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(InputError, match="matplotlib"):
        write_plots(DOCUMENT, tmp_path)


def test_paired_differences_render_with_their_intervals():
    paired = [{"split": "within", "repo": "p", "strategy": "actprm", "reference": "random", "budget": 0.2,
               "seeds": 10, "auroc": {"mean": 0.01, "low": -0.01, "high": 0.03}, "auroc_covered": None,
               "survivors_found": {"mean": 3.0, "low": 1.0, "high": 5.0},
               "score_error_probability": {"mean": -0.01, "low": None, "high": None}}]
    markdown = bench_markdown({**DOCUMENT, "paired": paired})
    assert "| within | p | actprm | random | 20% | 10 | +0.010 [-0.010, +0.030] | – | +3.000 [+1.000, +5.000] | -0.010 |" \
        in markdown
