"""h_decorate: a test module that decorates at import, so the decorator's body runs while pytest collects it.

The reference run and the recount's collection both keep such lines apart (``collection``); with
``import_contexts`` a candidate there gets ``collection_line = 1``, one only a test body runs gets 0, and one the
package's own import runs is ``self_import``. The store's candidates never get them by default.
"""

from __future__ import annotations

import sys

import pytest

from bugprm.execute import label_pool
from bugprm.execute.config import HarnessConfig
from bugprm.execute.features import BaselineCoverage
from bugprm.execute.saved import current_baseline
from bugprm.execute.self_import import collect_with_self_import
from bugprm.execute.slot import Slot
from bugprm.execute.workspace import Workspace
from bugprm.store import Store

PACKAGE = "src/deco/__init__.py"


@pytest.fixture(scope="module")
def labelled(h, tmp_path_factory):
    repo = h.copy_fixture("h_decorate", tmp_path_factory.mktemp("deco"))
    candidates = {
        "decorator_body": h.replace_once(repo, PACKAGE, "function.__name__", "None", function="register"),
        "test_body": h.replace_once(repo, PACKAGE, "2 * value", "3 * value", function="double"),
        "own_import": h.replace_once(repo, PACKAGE, "REGISTRY = []", "REGISTRY = [0]", function="<module>"),
    }
    h.store_with(repo, list(candidates.values()))
    label_pool(repo, None, workers=1, **h.FAST)
    with Store.open(repo / ".bugprm") as store:
        stored = {c.id: c for c in store.candidates()}
        baseline = current_baseline(store, repo)  # as saved and loaded again
    assert not any("collection_line" in c.features for c in stored.values())  # off by default
    covering = BaselineCoverage(baseline, lambda file: (repo / file).read_bytes(), import_contexts=True)
    return {name: covering.dynamic_features(c)[0] for name, c in candidates.items()}


def test_a_line_run_while_a_test_module_is_collected_is_a_collection_line(labelled):
    assert labelled["decorator_body"]["import_time_line"] == 1
    assert labelled["decorator_body"]["collection_line"] == 1
    assert labelled["decorator_body"]["self_import_line"] == 0 and labelled["decorator_body"]["startup_line"] == 0


def test_a_line_only_a_test_body_runs_is_not(labelled):
    assert labelled["test_body"]["import_time_line"] == 0
    assert labelled["test_body"]["collection_line"] == 0 and labelled["test_body"]["startup_line"] == 0


def test_the_packages_own_import_is_not_collection(labelled):
    """Collection imports the package again (its own import ran first and was dropped): its lines stay own-import."""
    assert labelled["own_import"]["self_import_line"] == 1
    assert labelled["own_import"]["collection_line"] == 0 and labelled["own_import"]["startup_line"] == 0


def test_the_recount_collection_finds_the_same_lines_running_no_test(h, tmp_path):
    repo = h.copy_fixture("h_decorate", tmp_path)
    slot = Slot(Workspace.copy_of(repo, tmp_path / "ws"), HarnessConfig(python=sys.executable, python_version="t"))
    try:
        found = collect_with_self_import(slot, ["src/deco"], 60)
    finally:
        slot.close()
    # the test module imports the package afresh (1, 4, 9: the own import's lines, told apart by self_import), then
    # applies the decorator (5, 6); double's body (10) runs in a test only
    assert found.collection == {PACKAGE: [1, 4, 5, 6, 9]}
    assert found.self_import[PACKAGE] == [1, 4, 9]
    assert set(found.assertions) == {"tests/check_deco.py::test_double", "tests/check_deco.py::test_helper"}
