"""``bugprm score --format json``: the versioned document described in docs/score-json.md."""

from __future__ import annotations

import json

from bugprm import __version__
from bugprm.scoring.gaps import survival
from bugprm.scoring.records import Region, ScoredCandidate, ScoreReport, Verification, untested

SCORE_JSON_VERSION = 1


def score_document(report: ScoreReport) -> dict:
    return {
        "version": SCORE_JSON_VERSION,
        "bugprm": __version__,
        "model": report.model,
        "source": report.source,
        "aggregate": report.settings.aggregate,
        "threshold": report.settings.threshold,
        "counts": {"candidates": len(report.candidates), "refine": len(report.refine),
                   "test_gaps": len(report.test_gaps)},
        "candidates": [candidate_entry(rank, c) for rank, c in enumerate(report.candidates, start=1)],
        "test_gaps": [c.id for c in report.test_gaps],
        "test_gap_details": [{"id": c.id, "kill_probability": c.score, "executed": c.executed,
                              "survival": survival(c), "untested": untested(c)} for c in report.test_gaps],
        "verified": [verification_entry(v) for v in report.verified],
    }


def candidate_entry(rank: int, scored: ScoredCandidate) -> dict:
    c = scored.candidate
    return {
        "rank": rank, "id": c.id, "kind": str(c.kind), "operator": c.operator, "file": c.file,
        "function": c.function, "line": c.line, "region": region_entry(scored.region), "score": scored.score,
        "recommendation": str(scored.recommendation), "uncertainty": scored.uncertainty,
        "weakest_step": {"name": scored.weakest.name, "reward": scored.weakest.reward, "says": scored.weakest.says},
        "steps": [{"name": s.name, "reward": s.reward, "std": s.std} for s in scored.steps],
        "outcome": str(scored.outcome) if scored.outcome else None,
        "executed": scored.executed,
        "diff": c.diff,
    }


def region_entry(region: Region) -> dict:
    return {"start_line": region.start_line, "start_column": region.start_column,
            "end_line": region.end_line, "end_column": region.end_column}


def verification_entry(v: Verification) -> dict:
    return {"id": v.candidate_id, "score": v.score, "predicted": str(v.predicted), "outcome": str(v.outcome),
            "agrees": v.agrees}


def render_json(report: ScoreReport) -> str:
    return json.dumps(score_document(report), indent=2, ensure_ascii=False) + "\n"
