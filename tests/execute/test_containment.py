"""One adversarial test per containment property (``bugprm.execute.containment``): a probe test runs under the real
harness (a warm worker in a workspace copy) and tries to get out. Where it can, each test also runs the same probe
outside the harness and checks that it fails there: otherwise the probe could not have caught a leak."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bugprm.cli import cli
from bugprm.errors import ConfigError
from bugprm.execute.config import make_config
from bugprm.execute.containment import say_network_state, settings_from_environ
from bugprm.execute.slot import Slot
from bugprm.execute.verdict import judge
from bugprm.execute.workspace import RunFolder
from bugprm.records import Outcome
from bugprm.sweep import ROOT_NAME

FAST = {"timeout_constant": 3.0, "baseline_timeout": 60.0, "memory_mb": 1024}
SECRET = "BUGPRM_PROBE_SECRET"
ALLOWED = "BUGPRM_PROBE_ALLOWED"


def _repo(tmp_path: Path, probe: str) -> Path:
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_probe.py").write_text(textwrap.dedent(probe))
    return repo


def _under_harness(repo: Path, **settings):
    """(report, results, the worker's network state) of one whole-suite run in a workspace copy of ``repo``."""
    folder = RunFolder(repo.parent / "workspaces")
    slot = Slot(folder.workspace(repo, 0), make_config(repo, None, None, **{**FAST, **settings}))
    try:
        report, results = slot.run(None, 60.0)
        return report, results, slot.worker.network
    finally:
        slot.close()
        folder.close()


def _outcomes(results) -> dict[str, str]:
    return {test.split("::")[-1]: result.outcome for test, result in results.tests.items()}


def _outside_harness(repo: Path) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", "-k", "not leaves",
                           str(repo)],
                          cwd=repo, capture_output=True, text=True, timeout=120)
    return {line.split("::")[-1].split()[0]: line.split()[0].lower() for line in done.stdout.splitlines()
            if line.startswith(("PASSED", "FAILED"))}


PROBES = f"""
    import os, socket, tempfile
    from pathlib import Path
    import pytest

    def test_secret():
        assert "{SECRET}" not in os.environ

    def test_allowed():
        assert os.environ["{ALLOWED}"] == "visible"

    def test_home():
        Path("~/.probe-rc").expanduser().write_text("written")
        assert str(Path.home()).startswith(os.getcwd() + os.sep)
        assert Path(tempfile.mkstemp()[1]).is_relative_to(os.getcwd())

    def test_host_service():
        port = int(Path(__file__).with_name("port").read_text())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            return
        raise AssertionError("reached a service of the host")

    def test_own_loopback():
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=2).close()

    def test_memory():
        with pytest.raises(MemoryError):
            bytearray(600 * 1024 * 1024)

    def test_file_size(tmp_path):
        with pytest.raises(OSError, match="too large"):
            (tmp_path / "big").write_bytes(b"x" * (2 * 1024 * 1024))

    def test_zz_leaves():
        os._exit(0)
"""


def _listening() -> socket.socket:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


@dataclass(frozen=True)
class Runs:
    report: object
    inside: object
    network: str
    outside: dict[str, str]
    home_leaked: bool
    home_written_outside: bool


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    """The probes once under the harness and once as a plain pytest run, with a secret, an allowed variable, a
    HOME of our own and a service listening on the host's loopback."""
    tmp_path = tmp_path_factory.mktemp("containment")
    repo, real_home = _repo(tmp_path, PROBES), tmp_path / "home"
    real_home.mkdir()
    with pytest.MonkeyPatch.context() as env, _listening() as server:
        env.setenv(SECRET, "hunter2")
        env.setenv(ALLOWED, "visible")
        env.setenv("BUGPRM_ENV_ALLOW", f"OTHER,{ALLOWED}")
        env.setenv("HOME", str(real_home))
        (repo / "tests" / "port").write_text(str(server.getsockname()[1]))
        report, inside, network = _under_harness(repo, memory_mb=512, file_size_mb=1)
        home_leaked = (real_home / ".probe-rc").exists()
        outside = _outside_harness(repo)
    return Runs(report, inside, network, outside, home_leaked, (real_home / ".probe-rc").exists())


