"""The store's typed accessors: the vocabulary the stages share, spelled once, and one meaning of a verdict."""

import ast
from pathlib import Path

from bugprm.records import Execution, Outcome
from bugprm.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_current_verdicts_follow_the_fingerprint_and_leave_out_infra_errors(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        assert store.verdicts() == {}  # no baseline yet: nothing is current
        for candidate, outcome, fingerprint in [("a", Outcome.KILLED, "new"), ("b", Outcome.INFRA_ERROR, "new"),
                                                ("c", Outcome.SURVIVED, "old"), ("d", Outcome.TIMEOUT, "new")]:
            store.record_execution(Execution(candidate, outcome, fingerprint=fingerprint))
        store.set_fingerprint("new")
        assert set(store.verdicts()) == {"a", "d"}
        assert set(store.verdicts("old")) == {"c"}
        assert set(store.executions("new")) == {"a", "b", "d"}  # the attempts keep the infra error


def test_shared_values_round_trip_through_a_reopened_store(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        store.set_repository(tmp_path / "repo")
        store.set_fingerprint("fp1")
        store.set_features_fingerprint("fp0")
        store.set_harness_settings({"python": "/usr/bin/python3", "pytest_args": "-x"})
        store.set_last_score({"model": "m", "predictions": {}})
    with Store.open(tmp_path) as store:
        assert store.repository() == str(tmp_path / "repo")
        assert (store.fingerprint(), store.features_fingerprint()) == ("fp1", "fp0")
        assert store.harness_settings() == {"python": "/usr/bin/python3", "pytest_args": "-x"}
        assert store.last_score() == {"model": "m", "predictions": {}}


def test_no_module_spells_a_store_key_of_its_own():
    raw = {"get_meta", "set_meta", "get_json", "put_json"}
    spelled = []
    for path in sorted((ROOT / "bugprm").rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py")):
        if path.name == "store.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in raw
                    and node.args and isinstance(node.args[0], ast.Constant)):
                spelled.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert spelled == []
