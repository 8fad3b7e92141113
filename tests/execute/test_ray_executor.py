"""``--executor ray`` on a real two-node Ray cluster on this machine (two raylets, one CPU each, each with its own
workspace root), shared by the module: verdicts equal the local executor's, both nodes work, a dead actor's batch
runs again and counts once, and kill -9 of the driver loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
from ray.cluster_utils import Cluster  # noqa: E402 - only once ray is known to be installed

from bugprm.execute import label_pool  # noqa: E402
from bugprm.execute.executors import ExecutorName, executor_choice  # noqa: E402
from bugprm.execute.ray_pool import ROOT_ENV, SNAPSHOTS  # noqa: E402
from bugprm.execute.session import HarnessSession  # noqa: E402
from bugprm.records import Outcome  # noqa: E402
from bugprm.store import Store  # noqa: E402

RAY = executor_choice("ray")
EXPECTED = {"killed": Outcome.KILLED, "survived": Outcome.SURVIVED, "boundary_survived": Outcome.SURVIVED,
            "no_coverage": Outcome.NO_COVERAGE, "module_level": Outcome.KILLED, "incompetent": Outcome.INCOMPETENT}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Each raylet inherits the environment it starts in, so each node gets its own workspace root."""
    saved = {k: os.environ.get(k) for k in (ROOT_ENV, "RAY_AUTH_MODE")}
    roots = [tmp_path_factory.mktemp("node-a"), tmp_path_factory.mktemp("node-b")]
    os.environ.update({"RAY_AUTH_MODE": "disabled", ROOT_ENV: str(roots[0])})
    nodes = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    os.environ[ROOT_ENV] = str(roots[1])
    nodes.add_node(num_cpus=1)
    ray.init(address=nodes.address, log_to_driver=False)
    nodes.wait_for_nodes()
    yield {"address": nodes.address, "roots": roots}
    ray.shutdown()
    nodes.shutdown()
    for key, value in saved.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def _calc_store(h, tmp_path: Path, names=tuple(EXPECTED)) -> tuple[Path, dict]:
    repo = h.copy_fixture("h_calc", tmp_path)
    candidates = {name: c for name, c in h.calc_candidates(repo).items() if name in names}
    h.store_with(repo, list(candidates.values()))
    return repo, candidates


def test_same_verdicts_as_local_with_both_nodes_working(cluster, h, tmp_path):
    repo, candidates = _calc_store(h, tmp_path)
    before = h.tree_digest(repo)
    summary = label_pool(repo, None, workers=2, executor=RAY, **h.FAST)
    with Store.open(repo / ".bugprm") as store:
        verdicts = store.executions(summary.fingerprint)
    assert {name: verdicts[c.id].outcome for name, c in candidates.items()} == EXPECTED
    assert summary.executor == "ray" and len(summary.cpu_seconds_by_node) == 2  # both nodes ran candidates
    assert all(seconds > 0 for seconds in summary.cpu_seconds_by_node.values())
    assert all(any((root / SNAPSHOTS).iterdir()) for root in cluster["roots"])  # each node unpacked its snapshot
    assert h.tree_digest(repo) == before


def test_a_dead_actor_loses_its_batch_to_another_and_nothing_counts_twice(cluster, h, tmp_path):
    repo, candidates = _calc_store(h, tmp_path)
    recorded: Counter = Counter()
    killed: list[int] = []

    def kill_an_actor_once(execution) -> None:
        recorded[execution.candidate_id] += 1
        if not killed:
            killed.append(_actor_pids(cluster["roots"])[0])
            os.kill(killed[0], signal.SIGKILL)

    with Store.open(repo / ".bugprm") as store, HarnessSession.open(store, repo, executor=RAY, **h.FAST) as session:
        session.execute(list(candidates.values()), on_result=kill_an_actor_once)
        retried = session.ray_pool.retried
        verdicts = store.executions(session.fingerprint)
    assert killed and retried >= 1, "no batch was lost to the dead actor: the test proves nothing"
    assert recorded == Counter(c.id for c in candidates.values())  # each candidate recorded exactly once
    assert {name: verdicts[c.id].outcome for name, c in candidates.items()} == EXPECTED


def test_kill_9_of_the_driver_then_train_on_ray_resumes_and_loses_nothing(cluster, h, tmp_path):
    repo, candidates = _calc_store(h, tmp_path)
    before = h.tree_digest(repo)
    driver = subprocess.Popen([sys.executable, "-m", "bugprm", "label", str(repo), "--executor", "ray",
                               "--ray-address", cluster["address"]], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for_executions(repo, 1, driver)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    first = _verdicts(repo)
    assert 1 <= len(first) < len(candidates), "the driver finished before the kill: the test proves nothing"
    assert h.tree_digest(repo) == before

    verdicts, report = _train_oracle(repo, list(candidates.values()))  # the same verdicts train's loop asks for
    assert {name: verdicts[c.id].outcome for name, c in candidates.items()} == EXPECTED
    assert {i: e for i, e in _verdicts(repo).items() if i in first} == first  # recorded ones were not run again
    assert sorted(_verdicts(repo)) == sorted(c.id for c in candidates.values())
    assert report["executor"] == "ray" and sum(report["cpu_seconds_by_node"].values()) > 0
    assert h.tree_digest(repo) == before


def _train_oracle(repo: Path, candidates: list) -> tuple[dict, dict]:
    from contextlib import ExitStack

    from bugprm.active.run import Pools
    from bugprm.active.settings import train_request

    request = train_request([repo], "tiny", "1.0", None, None, None, 0.0, repo / "model", None, 1, None, None,
                            executor=RAY)
    with ExitStack() as stack:
        pools = Pools(request, stack)
        return pools.oracle(candidates), pools.execution_report()


def test_the_executor_choice_is_checked_before_any_work():
    from bugprm.errors import InputError

    assert executor_choice(None).name is ExecutorName.LOCAL
    assert executor_choice("ray", "10.0.0.1:6379").describe() == "ray at 10.0.0.1:6379"
    with pytest.raises(InputError, match="--executor"):
        executor_choice("dask")
    with pytest.raises(InputError, match="--ray-address needs --executor ray"):
        executor_choice("local", "10.0.0.1:6379")


def _actor_pids(roots: list[Path]) -> list[int]:
    """The Ray actors that own a warm worker (a process working inside a node's workspace root)."""
    parents = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(str(root) in os.readlink(entry / "cwd") for root in roots):
                parents.append(int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]))
        except OSError:
            continue
    return sorted(set(parents))


def _verdicts(repo: Path) -> dict:
    with Store.open(repo / ".bugprm") as store:
        return store.executions()


def _wait_for_executions(repo: Path, count: int, process: subprocess.Popen, limit: float = 240.0) -> None:
    deadline = time.monotonic() + limit
    while len(_verdicts(repo)) < count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the label run made no progress"
        time.sleep(0.05)
