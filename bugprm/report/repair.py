"""``bugprm repair`` output: per failing state, its suspicious lines and its ranked patches (rich), or JSON."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from bugprm.report.console import stdout_console

MAX_ROWS = 20
PIPE_WIDTH = 120  # wide enough for a row on one line when stdout is a file or a pipe


def print_repair_report(report, fmt: str, console: Console | None = None) -> None:
    if fmt == "json":
        print(json.dumps(report.as_dict(), indent=2))
        return
    console = console or _console()
    console.print(f"ranking: {report.ranking}")
    for state in report.states:
        _print_state(state, console)


def _console() -> Console:
    console = stdout_console()
    if not console.is_terminal:
        console.width = PIPE_WIDTH
    return console


def _print_state(state, console: Console) -> None:
    which = f"candidate bug {state.bug_id}" if state.bug_id else "the repository's own failing state"
    console.print(f"\n[bold]{which}[/bold]: {len(state.failing_tests)} failing tests: "
                  + ", ".join(state.failing_tests[:5]))
    console.print("suspicious lines: " + ", ".join(
        f"{s['file']}:{s['line']} ({s['ochiai']:.2f})" for s in state.suspicious))
    console.print(patch_table(state))
    executed = [r for r in state.repairs if r.outcome is not None]
    if executed:
        console.print(f"{len(state.correct)} of {len(executed)} executed patches make the failing tests pass "
                      "without breaking a passing test" + "".join(f"\n  {r.id} {r.operator}" for r in state.correct))


def patch_table(state) -> Table:
    table = Table(title=f"{len(state.repairs)} candidate patches, best first", title_justify="left")
    for header, justify in (("#", "right"), ("patch", "left"), ("where", "left"), ("operator", "left"),
                            ("score", "right"), ("change", "left"), ("outcome", "left")):
        table.add_column(header, justify=justify, no_wrap=header != "change")
    for row in state.repairs[:MAX_ROWS]:
        table.add_row(str(row.rank), row.id, f"{row.file}:{row.line}", row.operator, f"{row.score:.3f}",
                      change_line(row.diff), row.outcome or "")
    if len(state.repairs) > MAX_ROWS:
        table.caption = f"... {len(state.repairs) - MAX_ROWS} more (--format json lists all)"
    return table


def change_line(diff: str) -> str:
    """``old -> new`` from the diff's first removed and added lines."""
    lines = diff.splitlines()
    removed = next((line[1:].strip() for line in lines if line[:1] == "-" and not line.startswith("---")), "")
    added = next((line[1:].strip() for line in lines if line[:1] == "+" and not line.startswith("+++")), "")
    return f"{removed} -> {added}"
