"""``corpus build`` end to end on a local sdist of a tiny package made here: no network, a real harness, a real
store."""

from __future__ import annotations

import hashlib
import re
import shutil
import sqlite3
import sys
import tarfile
from pathlib import Path

import pytest

from bugprm.corpus_build import BuildRequest, build_corpus
from bugprm.corpus_build.verdicts import covering_tests, from_ranges, read_verdicts, to_ranges, verdict_path

SOURCE = (Path(__file__).parents[1] / "fixtures" / "snippets" / "clamp.py").read_text()  # one small function, shared
TESTS = """from tiny import clamp


def test_low():
    assert clamp(-1, 0, 10) == 0


def test_high():
    assert clamp(11, 0, 10) == 10


def test_inside():
    assert clamp(5, 0, 10) == 5


def test_a_range():
    assert [clamp(v, 0, 2) for v in (-1, 0, 1, 2, 3)] == [0, 0, 1, 2, 2]
"""
MANIFEST = """name = "calc"
version = "1.0"
sdist = "calc-1.0.tar.gz"
sha256 = "{sha256}"
root = "calc-1.0"
source = "src/tiny"
tests = "tests"
test_deps = []
pytest_args = ""
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A manifest pointing at a local sdist already in the work folder's download cache, built once."""
    root = tmp_path_factory.mktemp("corpus")
    sdist = root / "work" / "corpora" / "sdists" / "calc-1.0.tar.gz"
    sdist.parent.mkdir(parents=True)
    package = root / "calc-1.0"
    for path, text in {"src/tiny/__init__.py": SOURCE, "tests/test_tiny.py": TESTS, "setup.py": "import os\n"}.items():
        (package / path).parent.mkdir(parents=True, exist_ok=True)
        (package / path).write_text(text)
    with tarfile.open(sdist, "w:gz") as tar:
        tar.add(package, arcname="calc-1.0")
    (root / "manifests").mkdir()
    sha256 = hashlib.sha256(sdist.read_bytes()).hexdigest()
    (root / "manifests" / "calc.toml").write_text(MANIFEST.format(sha256=sha256))
    request = BuildRequest(all_=True, out=root / "out", work=root / "work", manifests=root / "manifests",
                           python=sys.executable, kill_matrix_share=0.5)
    lines: list[str] = []
    summary = build_corpus(request, lines.append)
    return request, summary, lines


def test_the_verdict_file_holds_every_candidate_of_the_source_folder(built):
    request, summary, _ = built
    assert summary.built == ("calc",) and not summary.failed
    document = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    assert document["complete"] and document["package"]["sha256"]
    assert all(f.startswith("src/tiny/") for f in document["files"])
    outcomes = [c["outcome"] for c in document["candidates"]]
    assert None not in outcomes and "killed" in outcomes and sum(document["outcomes"].values()) == len(outcomes)
    card = (request.out / "CARD.md").read_text()
    assert f"| calc | 1.0 | {len(outcomes)} |" in card and "1 packages" in card


def test_failing_tests_ran_and_cover_the_change(built):
    request, _, _ = built
    document = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    killed = [c for c in document["candidates"] if c["outcome"] == "killed"]
    for candidate in killed:
        failing = {document["tests"][i] for i in from_ranges(candidate["failing"])}
        ran = {document["tests"][i] for i in from_ranges(candidate["ran"])}
        assert failing and failing <= ran
        assert covering_tests(document, candidate), candidate["id"]


