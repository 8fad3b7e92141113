"""The warm worker: one adversarial test per property its docstring promises."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import harness.job
from bugprm.records import Edit

WRITES_PID_THEN_SLEEPS = '''
    import os, subprocess, sys, time

    def test_sleeps():
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        with open(os.environ["PID_FILE"], "w") as out:
            out.write(str(child.pid))
        time.sleep(120)
'''


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running(pid)


def _pid_in(path: Path, within: float = 30.0) -> int:
    deadline = time.monotonic() + within
    while not (path.exists() and path.read_text().strip()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)
    return int(path.read_text())


def test_a_job_past_its_timeout_is_killed_with_its_whole_process_group(make_slot, tmp_path, monkeypatch):
    monkeypatch.setenv("PID_FILE", str(tmp_path / "grandchild.pid"))
    slot = make_slot({"test_m.py": WRITES_PID_THEN_SLEEPS}, env_allow=("PID_FILE",))
    started = time.monotonic()
    report, results = slot.run(None, 3.0)
    assert report.timed_out and report.signal == signal.SIGKILL
    assert time.monotonic() - started < 15
    assert results.unfinished == "test_m.py::test_sleeps"
    assert _gone(_pid_in(tmp_path / "grandchild.pid"))


def test_a_segfault_is_reported_with_its_signal(make_slot):
    slot = make_slot({"test_m.py": "import os\n\ndef test_crash():\n    os.kill(os.getpid(), 11)\n"})
    report, results = slot.run(None, 60)
    assert report.signal == signal.SIGSEGV and results.unfinished == "test_m.py::test_crash"
    assert slot.run(None, 60)[0].signal == signal.SIGSEGV  # and the worker itself lives on


def test_memory_is_limited_in_the_child(make_slot):
    slot = make_slot({"test_m.py": '''
        import pytest

        def test_eats_memory():
            with pytest.raises(MemoryError):
                [bytearray(1 << 20) for _ in range(4096)]
    '''}, memory_mb=512)
    _, results = slot.run(None, 60)
    assert results.tests["test_m.py::test_eats_memory"].outcome == "passed"


def test_each_fork_imports_the_edited_module_afresh(make_slot):
    slot = make_slot({"m.py": "VALUE = 1\n", "test_m.py": "import m\n\ndef test_value():\n    assert m.VALUE == 1\n"})
    slot.worker.preload = ("m",)  # even a workspace module imported by the warm parent is purged in the child
    assert slot.run(None, 60)[1].tests["test_m.py::test_value"].outcome == "passed"
    slot.workspace.apply((Edit("m.py", 8, 9, "1", "2"),))
    assert slot.run(None, 60)[1].tests["test_m.py::test_value"].outcome == "failed"
    slot.workspace.revert()
    assert slot.run(None, 60)[1].tests["test_m.py::test_value"].outcome == "passed"


def test_spawn_mode_runs_the_same_job_in_a_fresh_interpreter(make_slot):
    fresh = "import sys\n\ndef test_fresh():\n    assert '_bugprm_harness.job' not in sys.modules\n"
    slot = make_slot({"test_m.py": fresh})
    assert slot.run(None, 60, mode="spawn")[1].tests["test_m.py::test_fresh"].outcome == "passed"
    assert slot.run(None, 60, mode="fork")[1].tests["test_m.py::test_fresh"].outcome == "failed"


def test_worker_and_job_die_with_their_parent(tmp_path):
    script = textwrap.dedent(f'''
        import sys
        from pathlib import Path
        from bugprm.execute.config import HarnessConfig
        from bugprm.execute.slot import Slot
        from bugprm.execute.workspace import Workspace
        repo = Path({str(tmp_path / "repo")!r})
        repo.mkdir()
        (repo / "test_m.py").write_text({WRITES_PID_THEN_SLEEPS!r}.replace("\\n    ", "\\n"))
        config = HarnessConfig(sys.executable, "test", env_allow=("PID_FILE",))
        slot = Slot(Workspace.copy_of(repo, repo.parent / "ws"), config)
        slot.run(None, 600)
    ''')
    env = {**os.environ, "PID_FILE": str(tmp_path / "grandchild.pid")}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    grandchild = _pid_in(tmp_path / "grandchild.pid")
    workers = [p for p in _children(parent.pid)]
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    assert workers and all(_gone(pid) for pid in workers)
    assert _gone(grandchild)


def test_pytest_cov_options_stay_valid_but_coverage_is_off(monkeypatch):
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.setattr(harness.job.importlib.util, "find_spec", lambda name: object())
    assert harness.job._pytest_args(["-q"]) == ["-q", "--no-cov"]
    monkeypatch.setattr(harness.job.importlib.util, "find_spec", lambda name: None)
    assert harness.job._pytest_args(["-q"]) == ["-q"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(entry / "stat").read_text().rsplit(")", 1)[1].split()[1] == str(pid):
                found.append(int(entry.name))
        except OSError:
            continue
    return found
