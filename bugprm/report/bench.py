"""``bugprm bench`` output: bench.json, a Markdown table of the learning curves, PNG plots. Rendering only: every
number arrives computed in the document's ``summary``."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from bugprm.errors import InputError

BENCH_JSON = "bench.json"
BENCH_MARKDOWN = "bench.md"
SPLIT_TITLES = {"within": "Within a project (held-out candidates)",
                "cross": "Across projects (one repository left out)"}
COLUMNS = (("auroc", "AUROC"), ("auroc_covered", "AUROC covered"), ("pr_auc", "PR-AUC"), ("f1", "F1"),
           ("processbench_f1", "ProcessBench F1"), ("score_error", "score error"), ("executed", "executed"),
           ("cpu_seconds", "test CPU-s"), ("calibration_error", "ACE"), ("survivors_found", "survivors found"))
PLOTTED = (("auroc", "AUROC"), ("auroc_covered", "AUROC on covered candidates"), ("pr_auc", "PR-AUC"),
           ("score_error", "mutation score error"))
COUNTS = {"executed", "cpu_seconds", "survivors_found"}
PAIRED = (("auroc", "ΔAUROC"), ("auroc_covered", "ΔAUROC covered"), ("survivors_found", "Δsurvivors found"),
          ("score_error_probability", "Δscore error"))


def write_bench(document: dict, directory: Path) -> str:
    """Write bench.json, bench.md and one PNG per split into ``directory``; return the Markdown."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / BENCH_JSON).write_text(json.dumps(document, indent=2) + "\n")
    markdown = bench_markdown(document)
    (directory / BENCH_MARKDOWN).write_text(markdown)
    write_plots(document, directory)
    return markdown


def bench_markdown(document: dict) -> str:
    tables = [_split_table(document["summary"], split) for split in _splits(document)]
    paired = [_paired_table(document["paired"])] if document.get("paired") else []
    return "\n\n".join(["# bugprm bench", _repos_table(document["repos"]), *tables, *paired]) + "\n"


def _paired_table(entries: list[dict]) -> str:
    header = "| split | repository | strategy | minus | budget | seeds | " + " | ".join(t for _, t in PAIRED) + " |"
    rows = ["## Paired differences (same seeds)", "",
            "Mean over seeds of strategy minus reference, [95% t-interval].", "", header,
            "|---|---|---|---|---:|---:|" + "---:|" * len(PAIRED)]
    rows += [f"| {e['split']} | {e['repo']} | {e['strategy']} | {e['reference']} | {e['budget']:.0%} | {e['seeds']} | "
             + " | ".join(_interval(e[m]) for m, _ in PAIRED) + " |" for e in entries]
    return "\n".join(rows)


def _interval(value: dict | None) -> str:
    if value is None:
        return "–"
    if value["low"] is None:
        return f"{value['mean']:+.3f}"
    return f"{value['mean']:+.3f} [{value['low']:+.3f}, {value['high']:+.3f}]"


def _repos_table(repos: list[dict]) -> str:
    rows = ["| repository | judged candidates | dropped | test CPU-s to execute all |", "|---|---:|---:|---:|"]
    rows += [f"| {r['name']} | {r['judged']} | {r['dropped']} | {r['cpu_seconds_all']:.1f} |" for r in repos]
    return "\n".join(rows)


def _split_table(summary: list[dict], split: str) -> str:
    header = "| strategy | budget | " + " | ".join(title for _, title in COLUMNS) + " |"
    rows = [header, "|---|---:|" + "---:|" * len(COLUMNS)]
    rows += [f"| {e['strategy']} | {e['budget']:.0%} | " + " | ".join(_cell(e.get(m), m) for m, _ in COLUMNS) + " |"
             for e in summary if e["split"] == split]
    note = "Mean ± std over seeds (each seed: the mean over the repositories tested)."
    return f"## {SPLIT_TITLES.get(split, split)}\n\n{note}\n\n" + "\n".join(rows)


def _cell(value: dict | None, metric: str) -> str:
    if value is None:
        return "–"
    digits = 1 if metric in COUNTS else 3
    return f"{value['mean']:.{digits}f} ± {value['std']:.{digits}f}"


def write_plots(document: dict, directory: Path) -> list[Path]:
    pyplot = _pyplot()
    return [_plot_split(pyplot, document["summary"], split, directory) for split in _splits(document)]


def _plot_split(pyplot, summary: list[dict], split: str, directory: Path) -> Path:
    figure, axes = pyplot.subplots(2, 2, figsize=(11, 8), sharex=True)
    curves = _by_strategy([e for e in summary if e["split"] == split])
    for axis, (metric, title) in zip(axes.flat, PLOTTED):
        for index, (strategy, points) in enumerate(curves.items()):
            _draw(axis, strategy, points, metric, f"C{index}")
        axis.set_title(title)
        axis.set_xlabel("budget: share of the training pool executed")
        axis.grid(alpha=0.3)
    axes.flat[0].legend(fontsize="small")
    figure.suptitle(f"bugprm bench: {SPLIT_TITLES.get(split, split)} (band: ± std over seeds)")
    path = directory / f"bench_{split}.png"
    figure.savefig(path, dpi=110, bbox_inches="tight")
    pyplot.close(figure)
    return path


def _draw(axis, strategy: str, points: list[dict], metric: str, color: str) -> None:
    """A curve with its seed band; a strategy with one point (a budget-free baseline) as a level line and band."""
    known = sorted((p["budget"], p[metric]["mean"], p[metric]["std"]) for p in points if p[metric] is not None)
    if not known:
        return
    x, mean, std = (list(column) for column in zip(*known))
    if len(known) == 1:
        axis.axhline(mean[0], linestyle="--", color=color, label=strategy)
        axis.axhspan(mean[0] - std[0], mean[0] + std[0], color=color, alpha=0.12)
        return
    axis.plot(x, mean, marker="o", color=color, label=strategy)
    axis.fill_between(x, [m - s for m, s in zip(mean, std)], [m + s for m, s in zip(mean, std)], color=color, alpha=0.2)


def _by_strategy(entries: list[dict]) -> dict[str, list[dict]]:
    curves: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        curves[entry["strategy"]].append(entry)
    return curves


def _splits(document: dict) -> list[str]:
    return list(dict.fromkeys(e["split"] for e in document["summary"]))


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise InputError("the plots need matplotlib: pip install 'bugprm[bench]'") from None
    matplotlib.use("Agg")  # files only, never a window
    from matplotlib import pyplot

    return pyplot