def test_the_kill_matrix_runs_on_past_the_first_failure(built):
    request, _, _ = built
    document = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    killed = [c for c in document["candidates"] if c["outcome"] == "killed"]
    matrix = [c for c in killed if "matrix" in c]
    assert document["kill_matrix"]["candidates"] == len(matrix) == -(-len(killed) // 2)
    for candidate in matrix:
        assert set(from_ranges(candidate["failing"])) <= set(from_ranges(candidate["matrix"]["failing"]))
        assert set(from_ranges(candidate["ran"])) <= set(from_ranges(candidate["matrix"]["ran"]))
    assert any(len(from_ranges(c["matrix"]["failing"])) > len(from_ranges(c["failing"])) for c in matrix)


def test_trajectories_rebuilt_from_the_verdict_file_equal_the_stores(built, tmp_path):
    """No test runs: the pool is regenerated from the sdist, coverage and labels read from the verdict file (before
    the rerun below, which measures the baseline again)."""
    from bugprm.corpus_build.trajectories import package_trajectories
    from bugprm.labels import step_labels
    from bugprm.store import Store

    request, _, _ = built
    document = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    (tmp_path / "corpora" / "sdists").mkdir(parents=True)
    shutil.copy(request.work / "corpora" / "sdists" / "calc-1.0.tar.gz", tmp_path / "corpora" / "sdists")
    rebuilt = package_trajectories(verdict_path(request.out, "calc", "1.0"), tmp_path, request.manifests)
    with Store.open(request.work / "stores" / "calc") as store:
        stored = store.candidates()
        executions = store.verdicts(document["harness"]["fingerprint"])
    expected = {c.id: c for c in step_labels(stored, executions)}
    assert len(rebuilt.candidates) == len(document["candidates"]) == len(expected)
    assert any(c.features["line_covered"] for c in rebuilt.candidates)
    for candidate in rebuilt.candidates:
        want = expected[candidate.id]
        assert candidate.features["self_import_line"] == 0  # the store's baseline traced the own import too
        assert candidate.steps == want.steps and candidate.features == want.features, candidate.id
    assert {str(o) for o in rebuilt.outcomes.values()} == {c["outcome"] for c in document["candidates"]}


def test_a_verdict_file_whose_ids_are_not_the_pools_names_its_package(built, tmp_path):
    from bugprm.corpus_build.trajectories import package_trajectories
    from bugprm.corpus_build.verdicts import write_verdicts
    from bugprm.errors import InputError

    request, _, _ = built
    document = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    document["candidates"][0]["id"] = "0" * 16
    stale = write_verdicts(tmp_path / "calc-1.0.json.gz", document) and tmp_path / "calc-1.0.json.gz"
    shutil.copytree(request.work / "corpora" / "sdists", tmp_path / "work" / "corpora" / "sdists")
    with pytest.raises(InputError, match="calc 1.0: the regenerated pool does not match.*1 of its"):
        package_trajectories(stale, tmp_path / "work", request.manifests)


def test_a_rerun_skips_a_finished_package_and_resumes_an_interrupted_one(built):
    request, _, _ = built
    path = verdict_path(request.out, "calc", "1.0")
    before = read_verdicts(path)
    assert build_corpus(request, lambda line: None).already_done == ("calc",)
    path.unlink()  # as if the build had been killed before the export, half its verdicts lost with it
    db = sqlite3.connect(request.work / "stores" / "calc" / "bugprm.sqlite")
    with db:
        db.execute("DELETE FROM executions WHERE rowid % 2 = 0")
    kept = dict(db.execute("SELECT candidate_id || fingerprint, executed_at FROM executions"))
    lines: list[str] = []
    assert build_corpus(request, lines.append).built == ("calc",)
    rerun = dict(db.execute("SELECT candidate_id || fingerprint, executed_at FROM executions"))
    assert all(rerun[key] == at for key, at in kept.items())  # the verdicts kept were not made again
    assert len(rerun) > len(kept)
    after = read_verdicts(path)
    assert [c["outcome"] for c in after["candidates"]] == [c["outcome"] for c in before["candidates"]]
    assert not any("pool of" in line and "generated" in line for line in lines)


def test_ranges_round_trip():
    assert to_ranges([7, 1, 2, 3, 3]) == [1, 4, 7, 8]
    assert from_ranges(to_ranges([0, 5, 6, 9])) == [0, 5, 6, 9]


def test_names_and_all_together_or_an_unknown_name_are_input_errors(tmp_path):
    from bugprm.errors import InputError

    with pytest.raises(InputError, match="not both") as failed:
        build_corpus(BuildRequest(names=("semver",), all_=True, out=tmp_path, work=tmp_path))
    assert failed.value.exit_code == 2
    with pytest.raises(InputError, match="no corpus manifest named nosuch"):
        build_corpus(BuildRequest(names=("nosuch",), out=tmp_path, work=tmp_path))


def test_recount_of_a_package_without_a_verdict_file_is_an_input_error(tmp_path):
    from click.testing import CliRunner

    from bugprm.cli import cli

    result = CliRunner().invoke(cli, ["corpus", "recount", "--verdicts", str(tmp_path), "--out", str(tmp_path / "out"),
                                      "--work", str(tmp_path), "--only", "nosuch"])
    message = str(result.exception)
    assert result.exception.exit_code == 2 and "no verdict file" in message and "nosuch" in message


def test_a_corrupt_verdict_file_is_an_input_error_naming_it(tmp_path):
    from bugprm.errors import InputError

    (tmp_path / "x-1.json.gz").write_bytes(b"not gzip")
    with pytest.raises(InputError, match="x-1.json.gz: not a readable corpus verdict file"):
        read_verdicts(tmp_path / "x-1.json.gz")



def test_repair_trajectories_from_the_verdict_file_are_labelled_without_running_a_test(built, tmp_path):
    """Every killed bug's patches (of the bugs whose kill matrix ran: their full failing spectrum is known, as
    ``bugprm repair`` measures it): those that restore the original code are correct, those that leave the bug's
    edit alone are incorrect, and the labels are the trajectories' last-step rewards. Kept in the cache folder, they
    are read back the second time, not rebuilt."""
    import ast

    from bugprm.corpus_build import repair_cache
    from bugprm.corpus_build.failure_messages import document_messages
    from bugprm.corpus_build.repair_trajectories import RepairSample
    from bugprm.corpus_build.trajectories import package_trajectories
    from bugprm.execute.workspace import apply_edits

    request, _, _ = built
    path = verdict_path(request.out, "calc", "1.0")
    (tmp_path / "corpora" / "sdists").mkdir(parents=True)
    shutil.copy(request.work / "corpora" / "sdists" / "calc-1.0.tar.gz", tmp_path / "corpora" / "sdists")
    bugs = package_trajectories(path, tmp_path, request.manifests)

    messages = document_messages(None, read_verdicts(path), path, request.messages_out)  # the build's record
    assert messages

    def cached():  # built and saved the first time, read back after
        return repair_cache.cached_repairs(bugs, path, tmp_path, RepairSample(bugs=1000), tmp_path / "cache",
                                           request.manifests, messages)

    repairs = cached()
    patches = repairs.candidates
    assert repairs.by_identity and repairs.assumed_incorrect
    # the recorded failing-test messages reach the states, as ``bugprm repair``'s do: in the text and the features
    assert all("traceback_share" in p.features for p in patches)
    assert any(re.search(r"::test_\w+: \S", p.steps[1].text) for p in patches)  # a test shown with its failure
    by_id = {c.id: c for c in bugs.candidates}
    matrices = {c["id"]: len(from_ranges(c["matrix"]["failing"])) for c in read_verdicts(path)["candidates"]
                if "matrix" in c and c["matrix"]["failing"]}
    assert max(p.features["failing_tests"] for p in patches) > 1
    assert all(p.features["failing_tests"] == matrices[p.bug_id] for p in patches)
    original = SOURCE.encode()
    for patch in patches:
        bug = by_id[patch.bug_id]
        fixed = apply_edits(apply_edits(original, list(bug.edits)), list(patch.edits))
        restores = ast.dump(ast.parse(fixed)) == ast.dump(ast.parse(original))
        assert not restores or patch.steps[-1].label == 1, patch.diff
    correct = [p for p in patches if p.steps[-1].label == 1]
    assert correct and len(correct) < len(patches) / 5
    with pytest.MonkeyPatch.context() as monkey:
        monkey.setattr(repair_cache, "built_repairs", lambda *args: pytest.fail("rebuilt although cached"))
        again = cached()
    assert again == repairs and [p.features for p in again.candidates] == [p.features for p in patches]


def test_a_resumed_kill_matrix_keeps_the_candidates_it_already_ran():
    from types import SimpleNamespace

    from bugprm.corpus_build.build import kill_matrix_sample
    from bugprm.records import Execution, Outcome

    pool = [SimpleNamespace(id=f"c{i}") for i in range(100)]
    executions = {c.id: Execution(c.id, Outcome.KILLED if i % 4 else Outcome.SURVIVED) for i, c in enumerate(pool)}
    wide = kill_matrix_sample(pool, executions, BuildRequest(names=("x",), kill_matrix_share=0.5))
    already = {c.id for c in wide[:9]}
    narrow = kill_matrix_sample(pool, executions, BuildRequest(names=("x",), kill_matrix_share=0.5,
                                                               kill_matrix_cap=12), already)
    assert len(wide) == 38 and len(narrow) == 12
    assert already <= {c.id for c in narrow}
    assert all(executions[c.id].outcome is Outcome.KILLED for c in narrow)
    assert kill_matrix_sample(pool, executions, BuildRequest(names=("x",), kill_matrix_share=0.5), set()) == wide


def test_recount_rewrites_the_assertions_and_adds_the_own_import_and_nothing_else(built, tmp_path):
    """One collection of the suite in a copy of the build's repository, as the build itself does before writing the
    file; clamp is only defined at import, so none of its candidates runs while the package imports itself."""
    from harness.assertions import ASSERTION_COUNTER

    from bugprm.corpus_build.recount import RecountRequest, recount_verdicts
    from bugprm.corpus_build.trajectories import package_trajectories

    request, _, _ = built
    old_path = verdict_path(request.out, "calc", "1.0")
    (written,) = recount_verdicts(RecountRequest(request.out, tmp_path / "recounted", request.work), lambda _: None)
    old, new = read_verdicts(old_path), read_verdicts(written)
    changed = ("test_assertions", "self_import", "collection", "harness")
    assert {k: v for k, v in new.items() if k not in changed} == {k: v for k, v in old.items() if k not in changed}
    assert new["harness"] == {**old["harness"], "assertion_counter": ASSERTION_COUNTER}
    assert new["test_assertions"] == old["test_assertions"] == [1] * len(new["tests"])
    assert new["self_import"] == old["self_import"]  # the build collects the same way
    assert new["self_import"]["src/tiny/__init__.py"] == [1]  # the def statement, never the body
    assert new["collection"] == old["collection"] == {"src/tiny/__init__.py": [1]}  # the test module's import of it
    assert "1 packages" in (tmp_path / "recounted" / "CARD.md").read_text()
    rebuilt = package_trajectories(written, request.work, request.manifests)
    assert {c.features["self_import_line"] for c in rebuilt.candidates} == {0}
    assert all("collection_line" not in c.features for c in rebuilt.candidates)  # off by default
    rebuilt = package_trajectories(written, request.work, request.manifests, import_contexts=True)
    assert {c.features["collection_line"] for c in rebuilt.candidates} == {0}  # 1 is the own import's line


def test_the_build_records_every_failing_test_message_of_the_bugs_repairs_sample(built):
    """Executed once more after the export, in a copy of the repository: each sampled bug's recorded failing tests
    fail again, each with pytest's short traceback, the first one's the same text the labelling run stored."""
    from bugprm.corpus_build.message_backfill import recorded_failing
    from bugprm.corpus_build.message_record import read_record, record_path, verdict_digest
    from bugprm.store import Store

    request, _, _ = built
    path = verdict_path(request.out, "calc", "1.0")
    document, record = read_verdicts(path), read_record(record_path(request.messages_out, "calc", "1.0"))
    assert record["verdicts_sha256"] == verdict_digest(path) and record["harness"] == document["harness"]
    killed = [c["id"] for c in document["candidates"] if c["outcome"] == "killed" and c.get("matrix")]
    assert record["executed"] == killed and not record["disagreements"]  # fewer than 15: every one is drawn
    recorded = recorded_failing(document)
    assert all(set(record["bugs"][bug]) == set(recorded[bug]) for bug in killed)
    assert any(len(record["bugs"][bug]) > 1 for bug in killed)
    with Store.open(request.work / "stores" / "calc") as store:
        stored = store.verdicts(document["harness"]["fingerprint"])
    for bug in killed:
        first = stored[bug].failing_tests[0]
        assert record["bugs"][bug][first] == stored[bug].detail and "assert" in stored[bug].detail


def test_the_backfill_executes_the_bugs_again_and_records_a_disagreement_with_the_verdict_file(built, tmp_path):
    """A verdict file that says a bug fails a test which passes with it: the execution disagrees, and the record
    says so for that bug alone; every other bug's messages are the build's. A current record is not made again."""
    from bugprm.corpus_build.message_backfill import backfill_package
    from bugprm.corpus_build.message_record import read_record, record_path
    from bugprm.corpus_build.verdicts import write_verdicts

    request, _, _ = built
    document = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    tests = document["tests"]
    bug = next(c for c in document["candidates"] if c["outcome"] == "killed" and c.get("matrix")
               and len(from_ranges(c["matrix"]["failing"])) < len(tests))
    passing = next(i for i in range(len(tests)) if i not in from_ranges(bug["matrix"]["failing"]))
    bug["failing"] = to_ranges([*from_ranges(bug["failing"]), passing])
    verdicts = tmp_path / "verdicts" / "calc-1.0.json.gz"
    verdicts.parent.mkdir()
    write_verdicts(verdicts, document)
    lines: list[str] = []
    written = backfill_package("calc", verdicts, request.work, tmp_path / "messages", request.manifests, lines.append)
    again, built_record = read_record(written), read_record(record_path(request.messages_out, "calc", "1.0"))
    assert again["disagreements"] == {bug["id"]: {"outcome": "killed", "not_failing": [tests[passing]], "detail": ""}}
    assert again["bugs"] == built_record["bugs"] and again["executed"] == built_record["executed"]
    assert f"{len(again['executed']) - 1} agree with the verdict file, 1 disagree" in lines[-1]
    backfill_package("calc", verdicts, request.work, tmp_path / "messages", request.manifests, lines.append)
    assert lines[-1].endswith("is current, skipped") and read_record(written) == again


def test_the_collection_backfill_adds_the_collection_and_changes_nothing_else(built, tmp_path):
    """``recount --collection-only``: a file whose other keys were set by another harness keeps them byte for byte."""
    from bugprm.corpus_build.recount import RecountRequest, recount_verdicts
    from bugprm.corpus_build.verdicts import write_verdicts

    request, _, _ = built
    old = read_verdicts(verdict_path(request.out, "calc", "1.0"))
    old = {k: v for k, v in old.items() if k != "collection"} | {"self_import": {"elsewhere.py": [7]}}
    write_verdicts(tmp_path / "old" / verdict_path(request.out, "calc", "1.0").name, old)
    (written,) = recount_verdicts(RecountRequest(tmp_path / "old", tmp_path / "new", request.work,
                                                 collection_only=True), lambda _: None)
    new = read_verdicts(written)
    assert new == {**old, "collection": {"src/tiny/__init__.py": [1]}}
