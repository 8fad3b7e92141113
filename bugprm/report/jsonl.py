"""Export the store's trajectories as JSON lines: one object per trajectory, step labels included."""

from __future__ import annotations

import json
from typing import TextIO

from bugprm.labels import step_labels
from bugprm.records import Candidate, Execution
from bugprm.store import Store


def trajectory_record(candidate: Candidate, execution: Execution | None) -> dict:
    return {
        "id": candidate.id,
        "kind": str(candidate.kind),
        "repo": candidate.repo,
        "file": candidate.file,
        "function": candidate.function,
        "line": candidate.line,
        "operator": candidate.operator,
        "family": candidate.family,
        "bug_id": candidate.bug_id,
        "diff": candidate.diff,
        "features": candidate.features,
        "steps": [{"name": str(s.name), "text": s.text, "label": s.label} for s in candidate.steps],
        "outcome": str(execution.outcome) if execution else None,
        "failing_tests": list(execution.failing_tests) if execution else [],
    }


def export_jsonl(store: Store, output: TextIO) -> int:
    executions = store.verdicts()
    candidates = step_labels(store.candidates(), executions)
    for candidate in candidates:
        output.write(json.dumps(trajectory_record(candidate, executions.get(candidate.id))) + "\n")
    return len(candidates)
