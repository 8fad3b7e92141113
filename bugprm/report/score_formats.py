"""Which renderer each ``bugprm score --format`` uses, and where its output goes."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from rich.console import Console

from bugprm.errors import InputError
from bugprm.report.markdown import render_markdown
from bugprm.report.sarif import render_sarif
from bugprm.report.score_json import render_json
from bugprm.report.score_view import print_score_report
from bugprm.report.stryker import render_stryker
from bugprm.scoring.records import ScoreReport

TEXT_RENDERERS = {"json": render_json, "sarif": render_sarif, "markdown": render_markdown, "stryker": render_stryker}
SCORE_FORMATS = ("rich", *TEXT_RENDERERS)
FILE_WIDTH = 100


def render_text(report: ScoreReport, fmt: str) -> str:
    """The report as text; ``rich`` gives the plain, fixed-width view written to files and pipes."""
    if fmt == "rich":
        console = Console(width=FILE_WIDTH, record=True, color_system=None, file=io.StringIO())
        print_score_report(report, console)
        return console.export_text()
    if fmt not in TEXT_RENDERERS:
        raise InputError(f"unknown format {fmt!r} (known: {', '.join(SCORE_FORMATS)})")
    return TEXT_RENDERERS[fmt](report)


def write_score_report(report: ScoreReport, fmt: str, output: Path | None = None) -> None:
    """To ``output`` when given, else to stdout (in colour only for ``rich`` on a terminal)."""
    if output is not None:
        _write_file(output, render_text(report, fmt))
    elif fmt == "rich" and sys.stdout.isatty():
        print_score_report(report, Console(highlight=False, soft_wrap=False))
    else:
        sys.stdout.write(render_text(report, fmt))
        sys.stdout.flush()


def _write_file(output: Path, text: str) -> None:
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc}") from exc

