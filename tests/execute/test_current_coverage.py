"""Coverage is read only for the sources it was measured on: after a commit, an older baseline's line numbers would
name the tests of whatever now sits on those lines (issue 17: "run 242 covering tests: , test/...")."""

from bugprm.execute.config import source_digest
from bugprm.execute.saved import BASELINE_META, SOURCES_META, current_coverage
from bugprm.store import Store


def test_coverage_of_other_sources_is_never_read(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "app.py").write_text("def one():\n    return 1\n")
    with Store.open(tmp_path / "store", create=True) as store:
        store.save_baseline("fp", [("test_app.py::test_one", "passed", 0.1, 1, "test_app.py")],
                            [("app.py", 2, "test_app.py::test_one")])
        store.set_meta(BASELINE_META, "fp")
        store.set_meta(SOURCES_META, source_digest(repo))
        assert current_coverage(store, repo) == {("app.py", 2): ["test_app.py::test_one"]}
        (repo / "app.py").write_text("def zero():\n    return 0\n\n\ndef one():\n    return 1\n")
        assert current_coverage(store, repo) is None
