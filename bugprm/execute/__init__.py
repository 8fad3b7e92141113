"""Execute candidates against the repository's own pytest suite and record honest outcomes.

Entry points: ``label_pool`` (the ``label`` command) and ``execute_candidates`` (the one path every stage that needs
verdicts uses: the labelling command, the active-learning loop, ``score --verify``).
"""

from bugprm.execute.api import execute_candidates, harness_oracle
from bugprm.execute.run import LabelSummary, choose_candidates, describe_summary, label_pool, label_store

__all__ = [
    "LabelSummary", "choose_candidates", "describe_summary", "execute_candidates", "harness_oracle", "label_pool",
    "label_store",
]
