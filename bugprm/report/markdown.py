"""``bugprm score --format markdown``: a pull-request comment (GitHub-flavoured markdown)."""

from __future__ import annotations

from bugprm.records import Kind
from bugprm.scoring import ScoredCandidate, ScoreReport

TOP_DIFFS = 3
MAX_ROWS = 25


def render_markdown(report: ScoreReport) -> str:
    parts = [_heading(report), _table(report.candidates), _gaps(report), _verified(report), _diffs(report)]
    return "\n\n".join(p for p in parts if p) + "\n"


def _heading(report: ScoreReport) -> str:
    s = report.settings
    return (f"### bugprm: {len(report.candidates)} candidates, {len(report.refine)} to refine\n\n"
            f"Source: {report.source}. Model `{report.model}`, aggregate `{s.aggregate}`, "
            f"threshold {s.threshold:.2f}.")


def _table(candidates: tuple[ScoredCandidate, ...]) -> str:
    if not candidates:
        return "_Nothing to score._"
    rows = ["| # | candidate | where | score | verdict | weakest step |", "|---:|---|---|---:|---|---|"]
    rows += [_row(rank, c) for rank, c in enumerate(candidates[:MAX_ROWS], start=1)]
    if len(candidates) > MAX_ROWS:
        rows.append(f"\n_... {len(candidates) - MAX_ROWS} more (`--format json` lists all)._")
    return "\n".join(rows)


def _row(rank: int, scored: ScoredCandidate) -> str:
    c, weakest = scored.candidate, scored.weakest
    verdict = "use" if scored.recommendation == "use" else "**refine**"
    where = f"`{c.file}:{c.line}` {_escape(c.function)}"
    says = _escape(weakest.says[:80])
    return (f"| {rank} | `{c.id[:10]}` {c.kind} {_escape(c.operator)} | {where} | {scored.score:.2f} | {verdict} "
            f"| {weakest.name} {weakest.reward:.2f}: {says} |")


def _gaps(report: ScoreReport) -> str:
    gaps = report.test_gaps
    if not gaps:
        return ""
    lines = [f"#### Likely test gaps ({len(gaps)})", "", "Bugs here would probably survive the tests:", ""]
    lines += [f"- `{g.candidate.file}:{g.candidate.line}` {_escape(g.candidate.function)}: "
              f"{_escape(g.candidate.operator)} ({g.score:.2f})" for g in gaps[:MAX_ROWS]]
    return "\n".join(lines)


def _verified(report: ScoreReport) -> str:
    if not report.verified:
        return ""
    rows = ["#### Verified by running the tests", "", "| candidate | score | predicted | outcome | agrees |",
            "|---|---:|---|---|---|"]
    rows += [f"| `{v.candidate_id[:10]}` | {v.score:.2f} | {v.predicted} | {v.outcome} | {_yes_no(v.agrees)} |"
             for v in report.verified]
    return "\n".join(rows)


def _diffs(report: ScoreReport) -> str:
    shown = [c for c in report.candidates if c.candidate.diff][:TOP_DIFFS]
    return "\n\n".join(_diff_block(c) for c in shown)


def _diff_block(scored: ScoredCandidate) -> str:
    c = scored.candidate
    fence = "````" if "```" in c.diff else "```"
    summary = f"<code>{c.id[:10]}</code> {_kind_name(scored)} at {c.file}:{c.line} ({scored.score:.2f})"
    return f"<details><summary>{summary}</summary>\n\n{fence}diff\n{c.diff.rstrip()}\n{fence}\n\n</details>"


def _kind_name(scored: ScoredCandidate) -> str:
    return "bug" if scored.candidate.kind is Kind.BUG else "change"


def _yes_no(agrees: bool | None) -> str:
    return "n/a" if agrees is None else ("yes" if agrees else "**no**")


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
