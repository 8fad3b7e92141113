"""The harness's own line tracer: per-test contexts from the standard library, on both interpreter paths."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.tracing import SettraceTracer

HARNESS_PARENT = Path(__file__).parents[2]
MODULE = "X = 1\n\ndef f(n):\n    if n > 0:\n        return X\n    return -X\n"
PYENV = Path.home() / ".pyenv" / "versions"


def _python_with_monitoring() -> str | None:
    """An interpreter >= 3.12 that really runs (pyenv shims exist for versions that are not selected)."""
    pyenv = map(str, sorted(PYENV.glob("3.1[2-9]*/bin/python")))
    found = [shutil.which("python3.13"), shutil.which("python3.12"), *pyenv]
    for python in filter(None, found):
        probe = subprocess.run([python, "-c", "import sys; assert sys.version_info >= (3, 12)"], capture_output=True)
        if probe.returncode == 0:
            return python
    return None
RUN_TRACED = """
import importlib.util, json, sys
from harness.tracing import make_tracer
tracer = make_tracer(sys.argv[1])
tracer.start()
spec = importlib.util.spec_from_file_location("m", sys.argv[1] + "/m.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
tracer.switch_context("t_pos")
module.f(1); module.f(2)
tracer.switch_context("t_neg")
module.f(-1)
tracer.switch_context("")
tracer.stop()
print(json.dumps({"kind": type(tracer).__name__, "lines": tracer.lines()}))
"""


def _expected_lines() -> dict[str, list[str]]:
    return {"1": [""], "3": [""], "4": ["t_neg", "t_pos"], "5": ["t_pos"], "6": ["t_neg"]}


def test_settrace_separates_import_time_lines_from_each_test(tmp_path):
    (tmp_path / "m.py").write_text(MODULE)
    tracer = SettraceTracer(str(tmp_path))
    previous = sys.gettrace()
    tracer.start()
    try:
        spec = importlib.util.spec_from_file_location("traced_m", tmp_path / "m.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tracer.switch_context("t_pos")
        module.f(1)
        tracer.switch_context("t_neg")
        module.f(-1)
    finally:
        tracer.stop()
        sys.settrace(previous)
    assert tracer.lines() == {"m.py": _expected_lines()}


def test_files_outside_the_root_are_never_recorded(tmp_path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "m.py").write_text(MODULE)
    out = subprocess.run([sys.executable, "-c", RUN_TRACED, str(tmp_path)], capture_output=True, text=True,
                         cwd=HARNESS_PARENT, timeout=60, check=True)
    assert set(json.loads(out.stdout)["lines"]) == {"m.py"}  # json, importlib, the tracer itself: all outside


def test_sys_monitoring_gives_the_same_lines_on_python_312(tmp_path):
    python = _python_with_monitoring()
    if python is None:
        pytest.skip("no Python >= 3.12 on this machine")
    (tmp_path / "m.py").write_text(MODULE)
    out = subprocess.run([python, "-c", RUN_TRACED, str(tmp_path)], capture_output=True, text=True,
                         cwd=HARNESS_PARENT, timeout=60, check=True)
    found = json.loads(out.stdout)
    assert found["kind"] == "MonitoringTracer"
    assert found["lines"] == {"m.py": _expected_lines()}
