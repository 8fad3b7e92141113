"""``bugprm score``: the command (``run.py``), score records and ranking (``records.py``), the torch adapter loaded
only when a model is (``adapter.py``), the diff gate (``gaps.py``) and what can be scored (``sources/``)."""
