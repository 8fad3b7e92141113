"""The in-subject half of the bugprm test harness.

Everything here runs INSIDE the subject repository's interpreter, so it imports only the standard library and
pytest: per-test line coverage comes from the standard library's tracing (``tracing``), so the subject's
interpreter needs nothing but pytest and the package's own dependencies. bugprm starts it by linking this folder under a
private package name into a temporary directory on PYTHONPATH, so a subject's own ``harness`` package never clashes.
Imports inside the package are relative for the same reason.

- ``plugin``: a pytest plugin writing one JSON line per event to the file named by ``BUGPRM_RESULTS``.
- ``tracing``: per-test line coverage with ``sys.monitoring`` or ``sys.settrace``.
- ``job``: one pytest session (limits, environment, module purge, optional coverage contexts).
- ``worker``: a long-lived warm process that forks (or spawns) one job at a time and enforces the wall timeout.
"""

HARNESS_VERSION = "6"
RESULTS_ENV = "BUGPRM_RESULTS"
