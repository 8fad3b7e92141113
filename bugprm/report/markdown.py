"""``bugprm score --format markdown``: a pull-request comment that fits a screen (GitHub-flavoured markdown).

Open: one verdict line and the lines with the likeliest test gaps. Folded in ``<details>``: every candidate, what
``--verify`` ran, and the diffs of the top gaps.
"""

from __future__ import annotations

from bugprm.scoring.gaps import LineGaps, describe_gap, gaps_by_line
from bugprm.records import Kind
from bugprm.scoring.records import ScoredCandidate, ScoreReport

TOP_LINES = 5
TOP_DIFFS = 3
MAX_ROWS = 50


def render_markdown(report: ScoreReport) -> str:
    lines = gaps_by_line(report)
    parts = [_verdict(report, lines), _top_gaps(lines), _settings(report), _all_candidates(report),
             _verified(report), _gap_diffs(report)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _verdict(report: ScoreReport, lines: tuple[LineGaps, ...]) -> str:
    bugs = sum(c.candidate.kind is Kind.BUG for c in report.candidates)
    if not lines:
        return f"### bugprm: no likely test gaps ({bugs} candidate bugs, all predicted caught by the tests)"
    gaps = len(report.test_gaps)
    return (f"### bugprm: {gaps} likely test gap{'s' * (gaps != 1)} on {len(lines)} "
            f"line{'s' * (len(lines) != 1)} ({bugs} candidate bugs)")


def _top_gaps(lines: tuple[LineGaps, ...]) -> str:
    if not lines:
        return ""
    shown = [f"- `{g.file}:{g.line}` {_escape(g.function)}: {_escape('; '.join(describe_gap(c) for c in g.gaps))}"
             for g in lines[:TOP_LINES]]
    if len(lines) > TOP_LINES:
        shown.append(f"- ... {len(lines) - TOP_LINES} more lines (below)")
    return "\n".join(shown)


def _settings(report: ScoreReport) -> str:
    s = report.settings
    return (f"<sub>{_escape(report.source)}; model `{report.model}`, aggregate `{s.aggregate}`, threshold "
            f"{s.threshold:.2f}. A gap is a candidate bug the tests would likely let through: a test that "
            "catches it closes it.</sub>")


def _all_candidates(report: ScoreReport) -> str:
    if not report.candidates:
        return ""
    rows = ["| # | candidate | where | score | verdict | weakest step |", "|---:|---|---|---:|---|---|"]
    rows += [_row(rank, c) for rank, c in enumerate(report.candidates[:MAX_ROWS], start=1)]
    if len(report.candidates) > MAX_ROWS:
        rows.append(f"\n_... {len(report.candidates) - MAX_ROWS} more (`--format json` lists all)._")
    return _folded(f"All {len(report.candidates)} candidates", "\n".join(rows))


def _row(rank: int, scored: ScoredCandidate) -> str:
    c, weakest = scored.candidate, scored.weakest
    verdict = "use" if scored.recommendation == "use" else "**refine**"
    where = f"`{c.file}:{c.line}` {_escape(c.function)}"
    says = _escape(weakest.says[:80])
    return (f"| {rank} | `{c.id[:10]}` {c.kind} {_escape(c.operator)} | {where} | {scored.score:.2f} | {verdict} "
            f"| {weakest.name} {weakest.reward:.2f}: {says} |")


def _verified(report: ScoreReport) -> str:
    if not report.verified:
        return ""
    agreed, judged = report.agreement
    rows = ["| candidate | score | predicted | outcome | agrees |", "|---|---:|---|---|---|"]
    rows += [f"| `{v.candidate_id[:10]}` | {v.score:.2f} | {v.predicted} | {v.outcome} | {_yes_no(v.agrees)} |"
             for v in report.verified]
    return _folded(f"Verified by running the tests: prediction right on {agreed} of {judged}", "\n".join(rows))


def _gap_diffs(report: ScoreReport) -> str:
    shown = [c for line in gaps_by_line(report) for c in line.gaps if c.candidate.diff][:TOP_DIFFS]
    if not shown:
        return ""
    title = f"Diffs of the top {len(shown)} gaps" if len(shown) > 1 else "Diff of the top gap"
    return _folded(title, "\n\n".join(_diff_block(c) for c in shown))


def _diff_block(scored: ScoredCandidate) -> str:
    c = scored.candidate
    fence = "````" if "```" in c.diff else "```"
    return (f"`{c.id[:10]}` {_escape(c.operator)} at `{c.file}:{c.line}` ({scored.score:.2f})\n\n"
            f"{fence}diff\n{c.diff.rstrip()}\n{fence}")


def _folded(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _yes_no(agrees: bool | None) -> str:
    return "n/a" if agrees is None else ("yes" if agrees else "**no**")


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
