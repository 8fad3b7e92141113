"""The store's typed accessors: the vocabulary the stages share, spelled once, and one meaning of a verdict."""

import ast
from pathlib import Path

import pytest

from bugprm.errors import StoreError
from bugprm.records import Candidate, Execution, Kind, Outcome, Step, StepName
from bugprm.store import STORE_DIRNAME, Store, find_store_directory

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


def _candidate(name, kind=Kind.BUG, features=None):
    return Candidate(name, kind, "r", "f.py", "f", 1, "op", "fam", "", (Step(StepName.LOCATE, "x"),),
                     features=features or {})


def test_a_missing_store_names_the_command_that_makes_one(tmp_path):
    with pytest.raises(StoreError, match=r"no bugprm store at .*bugprm generate REPO"):
        Store.open(tmp_path / "none")
    with Store.open(tmp_path / "run", create=True) as store:
        assert (tmp_path / "run" / ".gitignore").read_text().endswith("*\n")
        with pytest.raises(StoreError, match="no candidate zz"):
            store.candidate("zz")


def test_candidates_are_counted_by_kind_and_their_features_stored_in_key_order(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        store.add_candidates([_candidate("a", features={"z": 1, "a": 2}), _candidate("b"),
                              _candidate("p", Kind.REPAIR)])
        assert (store.count_candidates(), store.count_candidates(Kind.BUG), store.count_candidates(Kind.REPAIR)) \
            == (3, 2, 1)
        assert store.candidate("a").features == {"z": 1, "a": 2}
        raw = store._db.execute("SELECT features FROM candidates WHERE id = 'a'").fetchone()[0]
        assert raw == '{"a": 2, "z": 1}'  # sorted: the same features are the same text whatever their order
        store.record_skipped([("b.py", "binary"), ("a.py", "too big")])
        assert store.skipped() == [("a.py", "too big"), ("b.py", "binary")]


def test_baselines_coverage_and_rounds_read_back_what_was_written(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        store.save_baseline("fp", [("t2", "passed", 0.5, 3, "m"), ("t1", "passed", 0.1, 1, "m")],
                            [("f.py", 3, "t2"), ("f.py", 3, "t1"), ("g.py", 1, "t1")])
        store.save_baseline("old", [("t0", "passed", 0.1, 1, "m")], [("f.py", 9, "t0")])
        assert [r["test_id"] for r in store.baseline_tests("fp")] == ["t1", "t2"]
        assert store.coverage("fp") == {("f.py", 3): ["t1", "t2"], ("g.py", 1): ["t1"]}
        store.put_json("baseline.fp", 1)
        store.put_json("baseline.old", 2)
        store.drop_baselines_except("fp", "baseline.")
        assert store.coverage("old") == {} and store.baseline_tests("old") == [] and store.coverage("fp")
        assert (store.get_json("baseline.fp"), store.get_json("baseline.old")) == (1, None)
        store.record_round("run", 1, ["b"], {"round": 1})
        store.record_round("run", 0, ["a"], {"round": 0})
        assert store.rounds("run") == [{"round": 0, "selected": ["a"], "metrics": {"round": 0}},
                                       {"round": 1, "selected": ["b"], "metrics": {"round": 1}}]


def test_deleting_executions_touches_only_the_named_fingerprint(tmp_path):
    with Store.open(tmp_path, create=True) as store:
        for fingerprint in ("new", "old"):
            store.record_execution(Execution("a", Outcome.KILLED, fingerprint=fingerprint))
        store.delete_executions(["a"], "new")
        assert set(store.executions("new")) == set() and set(store.executions("old")) == {"a"}


def test_the_store_directory_is_found_from_the_option_the_repository_or_the_enclosing_checkout(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "deep").mkdir()
    assert find_store_directory(tmp_path / "s") == tmp_path / "s"
    assert find_store_directory(None, tmp_path / "repo") == (tmp_path / "repo").resolve() / STORE_DIRNAME
    found = find_store_directory(None, None, cwd=tmp_path / "repo" / "deep")
    assert found == (tmp_path / "repo").resolve() / STORE_DIRNAME
    (tmp_path / "loose").mkdir()
    assert find_store_directory(None, None, cwd=tmp_path / "loose") == (tmp_path / "loose").resolve() / STORE_DIRNAME


def test_a_database_without_the_meta_table_is_not_taken_for_a_store(tmp_path):
    import sqlite3
    from contextlib import closing

    from bugprm.store import DB_NAME

    with closing(sqlite3.connect(tmp_path / DB_NAME)) as db:
        db.execute("CREATE TABLE other (x)")
    with pytest.raises(StoreError, match=f"{tmp_path / DB_NAME} is not a bugprm store"):
        Store.open(tmp_path)
