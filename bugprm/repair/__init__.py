"""Repair trajectories: fault localisation (Ochiai), candidate patches at the suspicious lines, their ranking.

Patches run through the harness like candidate bugs (``bugprm.execute.repair``) and are labelled ``correct`` when
every previously failing test passes and no previously passing test fails.
"""

from bugprm.repair.run import RepairReport, RepairRequest, run_repair

__all__ = ["RepairReport", "RepairRequest", "run_repair"]
