"""Terminal and JSON rendering of stage summaries. Rendering only: every number arrives computed."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table

from bugprm.active.goals import describe_goals


def stdout_console() -> Console:
    """A console that adds no colour or animation when stdout is not a terminal."""
    return Console(highlight=False, soft_wrap=False, no_color=not sys.stdout.isatty())


def counts_table(title: str, counts: dict[str, int], limit: int = 15) -> Table:
    table = Table(title=title, title_justify="left", min_width=len(title))
    table.add_column(title.split()[-1])
    table.add_column("count", justify="right")
    for name, count in list(counts.items())[:limit]:
        table.add_row(name, str(count))
    if len(counts) > limit:
        table.add_row(f"... {len(counts) - limit} more", "")
    return table


def print_generate_summary(summary, console: Console | None = None) -> None:
    console = console or stdout_console()
    console.print(
        f"[bold]{summary.candidates_found}[/bold] candidate bugs found in {summary.files_parsed} files "
        f"({summary.candidates_written} new in the store at {summary.store_dir}) in {summary.seconds:.1f}s"
    )
    console.print(counts_table("candidates by operator family", summary.families))
    _print_skipped(console, summary.files_skipped)


def print_store_report(summary, fmt: str, console: Console | None = None) -> None:
    if fmt == "json":
        print(json.dumps(summary.as_dict(), indent=2))
        return
    console = console or stdout_console()
    console.print(f"[bold]{summary.candidates}[/bold] candidates, {summary.executed} executed ({summary.store})")
    for title, counts in (("by file", summary.by_file), ("by family", summary.by_family),
                          ("by outcome", summary.by_outcome)):
        console.print(counts_table(f"candidates {title}", counts))
    if summary.mutation_score:
        score = summary.mutation_score
        console.print(f"mutation score {score.value:.1%} (95% CI {score.low:.1%}-{score.high:.1%}, n={score.sample})")
    console.print(f"test CPU-seconds spent {summary.cpu_seconds_spent:.1f}, "
                  f"executing all would take about {summary.cpu_seconds_all_estimated:.1f}")
    print_agreement(summary.agreement, console)
    for line in describe_goals(summary.training):
        console.print(f"last training run: {line}")
    print_kill_rates(summary.kill_rates, console)
    print_survivors(summary.survivors, console)
    _print_skipped(console, summary.skipped)


def print_kill_rates(rates, console: Console, limit: int = 15) -> None:
    if not rates:
        return
    table = Table(title="kill rate by file, weakest first", title_justify="left", min_width=40)
    for header, justify in (("file", "left"), ("killed", "right"), ("executed", "right"), ("rate", "right")):
        table.add_column(header, justify=justify)
    for file, rate in list(rates.items())[:limit]:
        table.add_row(file, str(rate.killed), str(rate.scored), f"{rate.rate:.0%}")
    if len(rates) > limit:
        table.add_row(f"... {len(rates) - limit} more", "", "", "")
    console.print(table)


def print_survivors(survivors, console: Console, limit: int = 30) -> None:
    """Each survivor on one line with the id prefix that ``bugprm show`` and ``bugprm apply`` take."""
    if not survivors:
        return
    console.print(f"[bold]{len(survivors)} survivors[/bold] (bugprm show ID, bugprm apply ID):", markup=True)
    for s in survivors[:limit]:
        console.print(f"  {s.id[:10]}  {s.file}:{s.line}  {s.function}  {s.operator}  {s.outcome}", markup=False)
    if len(survivors) > limit:
        console.print(f"  ... {len(survivors) - limit} more (bugprm report --format json lists all)")


def _print_skipped(console: Console, skipped) -> None:
    if not skipped:
        return
    console.print(f"[yellow]{len(skipped)} files skipped[/yellow]")
    for path, reason in list(skipped)[:20]:
        console.print(f"  {path}: {reason}")
    if len(skipped) > 20:
        console.print(f"  ... {len(skipped) - 20} more (bugprm report --format json lists all)")



def print_agreement(agreement, console: Console | None = None) -> None:
    """The line ``bugprm report`` can add under its summary: last score predictions against executed outcomes."""
    if agreement is None:
        return
    console = console or stdout_console()
    console.print(f"last score predictions agree with {agreement.agreed} of {agreement.compared} executed "
                  f"outcomes ({agreement.share:.0%}, model {agreement.model})")


def print_round(log, console: Console | None = None) -> None:
    console = console or Console(stderr=True, highlight=False)
    loss = log.metrics.get("loss")
    console.print(f"round {log.round}: executed {len(log.selected)} of {log.considered} considered "
                  f"(selection rate {log.selection_rate:.0%}); {log.executed_total} executed so far, "
                  f"budget left {log.budget_left}" + (f", train loss {loss}" if loss is not None else "")
                  + _uncertain_part(log.metrics))


def _uncertain_part(metrics: dict) -> str:
    """How many counted as uncertain, and the spread of the heads' disagreement (10th/50th/90th percentile)."""
    if "uncertain_share" not in metrics:
        return ""
    spread = "/".join(f"{v:.3f}" for v in metrics["uncertainty_p10_50_90"])
    return f"; uncertain {metrics['uncertain']} ({metrics['uncertain_share']:.0%}), head spread {spread}"


def print_training_card(card, console: Console | None = None) -> None:
    console = console or stdout_console()
    console.print(f"[bold]trained[/bold] on {card.executed} executed of {card.pool_size} candidates "
                  f"({card.executed_fraction:.1%}, budget {card.budget}); stopped: {card.stopped}")
    console.print(f"test CPU-seconds spent {card.test_cpu_seconds:.1f}; model and training card in {card.model_dir}")
    if card.held_out_metrics:
        console.print("held-out: " + ", ".join(f"{k} {v}" for k, v in card.held_out_metrics.items()))