def test_a_variable_outside_the_allow_list_is_not_readable(runs):
    assert _outcomes(runs.inside)["test_secret"] == "passed"
    assert runs.outside["test_secret"] == "failed"  # the probe does see a leaked variable


def test_the_allow_list_is_configurable(runs):
    assert _outcomes(runs.inside)["test_allowed"] == "passed"


def test_writes_to_home_and_temp_land_in_the_workspace(runs):
    assert _outcomes(runs.inside)["test_home"] == "passed"
    assert not runs.home_leaked, "the harnessed test wrote to the real HOME"
    assert runs.outside["test_home"] == "failed"
    assert runs.home_written_outside  # outside the harness the same write does reach the real HOME


def test_no_network_to_the_host_where_the_kernel_allows_it(runs):
    if runs.network != "isolated":
        pytest.skip(f"no unprivileged network namespace here: {runs.network}")
    assert _outcomes(runs.inside)["test_host_service"] == "passed"
    assert _outcomes(runs.inside)["test_own_loopback"] == "passed"  # suites serving on localhost still work
    assert runs.outside["test_host_service"] == "failed"  # outside the harness the probe reaches the service


def test_memory_and_file_size_are_limited(runs):
    assert _outcomes(runs.inside)["test_memory"] == "passed"
    assert _outcomes(runs.inside)["test_file_size"] == "passed"
    assert runs.outside["test_memory"] == runs.outside["test_file_size"] == "failed"


def test_a_test_that_calls_os_exit_is_named_in_the_verdict(runs):
    execution = judge("c1", runs.report, runs.inside, "fp")
    assert execution.outcome is Outcome.KILLED
    assert execution.failing_tests == ("tests/test_probe.py::test_zz_leaves",)
    assert "inside tests/test_probe.py::test_zz_leaves" in execution.detail


def test_network_isolation_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("BUGPRM_NETWORK", "allow")
    assert settings_from_environ()["network"] == "allow"


def test_timeouts_and_limits_come_from_the_environment_and_are_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("BUGPRM_BASELINE_TIMEOUT", "7.5")
    monkeypatch.setenv("BUGPRM_MEMORY_MB", "2048")
    config = make_config(tmp_path, None, None, timeout_constant=2.0)
    assert (config.baseline_timeout, config.memory_mb, config.timeout_constant) == (7.5, 2048, 2.0)
    for bad in ("nan", "inf", "-1", "ten"):
        with pytest.raises(ConfigError, match="BUGPRM_TIMEOUT_CONSTANT"):
            settings_from_environ({"BUGPRM_TIMEOUT_CONSTANT": bad})
    with pytest.raises(ConfigError, match="BUGPRM_NETWORK"):
        settings_from_environ({"BUGPRM_NETWORK": "off"})


def test_every_command_removes_the_workspaces_of_killed_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = tmp_path / ROOT_NAME / f"run-{dead.pid}-abc" / "w0"
    leftover.mkdir(parents=True)
    mine = tmp_path / ROOT_NAME / f"run-{os.getpid()}-abc"
    mine.mkdir()
    result = CliRunner().invoke(cli, ["corpus", "list"])
    assert result.exit_code == 0, result.output
    assert not leftover.parent.exists()
    assert mine.exists()  # a live run's folder is left alone


def test_when_the_kernel_refuses_namespaces_bugprm_says_so_once(capsys):
    refused = "not isolated: unshare refused (Operation not permitted, probe)"
    say_network_state(refused, "isolate")
    say_network_state(refused, "isolate")
    say_network_state("isolated", "isolate")
    assert capsys.readouterr().err.count("tests run WITH network access (not isolated: unshare refused") == 1
