"""``bugprm score`` end to end through the console entry point, with the hash scorer standing in for the PRM."""

import json
from pathlib import Path

import git
import jsonschema
import pytest

from bugprm.errors import ModelError
from bugprm.mutate.run import generate_pool
from bugprm.records import Execution, Kind, Outcome
from bugprm.store import Store

SCHEMAS = Path(__file__).parents[1] / "data" / "schemas"
AUTHOR = git.Actor("bugprm tests", "tests@example.com")
APP = (Path(__file__).parents[1] / "data" / "sample_app.py").read_text()


def commit(repo: git.Repo, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (Path(repo.working_tree_dir) / name).write_text(text)
    repo.index.add(list(files))
    repo.index.commit(message, author=AUTHOR, committer=AUTHOR)


@pytest.fixture
def project(tmp_path) -> Path:
    """A git repository with two commits; the second changes only ``total``. It has no tests, so its
    ``[tool.bugprm]`` turns the default gate of ``--diff`` off (these tests are about the report)."""
    repo = git.Repo.init(tmp_path / "project")
    commit(repo, {"app.py": APP, "pyproject.toml": '[tool.bugprm]\ngate = "none"\n'}, "base")
    commit(repo, {"app.py": APP.replace("result = 0\n", "result = 0\n    if not values:\n        return 0\n")},
           "change total")
    return Path(repo.working_tree_dir)


@pytest.fixture
def store_dir(project) -> Path:
    """The project's store with candidate bugs, two of them executed under the current fingerprint."""
    summary = generate_pool(project, None)
    with Store.open(summary.store_dir) as store:
        store.set_fingerprint("fp")
        first, second = store.candidates(Kind.BUG)[:2]
        store.record_execution(Execution(first.id, Outcome.KILLED, fingerprint="fp"))
        store.record_execution(Execution(second.id, Outcome.SURVIVED, fingerprint="fp"))
    return Path(summary.store_dir)


def score_json(run_bugprm, *args) -> dict:
    code, out, err = run_bugprm("score", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_bugs_lists_every_unexecuted_candidate(run_bugprm, hash_scorer, store_dir):
    with Store.open(store_dir) as store:
        executed = set(store.executions("fp"))
        unexecuted = {c.id for c in store.candidates(Kind.BUG)} - executed
    document = score_json(run_bugprm, "--bugs", "--store", str(store_dir), "--threshold", "0.4")
    assert {c["id"] for c in document["candidates"]} == unexecuted
    for entry in document["candidates"]:
        assert {"id", "kind", "file", "line", "score", "recommendation", "steps"} <= set(entry)
        assert entry["recommendation"] == ("use" if entry["score"] >= 0.4 else "refine")
        assert [s["name"] for s in entry["steps"]] == ["locate", "analyze", "select", "inject", "validate"]
    scores = [(-c["score"], c["id"]) for c in document["candidates"]]
    assert scores == sorted(scores)


def test_bugs_all_includes_the_executed_and_saves_predictions(run_bugprm, hash_scorer, store_dir,
                                                              store_footprint):
    document = score_json(run_bugprm, "--bugs", "--all", "--store", str(store_dir))
    outcomes = {c["outcome"] for c in document["candidates"]}
    assert {"killed", "survived", None} == outcomes
    with Store.open(store_dir) as store:
        saved = store.last_score()
    assert set(saved["predictions"]) == {c["id"] for c in document["candidates"]}
    before = store_footprint(store_dir)
    assert score_json(run_bugprm, "--bugs", "--all", "--store", str(store_dir)) == document
    assert store_footprint(store_dir) == before  # the same commit scored twice: the saved predictions replaced


def test_sarif_output_validates(run_bugprm, hash_scorer, store_dir, tmp_path):
    out = tmp_path / "bugprm.sarif"
    code, _, err = run_bugprm("score", "--bugs", "--store", str(store_dir), "--format", "sarif",
                              "--threshold", "0.9", "-o", str(out))
    assert code == 0, err
    document = json.loads(out.read_text())
    jsonschema.Draft4Validator(json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())).validate(document)
    assert document["runs"][0]["results"]


def test_stryker_output_validates(run_bugprm, hash_scorer, store_dir):
    code, out, err = run_bugprm("score", "--bugs", "--all", "--store", str(store_dir), "--format",
                                "stryker")
    assert code == 0, err
    document = json.loads(out)
    schema = json.loads((SCHEMAS / "mutation-testing-report-schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(document)
    statuses = {m["status"] for m in document["files"]["app.py"]["mutants"]}
    assert {"Killed", "Survived", "Pending"} == statuses
    assert document["files"]["app.py"]["source"].startswith("def clamp")


def test_fail_under_sets_the_exit_code(run_bugprm, hash_scorer, store_dir):
    document = score_json(run_bugprm, "--bugs", "--store", str(store_dir))
    lowest = min(c["score"] for c in document["candidates"])
    passing, out, _ = run_bugprm("score", "--bugs", "--store", str(store_dir), "--fail-under", str(lowest))
    failing, out, err = run_bugprm("score", "--bugs", "--store", str(store_dir), "--format", "json",
                                   "--fail-under", str(min(1.0, lowest + 0.0001)))
    assert (passing, failing) == (0, 1)
    assert json.loads(out)["candidates"] and "score below" in err


def test_diff_reports_changed_functions_only(run_bugprm, hash_scorer, project):
    document = score_json(run_bugprm, "--diff", "HEAD~1..HEAD", "--repo", str(project))
    functions = {(c["kind"], c["function"]) for c in document["candidates"]}
    assert functions == {("bug", "total"), ("repair", "total")}
    assert document["source"].startswith("changes in HEAD~1..HEAD")


def test_diff_as_a_pull_request_comment(run_bugprm, hash_scorer, project):
    code, out, err = run_bugprm("score", "--diff", "HEAD~1", "--repo", str(project), "--format",
                                "markdown", "--threshold", "1")
    assert code == 0, err
    assert out.startswith("### bugprm: ") and "likely test gap" in out.splitlines()[0]
    assert "<details><summary>Diffs of the top" in out and "```diff" in out


def test_patch_is_scored_as_a_repair(run_bugprm, hash_scorer, project, tmp_path):
    patch = tmp_path / "fix.diff"
    patch.write_text("--- a/app.py\n+++ b/app.py\n@@ -4,1 +4,1 @@\n-    if x > high:\n+    if x >= high:\n")
    document = score_json(run_bugprm, "--patch", str(patch), "--repo", str(project))
    [entry] = document["candidates"]
    assert (entry["kind"], entry["function"], entry["line"]) == ("repair", "clamp", 4)
    assert [s["name"] for s in entry["steps"]] == ["locate", "analyze", "select", "edit", "validate"]


@pytest.mark.parametrize("args, message", [
    (["--diff", "nope..HEAD"], "unknown revision 'nope'"),
    (["--diff", "HEAD..HEAD"], "changes nothing"),
    (["--bugs", "--diff", "HEAD~1"], "choose one SOURCE"),
    ([], "choose one SOURCE"),
])
def test_bad_sources_exit_2(run_bugprm, hash_scorer, project, args, message):
    code, _, err = run_bugprm("score", *args, "--repo", str(project))
    assert code == 2 and message in err


def test_diff_outside_a_git_repository_exits_2(run_bugprm, hash_scorer, tmp_path):
    code, _, err = run_bugprm("score", "--diff", "HEAD~1..HEAD", "--repo", str(tmp_path))
    assert code == 2 and "not a git repository" in err


def test_a_patch_that_does_not_apply_exits_2(run_bugprm, hash_scorer, project, tmp_path):
    patch = tmp_path / "stale.diff"
    patch.write_text("--- a/app.py\n+++ b/app.py\n@@ -4,1 +4,1 @@\n-    if x > top:\n+    if x >= top:\n")
    code, _, err = run_bugprm("score", "--patch", str(patch), "--repo", str(project))
    assert code == 2 and "stale.diff does not apply" in err


def test_bugs_without_a_store_exits_2(run_bugprm, hash_scorer, tmp_path):
    code, _, err = run_bugprm("score", "--bugs", "--store", str(tmp_path / "none"))
    assert code == 2 and "no bugprm store" in err


def test_a_model_the_loader_rejects_exits_2(monkeypatch, run_bugprm, store_dir):
    def reject(model_dir):
        raise ModelError(f"{model_dir} holds model format 0; this bugprm reads format 1")

    monkeypatch.setattr("bugprm.scoring.run.load_scorer", reject)
    code, _, err = run_bugprm("score", "--bugs", "--store", str(store_dir), "--model", "old-model")
    assert code == 2 and "holds model format 0" in err


def test_a_missing_model_directory_exits_2(run_bugprm, store_dir, tmp_path):
    code, _, err = run_bugprm("score", "--bugs", "--store", str(store_dir), "--model", str(tmp_path / "m"))
    assert code == 2 and "no model at" in err


def test_verify_shows_predicted_against_actual(monkeypatch, run_bugprm, hash_scorer, store_dir):
    ran = []

    def executor(store, repo=None):
        def execute(candidates):
            ran.extend(c.id for c in candidates)
            return {c.id: Execution(c.id, Outcome.KILLED) for c in candidates}
        return execute

    monkeypatch.setattr("bugprm.scoring.run.harness_executor", executor)
    document = score_json(run_bugprm, "--bugs", "--store", str(store_dir), "--verify", "2")
    assert [v["id"] for v in document["verified"]] == ran and len(ran) == 2
    assert all(v["agrees"] == (v["predicted"] == "use") for v in document["verified"])
