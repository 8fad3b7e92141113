"""``bugprm score --format rich``: the ranked table with per-step reward bars, the top diffs, a summary panel."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from bugprm.scoring.records import ScoredCandidate, ScoreReport

BAR_WIDTH = 4
TOP_DIFFS = 3
MAX_ROWS = 30
STEP_HEADERS = ("loc", "ana", "sel", "chg", "val")
STEP_LEGEND = "loc=locate ana=analyze sel=select chg=inject/edit val=validate; bold: the weakest step"
_EIGHTHS = " ▏▎▍▌▋▊▉"


def reward_bar(reward: float, width: int = BAR_WIDTH) -> str:
    """A bar ``width`` cells long, filled to ``reward`` (0..1) in eighths of a cell."""
    eighths = round(max(0.0, min(1.0, reward)) * width * 8)
    full, part = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[part] if part else "")).ljust(width, "·")


def ranking_table(report: ScoreReport) -> Table:
    table = Table(title="candidates, best first", title_justify="left", caption=STEP_LEGEND,
                  caption_justify="left")
    for header, justify in (("#", "right"), ("candidate", "left"), ("where", "left"), ("score", "right"),
                            ("verdict", "left")):
        table.add_column(header, justify=justify, no_wrap=header != "where")
    for header in STEP_HEADERS:
        table.add_column(header, no_wrap=True, width=BAR_WIDTH)
    for rank, scored in enumerate(report.candidates[:MAX_ROWS], start=1):
        table.add_row(*_row_cells(rank, scored, report.settings.threshold))
    if len(report.candidates) > MAX_ROWS:
        table.caption = f"... {len(report.candidates) - MAX_ROWS} more (--format json lists all); {STEP_LEGEND}"
    return table


def summary_panel(report: ScoreReport) -> Panel:
    s = report.settings
    lines = [
        f"source     {report.source}",
        f"model      {report.model}",
        f"verdict    {len(report.use)} use, {len(report.refine)} refine "
        f"(aggregate {s.aggregate}, threshold {s.threshold:.2f})",
        f"test gaps  {len(report.test_gaps)} candidate bugs predicted to survive the tests",
    ]
    lines += _verified_lines(report)
    return Panel("\n".join(lines), title="bugprm score", title_align="left", expand=False)


def weakest_lines(report: ScoreReport) -> Text:
    text = Text("to refine, and the step that holds each back:\n" if report.refine else "")
    for scored in report.refine[:MAX_ROWS]:
        w = scored.weakest
        text.append(f"  {scored.id[:10]}  weakest {w.name} {w.reward:.2f}: {w.says[:70]}\n")
    return text


def top_diffs(report: ScoreReport, count: int = TOP_DIFFS) -> list[Panel]:
    return [
        Panel(Syntax(c.candidate.diff.rstrip(), "diff", background_color="default", word_wrap=True),
              title=f"#{rank} {c.id[:10]} {c.candidate.file}:{c.candidate.line} ({c.score:.2f})", title_align="left")
        for rank, c in enumerate(report.candidates[:count], start=1) if c.candidate.diff
    ]


def score_renderables(report: ScoreReport) -> list[RenderableType]:
    parts: list[RenderableType] = [summary_panel(report)]
    if report.candidates:
        parts += [ranking_table(report), weakest_lines(report), Group(*top_diffs(report))]
    return parts


def print_score_report(report: ScoreReport, console: Console) -> None:
    for renderable in score_renderables(report):
        console.print(renderable)


def _row_cells(rank: int, scored: ScoredCandidate, threshold: float) -> list[RenderableType]:
    c = scored.candidate
    style = "green" if scored.recommendation == "use" else "red"
    cells: list[RenderableType] = [
        str(rank), f"{c.id[:10]}\n{c.kind} {c.operator}", f"{c.file}:{c.line}\n{c.function}", f"{scored.score:.2f}",
        Text(str(scored.recommendation), style=style),
    ]
    cells += [_step_cell(s.reward, threshold, s is scored.weakest) for s in scored.steps]
    return cells


def _step_cell(reward: float, threshold: float, weakest: bool) -> Text:
    style = ("green" if reward >= threshold else "red") + (" bold" if weakest else "")
    return Text(f"{reward_bar(reward)}\n{reward:.2f}", style=style)


def _verified_lines(report: ScoreReport) -> list[str]:
    if not report.verified:
        return []
    agreed, judged = report.agreement
    lines = [f"verified   {len(report.verified)} executed, predicted agrees with actual on {agreed}/{judged}"]
    lines += [f"  {v.candidate_id[:10]}  {v.score:.2f} {v.predicted:<6} -> {v.outcome}" for v in report.verified]
    return lines
