"""Step labels from executed outcomes: Math-Shepherd's hard estimate over shared step prefixes.

Candidates whose first k steps have the same texts share that prefix. A prefix is labelled 1 when at least one
executed candidate under it is positive (a valid bug: killed by a test that passes at baseline; or a correct patch),
0 when every executed candidate under it is negative (survived, no_coverage, incorrect; and timeout or incompetent,
which are not valid bugs), and None when none under it was executed. ``infra_error`` tells nothing: such a
candidate counts as not executed.
"""

from __future__ import annotations

from collections import defaultdict

from bugprm.records import POSITIVE_OUTCOMES, UNLABELLED_OUTCOMES, Candidate, Execution
from bugprm.trajectory import with_labels


def step_labels(candidates: list[Candidate], executions: dict[str, Execution],
                positive: frozenset = POSITIVE_OUTCOMES) -> list[Candidate]:
    """The candidates with every step labelled by what the executed candidates sharing its prefix became
    (``positive``: the outcomes labelled 1)."""
    verdicts = {c.id: _verdict(executions.get(c.id), positive) for c in candidates}
    by_prefix: dict[tuple, list[int]] = defaultdict(list)
    for candidate in candidates:
        for prefix in _prefixes(candidate):
            if verdicts[candidate.id] is not None:
                by_prefix[prefix].append(verdicts[candidate.id])
    return [with_labels(c, [_label(by_prefix.get(p)) for p in _prefixes(c)]) for c in candidates]


def _verdict(execution: Execution | None, positive: frozenset) -> int | None:
    if execution is None or execution.outcome in UNLABELLED_OUTCOMES:
        return None
    return int(execution.outcome in positive)


def _prefixes(candidate: Candidate) -> list[tuple]:
    texts = tuple((str(s.name), s.text) for s in candidate.steps)
    return [(str(candidate.kind), texts[: k + 1]) for k in range(len(texts))]


def _label(verdicts: list[int] | None) -> int | None:
    return max(verdicts) if verdicts else None
