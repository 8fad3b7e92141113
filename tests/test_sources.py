from pathlib import Path

import git
import pytest

from bugprm.errors import InputError, RepoError
from bugprm.records import Candidate, Kind, REPAIR_STEPS
from bugprm.scoring.records import Region
from bugprm.scoring.sources import edit_region, parse_unified_diff, patch_files, revision_range
from bugprm.scoring.sources.diffs import line_ranges
from bugprm.scoring.sources.patches import patch_edits
from bugprm.scoring.sources.revisions import resolve_range

APP = (Path(__file__).parent / "data" / "sample_app.py").read_text()

PATCH = '''diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -3,4 +3,4 @@ def clamp(x, low, high):
         return low
-    if x > high:
+    if x >= high:
         return high
     return x
'''

AUTHOR = git.Actor("bugprm tests", "tests@example.com")


def make_repo(root: Path, files: dict[str, str]) -> git.Repo:
    repo = git.Repo.init(root)
    commit_files(repo, files, "base")
    return repo


def commit_files(repo: git.Repo, files: dict[str, str], message: str) -> git.Commit:
    for name, text in files.items():
        path = Path(repo.working_tree_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    repo.index.add(list(files))
    return repo.index.commit(message, author=AUTHOR, committer=AUTHOR)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# -- unified diffs -----------------------------------------------------------------------------------------------
def test_a_unified_diff_parses_into_files_hunks_and_numbered_lines():
    [patch] = parse_unified_diff(PATCH)
    assert (patch.old_path, patch.new_path) == ("app.py", "app.py")
    hunk = patch.hunks[0]
    assert hunk.removed == [(4, "    if x > high:")] and hunk.added == [(4, "    if x >= high:")]
    assert hunk.context == "def clamp(x, low, high):"
    assert patch.changed_new_lines() == [(4, 4)]
    assert parse_unified_diff(patch.text)[0] == patch


def test_a_new_file_and_a_missing_final_newline():
    text = "--- /dev/null\n+++ b/new.py\n@@ -0,0 +1,2 @@\n+a = 1\n+b = 2\n\\ No newline at end of file\n"
    [patch] = parse_unified_diff(text)
    assert patch.old_path is None and patch.path == "new.py"
    assert patch.changed_new_lines() == [(1, 2)]


@pytest.mark.parametrize("text, message", [
    ("just some words\n", "not a unified diff"),
    ("--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,3 @@\n-a\n+b\n", "cut short"),
    ("--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-a\n?b\n", "ends early"),
])
def test_what_is_not_a_unified_diff_is_an_input_error(text, message):
    with pytest.raises(InputError, match=message):
        parse_unified_diff(text)


def test_line_ranges_fold_consecutive_lines():
    assert line_ranges([9, 3, 4, 5, 4]) == [(3, 5), (9, 9)]


# -- patch files ---------------------------------------------------------------------------------------------------
def test_a_patch_becomes_a_repair_trajectory(tmp_path):
    make_repo(tmp_path / "repo", {"app.py": APP})
    source = patch_files(tmp_path / "repo", [write(tmp_path / "fix.diff", PATCH)])
    [item] = source.items
    c = item.candidate
    assert c.kind is Kind.REPAIR and tuple(s.name for s in c.steps) == REPAIR_STEPS
    assert (c.file, c.function, c.line, c.operator) == ("app.py", "clamp", 4, "user_patch")
    locate, analyze, select, edit, validate = (s.text for s in c.steps)
    assert locate.startswith("file app.py\nfunction clamp\ndef clamp(x, low, high):")
    assert "lines_added=1" in analyze and "complexity=3" in analyze
    assert select == "user patch: +1 -1 lines in 1 file (app.py); first change: `if x > high:` -> `if x >= high:`"
    assert "+    if x >= high:" in edit
    assert validate == "run the tests that cover the changed lines"
    assert item.region == Region(4, 1, 4, len("    if x > high:") + 1)
    assert [f.path for f in source.files] == ["app.py"]


def test_patch_edits_reproduce_the_patched_file(tmp_path):
    [patch] = parse_unified_diff(PATCH)
    patched = APP
    for edit in sorted(patch_edits(patch, APP), key=lambda e: -e.start_byte):
        data = patched.encode()
        patched = (data[:edit.start_byte] + edit.replacement.encode() + data[edit.end_byte:]).decode()
    assert patched == APP.replace("if x > high:", "if x >= high:")


def test_validate_step_names_covering_tests_from_the_baseline(tmp_path):
    make_repo(tmp_path / "repo", {"app.py": APP})
    coverage = {("app.py", 4): ["tests/test_app.py::test_high"]}
    [item] = patch_files(tmp_path / "repo", [write(tmp_path / "fix.diff", PATCH)], coverage).items
    assert item.candidate.steps[-1].text == "run 1 covering tests: tests/test_app.py::test_high"


def test_a_patch_that_does_not_apply_to_a_git_repo_is_an_input_error(tmp_path):
    make_repo(tmp_path / "repo", {"app.py": APP.replace("x > high", "x > top")})
    with pytest.raises(InputError, match="fix.diff does not apply") as failed:
        patch_files(tmp_path / "repo", [write(tmp_path / "fix.diff", PATCH)])
    assert failed.value.exit_code == 2


def test_a_patch_is_checked_line_by_line_outside_git(tmp_path):
    (tmp_path / "plain").mkdir()
    write(tmp_path / "plain" / "app.py", "\n\n" + APP)  # shifted by two lines: still applies
    assert len(patch_files(tmp_path / "plain", [write(tmp_path / "fix.diff", PATCH)]).items) == 1
    write(tmp_path / "plain" / "app.py", APP.replace("x > high", "x > top"))
    with pytest.raises(InputError, match="app.py: the lines at 3-6 differ"):
        patch_files(tmp_path / "plain", [tmp_path / "fix.diff"])


def test_a_patch_to_a_missing_repository_is_a_repo_error(tmp_path):
    with pytest.raises(RepoError):
        patch_files(tmp_path / "nowhere", [write(tmp_path / "fix.diff", PATCH)])


# -- revision ranges -----------------------------------------------------------------------------------------------
@pytest.fixture
def history(tmp_path):
    """A repository whose second commit changes only ``total`` (and adds a test file)."""
    repo = make_repo(tmp_path / "repo", {"app.py": APP})
    changed = APP.replace("    result = 0\n", "    result = 0\n    if not values:\n        return 0\n")
    commit_files(repo, {"app.py": changed, "test_app.py": "def test_total():\n    assert 1 < 2\n",
                        "README.md": "# app\n"}, "change")
    return repo


def found_on_lines(root, path, source, ranges):
    """A stand-in generator: one candidate bug per changed line."""
    return [_bug(path, line) for first, last in ranges for line in range(first, last + 1)]


def _bug(path: str, line: int) -> Candidate:
    return Candidate(f"bug{line}", Kind.BUG, "repo", path, "f", line, "op", "fam", "", ())


def test_a_range_scores_bugs_on_changed_lines_and_each_hunk(history):
    source = revision_range(Path(history.working_tree_dir), "HEAD~1..HEAD", find_bugs=found_on_lines)
    bugs = [i.candidate for i in source.items if i.candidate.kind is Kind.BUG]
    hunks = [i.candidate for i in source.items if i.candidate.kind is Kind.REPAIR]
    assert sorted((c.file, c.line) for c in bugs) == [("app.py", 11), ("app.py", 12)]
    assert [(c.file, c.function, c.operator) for c in hunks] == [("app.py", "total", "hunk")]
    assert {f.path for f in source.files} == {"app.py"}


@pytest.mark.parametrize("path", ["test_app.py", "pkg/app_test.py", "conftest.py", "tests/helpers.py",
                                  "src/pkg/test/data.py"])
def test_test_files_are_never_scored_as_changes(tmp_path, path):
    repo = make_repo(tmp_path / "repo", {"app.py": APP})
    commit_files(repo, {path: "def helper():\n    return 1\n", "app.py": APP + "\n\ndef extra():\n    return 2\n"},
                 "a change and a test change")
    source = revision_range(Path(repo.working_tree_dir), "HEAD~1..HEAD", find_bugs=found_on_lines)
    assert {i.candidate.file for i in source.items} == {"app.py"}


def test_the_generator_mutates_only_changed_functions_and_never_tests(history):
    source = revision_range(Path(history.working_tree_dir), "HEAD~1...HEAD")
    bugs = [i.candidate for i in source.items if i.candidate.kind is Kind.BUG]
    assert bugs and {(c.file, c.function) for c in bugs} == {("app.py", "total")}
    assert all(11 <= c.line <= 12 for c in bugs)


def test_three_dots_diff_against_the_merge_base(history):
    main = history.head.commit
    base = main.parents[0]
    side = history.create_head("side", base)
    history.head.reference = side
    history.head.reset(index=True, working_tree=True)
    side_tip = commit_files(history, {"other.py": "x = 1\n"}, "side work")
    assert resolve_range(history, f"side...{main.hexsha}") == (base, main)
    assert resolve_range(history, f"{main.hexsha}..side") == (main, side_tip)
    assert resolve_range(history, f"{base.hexsha}") == (base, side_tip)


@pytest.mark.parametrize("spec, message", [
    ("nope..HEAD", "unknown revision 'nope'"),
    ("HEAD..HEAD", "changes nothing"),
    ("HEAD~7", "unknown revision"),
])
def test_bad_ranges_are_input_errors(history, spec, message):
    with pytest.raises(InputError, match=message) as failed:
        revision_range(Path(history.working_tree_dir), spec, find_bugs=found_on_lines)
    assert failed.value.exit_code == 2


def test_a_directory_that_is_not_a_git_repository_is_a_repo_error(tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(RepoError, match="not a git repository"):
        revision_range(tmp_path / "plain", "HEAD~1..HEAD", find_bugs=found_on_lines)


# -- regions -------------------------------------------------------------------------------------------------------
def test_edit_region_spans_the_replaced_text_and_falls_back_to_the_line():
    from bugprm.records import Edit

    start = APP.index("x < low") + 2
    bug = Candidate("b", Kind.BUG, "r", "app.py", "clamp", 2, "op", "fam", "", (),
                    (Edit("app.py", start, start + 1, "<", "<="),))
    assert edit_region(bug, APP) == Region(2, 10, 2, 11)
    assert edit_region(bug, APP.replace("x < low", "x == low")) == Region(2, 1, 2, len("    if x == low:") + 1)
