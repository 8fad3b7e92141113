"""What a training run answers for each of the three goals, read back from its stored round log and the verdicts:
the mutation score (with its interval when the run drew by `--goal estimate`'s design), the test gaps found, and
how well the last fitted model ranks (out-of-bag AUROC and calibration error)."""

from __future__ import annotations

from typing import Collection, Mapping, Sequence

from bugprm.active.estimate import CONFIDENCE, bounds_from_log, draws_from_log, estimate

LISTED_GAPS = 10


def goal_summary(rounds: Sequence[Mapping], verdicts: Mapping[str, int], gaps: Collection[str] | None = None) -> dict:
    """``rounds``: the store's round rows (round, selected, metrics); ``verdicts``: 1 killed, 0 not, by id;
    ``gaps``: the ids that are test gaps (``gap_target.gap_ids``), else every candidate not killed counts as one."""
    logs = [r["metrics"] for r in rounds]
    executed = [i for r in rounds for i in r["selected"] if i in verdicts]
    is_gap = (lambda i: verdicts[i] == 0) if gaps is None else (lambda i: i in gaps)
    found = [i for i in dict.fromkeys(executed) if is_gap(i)]
    others = {i for i in executed if verdicts[i] == 0} - set(found)
    uncovered = [i for log in logs for i in log.get("known_by_coverage", ()) if verdicts.get(i) == 0]
    return {"estimate": _estimate(logs, verdicts), "gaps": {"executed": len(set(executed)), "survivors": len(found),
                                                           "first": found[:LISTED_GAPS],
                                                           "uncovered": len(set(uncovered)),
                                                           "not_killed_no_gap": len(others)},
            "rank": _rank(logs)}


def _estimate(logs: Sequence[Mapping], verdicts: Mapping[str, int]) -> dict | None:
    """By design when the run drew with known probabilities; else the last round's model-based value (verdicts of
    the executed, predicted probabilities for the rest), which has no interval."""
    draws = draws_from_log(logs)
    pools = [log["pool"] for log in logs if "pool" in log]
    if draws and pools:
        found = estimate(draws, verdicts, pools[-1], CONFIDENCE, bounds_from_log(logs))
        return found and {"kind": "design", **found.as_dict()}
    modelled = [log["model_estimate"] for log in logs if "model_estimate" in log]
    return {"kind": "model", "value": modelled[-1]} if modelled else None


def _rank(logs: Sequence[Mapping]) -> dict | None:
    fits = [log for log in logs if "auroc_oob" in log or "calibration_error_oob" in log]
    if not fits:
        return None
    return {"auroc_oob": fits[-1].get("auroc_oob"), "calibration_error_oob": fits[-1].get("calibration_error_oob"),
            "trained_on": fits[-1].get("trained_on")}


def describe_goals(goals: Mapping | None) -> list[str]:
    """One line per goal, for the training card and `bugprm report`."""
    if not goals:
        return []
    lines = [_estimate_line(goals.get("estimate"))]
    gaps = goals["gaps"]
    lines.append(f"test gaps: {gaps['survivors']} survivors among {gaps['executed']} executed"
                 + (f" (first: {', '.join(gaps['first'])})" if gaps["first"] else "")
                 + (f", and {gaps['uncovered']} candidates no test covers" if gaps.get("uncovered") else "")
                 + (f"; {gaps['not_killed_no_gap']} more not killed but no gap (incompetent or timed out)"
                    if gaps.get("not_killed_no_gap") else ""))
    rank = goals.get("rank")
    lines.append("rank: no model fitted" if not rank else
                 f"rank: out-of-bag AUROC {_number(rank['auroc_oob'])}, calibration error (ACE) "
                 f"{_number(rank['calibration_error_oob'])} on {rank['trained_on']} labels")
    return lines


def _estimate_line(found: Mapping | None) -> str:
    if not found:
        return "mutation score: not estimated"
    if found["kind"] == "model":
        return f"mutation score: {found['value']:.1%} (model-based, no interval: train with --goal estimate)"
    return (f"mutation score: {found['value']:.1%} ({found['confidence']:.0%} interval {found['low']:.1%}-"
            f"{found['high']:.1%}; {found['draws']} draws, {found['executed']} executed)")


def _number(value) -> str:
    return "-" if value is None else f"{value:.3f}"
