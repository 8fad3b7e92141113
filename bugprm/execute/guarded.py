"""One candidate in one slot, where a bug of ours becomes a recorded ``infra_error`` with its traceback, never a
lost run: the same for the local executor's threads and for Ray actors."""

from __future__ import annotations

import traceback

from bugprm.execute.verdict import infra_error
from bugprm.records import Candidate, Execution

TRACEBACK_CHARS = 1500


def execute_guarded(runner, slot, candidate: Candidate) -> Execution:
    try:
        return runner.execute(slot, candidate)
    except Exception:  # noqa: BLE001 - any failure of the harness is data at this boundary
        return infra_error(candidate.id, runner.fingerprint,
                           f"harness failure:\n{traceback.format_exc()[-TRACEBACK_CHARS:]}")
