"""What `--goal gaps` searches for: test gaps, the candidates that survived their tests or that no test covers.

A mutant that is not killed is not always a gap: an incompetent one (the mutated module does not even import) and
one that timed out (the tests hang, which a suite notices) are not killed either, yet no test is missing. On
parsimonious 460 of 1,424 candidates are incompetent; a search for "not killed" spends its budget on them (issue 15).
So the selection model of goal gaps learns "not a gap" (killed, incompetent, timeout) against "gap", and the goal
reports the gaps it found apart from the other candidates that were not killed.
"""

from __future__ import annotations

from typing import Mapping

from bugprm.records import UNLABELLED_OUTCOMES, Execution, Outcome
from bugprm.scoring.records import MISSED_OUTCOMES

# the positive outcomes of the gaps target: a model's survival score, 1 - P(positive), is its chance of a gap
NOT_A_GAP = frozenset(Outcome) - MISSED_OUTCOMES - UNLABELLED_OUTCOMES


def gap_ids(executions: Mapping[str, Execution]) -> set[str]:
    """The executed candidates that are test gaps."""
    return {i for i, e in executions.items() if e.outcome in MISSED_OUTCOMES}
