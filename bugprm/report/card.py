"""The training card: what a `bugprm train` run spent and learned, as JSON and Markdown in the model directory."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from bugprm.active.goals import describe_goals

CARD_JSON = "training_card.json"
CARD_MARKDOWN = "training_card.md"


def write_card(card, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    as_json = directory / CARD_JSON
    as_json.write_text(json.dumps(asdict(card), indent=2) + "\n")
    as_markdown = directory / CARD_MARKDOWN
    as_markdown.write_text(card_markdown(card))
    return as_json, as_markdown


def card_markdown(card) -> str:
    lines = [
        "# Training card", "",
        f"- repositories: {', '.join(card.repos)}",
        f"- pool: {card.pool_size} candidates ({card.held_out} more held out for evaluation)",
        f"- executed: {card.executed} ({card.executed_fraction:.1%} of the pool; budget {card.budget})",
        f"- test CPU-seconds spent: {card.test_cpu_seconds:.1f}",
        f"- stopped because: {card.stopped}",
        f"- strategy: {_strategy(card.strategy)}",
        f"- config fingerprint: `{card.config_fingerprint}`; wall time {card.seconds:.0f} s", "",
        "## Rounds", "",
        "| round | selected | considered | selection rate | executed | budget left | train loss |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [_round_row(r) for r in card.rounds]
    lines += ["", "## Goals", "", *(f"- {line}" for line in describe_goals(card.extra.get("goals"))),
              f"- scores of the saved model: {_calibration(card.final_fit)}"]
    lines += ["", "## Held-out metrics", "", _metrics(card.held_out_metrics), ""]
    return "\n".join(lines)


def _calibration(fit: dict) -> str:
    if fit.get("calibration", "none") == "none":
        return f"not calibrated ({fit.get('calibration_note', 'no map fitted')})"
    return (f"{fit['calibration']}-calibrated on {fit['calibration_labels']} out-of-fold labels, calibration error "
            f"(ACE) {fit['calibration_error']:.3f} (uncalibrated {fit['calibration_error_raw']:.3f})")


def _strategy(strategy: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in strategy.items())


def _round_row(r: dict) -> str:
    cells = [r.get(k, "") for k in ("round", "selected", "considered", "selection_rate", "executed_total",
                                    "budget_left", "loss")]
    return "| " + " | ".join("" if c is None else str(c) for c in cells) + " |"


def _metrics(metrics: dict | None) -> str:
    if not metrics:
        return "none (pass --eval-fraction to hold out a labelled slice)"
    return "\n".join(f"- {k}: {v}" for k, v in metrics.items())
