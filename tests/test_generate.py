"""``generate_pool`` end to end on a small polyglot fixture repository."""

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bugprm.errors import RepoError
from bugprm.mutate.run import GenerateSummary, generate_pool
from bugprm.records import Kind, StepName
from bugprm.store import Store

FIXTURE = "gen_polyglot"
PRISTINE = Path(__file__).parent / "fixtures" / FIXTURE
SOURCE_FILES = {
    "inventory/stock.py", "web/cart.js", "web/shapes.ts", "web/badge.tsx", "java/src/main/java/demo/Stack.java",
    "go/calc.go",
}
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def repo(fixture_repo) -> Path:
    return fixture_repo(FIXTURE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[GenerateSummary, list]:
    """One run shared by the read-only tests: the copy is made here since ``fixture_repo`` is per test."""
    work = tmp_path_factory.mktemp("generated")
    shutil.copytree(PRISTINE, work / FIXTURE)
    summary = generate_pool(work / FIXTURE, work / "store")
    with Store.open(work / "store") as store:
        return summary, store.candidates()


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if path.is_file() and ".bugprm" not in path.relative_to(root).parts
    }


def _mutated(repo: Path, candidate) -> bytes:
    edit = candidate.edits[0]
    source = (repo / candidate.file).read_bytes()
    assert source[edit.start_byte:edit.end_byte].decode() == edit.original
    return source[:edit.start_byte] + edit.replacement.encode() + source[edit.end_byte:]


def test_every_language_yields_candidates_and_tests_are_never_mutated(generated):
    summary, candidates = generated
    assert {c.file for c in candidates} == SOURCE_FILES
    assert summary.languages == {"python": 2, "javascript": 1, "typescript": 1, "tsx": 1, "java": 1, "go": 1}
    assert len({c.operator for c in candidates}) >= 20


def test_summary_counts_agree_with_the_store(generated):
    summary, candidates = generated
    assert summary.candidates_found == summary.candidates_written == len(candidates)
    assert sum(summary.operators.values()) == sum(summary.families.values()) == len(candidates)
    assert summary.files_parsed == 7 and summary.files_skipped == ()
    assert summary.seconds > 0


def test_candidates_are_well_formed_bug_trajectories(generated):
    _, candidates = generated
    for c in candidates:
        assert c.kind is Kind.BUG and c.repo == FIXTURE and c.line >= 1
        assert [s.name for s in c.steps] == [StepName.LOCATE, StepName.ANALYZE, StepName.SELECT, StepName.INJECT,
                                             StepName.VALIDATE]
        assert c.step(StepName.INJECT).text == c.diff
        assert c.diff.startswith(f"--- a/{c.file}\n+++ b/{c.file}\n")
        assert f"file {c.file}\nfunction {c.function}\n" in c.step(StepName.LOCATE).text
        assert "operator" not in c.step(StepName.ANALYZE).text
        assert {"complexity", "nesting", "lines", "statements", "callers", "operator", "family", "node_kind",
                "language"} <= set(c.features)


def test_candidates_of_one_function_share_locate_and_analyze(generated):
    _, candidates = generated
    by_function = {}
    for c in candidates:
        prefix = (c.step(StepName.LOCATE).text, c.step(StepName.ANALYZE).text)
        by_function.setdefault((c.file, c.function, c.features["lines"]), set()).add(prefix)
    assert all(len(prefixes) == 1 for prefixes in by_function.values())


def test_mutated_python_files_compile(generated):
    _, candidates = generated
    for c in (c for c in candidates if c.file.endswith(".py")):
        compile(_mutated(PRISTINE, c), c.file, "exec", dont_inherit=True)


@needs_git
def test_every_diff_applies_to_a_fresh_copy_and_matches_the_edit(tmp_path, generated):
    _, candidates = generated
    for c in candidates:
        work = tmp_path / "apply" / c.id
        (work / c.file).parent.mkdir(parents=True)
        shutil.copyfile(PRISTINE / c.file, work / c.file)
        subprocess.run(["git", "apply", "-"], input=c.diff.encode(), cwd=work, check=True, capture_output=True)
        assert (work / c.file).read_bytes() == _mutated(PRISTINE, c), c.id


def test_ids_are_stable_across_runs_and_the_repository_is_untouched(repo, tmp_path):
    before = _tree_digest(repo)
    generate_pool(repo, None)
    with Store.open(repo / ".bugprm") as store:
        first = [c.id for c in store.candidates()]
        assert store.repository() == str(repo.resolve())
    again = generate_pool(repo, tmp_path / "other")
    with Store.open(tmp_path / "other") as store:
        assert [c.id for c in store.candidates()] == first
    assert again.candidates_found == len(first)
    assert _tree_digest(repo) == before
    assert {p.name for p in repo.iterdir()} == {*(p.split("/")[0] for p in before), ".bugprm"}


def test_rerunning_on_the_same_store_adds_nothing(repo, tmp_path):
    first = generate_pool(repo, tmp_path / "s")
    second = generate_pool(repo, tmp_path / "s")
    assert first.candidates_written > 0 and second.candidates_written == 0
    assert second.candidates_found == first.candidates_found


def test_max_and_seed_sample_deterministically(repo, tmp_path):
    def sample(seed: int, name: str) -> list[str]:
        summary = generate_pool(repo, tmp_path / name, max_candidates=30, seed=seed)
        assert summary.candidates_written == 30 and summary.candidates_found > 30
        with Store.open(tmp_path / name) as store:
            return [c.id for c in store.candidates()]

    first, same, other = sample(1, "a"), sample(1, "b"), sample(2, "c")
    assert first == same and set(first) != set(other)
    with Store.open(tmp_path / "a") as store:
        assert {c.file for c in store.candidates()} == SOURCE_FILES


def test_missing_path_is_a_repo_error(tmp_path):
    with pytest.raises(RepoError, match="does not exist") as raised:
        generate_pool(tmp_path / "nowhere", None)
    assert raised.value.exit_code == 2
    assert not (tmp_path / "nowhere").exists()


def test_a_file_is_not_a_repository(tmp_path):
    (tmp_path / "m.py").write_text("x = 1\n")
    with pytest.raises(RepoError, match="not a directory"):
        generate_pool(tmp_path / "m.py", None)


def test_a_tree_without_sources_is_a_repo_error(tmp_path):
    (tmp_path / "README.md").write_text("docs only\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text("def test(): pass\n")
    with pytest.raises(RepoError, match="no source files"):
        generate_pool(tmp_path, None)
    assert not (tmp_path / ".bugprm").exists()


def test_bad_files_are_skipped_with_reasons_and_the_rest_still_generates(repo, tmp_path):
    (repo / "inventory" / "latin1.py").write_bytes(b"def f():\n    return '\xe9'\n")
    (repo / "inventory" / "blob.py").write_bytes(b"\x00\x01binary")
    (repo / "inventory" / "broken.py").write_text("def f(:\n    return 1\n")
    (repo / "inventory" / "py2.py").write_text("def f():\n    print 'x'\n")
    (repo / "inventory" / "huge.py").write_text("x = 1\n" * 200_000)
    (repo / "web" / "bundle.js").write_text("var a=" + "1+" * 6000 + "1;\n")
    (repo / "inventory" / "test_helpers.py").write_text("def f(:\n")  # a test file is never even read
    (repo / "inventory" / "loop").symlink_to(repo / "inventory", target_is_directory=True)
    summary = generate_pool(repo, tmp_path / "s")
    reasons = dict(summary.files_skipped)
    assert set(reasons) == {"inventory/latin1.py", "inventory/blob.py", "inventory/broken.py", "inventory/py2.py",
                            "inventory/huge.py", "web/bundle.js", "inventory/loop"}
    assert "not UTF-8" in reasons["inventory/latin1.py"] and "binary" in reasons["inventory/blob.py"]
    assert "line 1" in reasons["inventory/broken.py"] and "compile" in reasons["inventory/py2.py"]
    assert "1 MB" in reasons["inventory/huge.py"] and "minified" in reasons["web/bundle.js"]
    assert "symbolic link" in reasons["inventory/loop"]
    with Store.open(tmp_path / "s") as store:
        assert dict(store.skipped()) == reasons
        assert {c.file for c in store.candidates()} == SOURCE_FILES


def test_importing_generate_does_not_load_torch():
    code = "import sys, bugprm.mutate.run; print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert result.stdout.strip() == "[]"


def test_the_command_shows_progress_as_plain_lines_without_a_terminal(repo):
    from click.testing import CliRunner

    from bugprm.cli import cli

    result = CliRunner().invoke(cli, ["generate", str(repo)])
    assert result.exit_code == 0, result.output
    last = [line for line in result.stderr.splitlines() if line.startswith("generate (files):")][-1]
    assert last.startswith("generate (files): 7/7 (100%)") and "done;" in last and "candidates" in last


def test_ids_survive_an_edit_above_the_function_random_draws_included(tmp_path):
    repo = tmp_path / "pkg"
    repo.mkdir()
    body = ("def mix(a, b, c, d):\n    total = a + b\n    scaled = total * c\n    if scaled > d:\n"
            "        return scaled - d\n    return total + c\n")
    (repo / "mix.py").write_text(body)
    generate_pool(repo, None)
    with Store.open(repo / ".bugprm") as store:
        before = {c.id: c for c in store.candidates()}
    (repo / "mix.py").write_text("def helper(x):\n    return x * 2 + 1\n\n\n" + body)
    generate_pool(repo, None)
    with Store.open(repo / ".bugprm") as store:
        after = {c.id: c for c in store.candidates() if c.function == "mix"}
    assert any(c.operator == "variable_swap" or c.family == "variable" for c in before.values())
    assert after.keys() == before.keys()
    assert all(after[i].line == before[i].line + 4 for i in after)
    source = (repo / "mix.py").read_bytes()
    assert all(source[e.start_byte:e.end_byte].decode() == e.original for c in after.values() for e in c.edits)

def test_tool_bugprm_include_and_exclude_choose_the_mutated_files(repo, tmp_path):
    (repo / "pyproject.toml").write_text('[tool.bugprm]\ninclude = ["web", "inventory"]\nexclude = ["web/*.tsx"]\n')
    summary = generate_pool(repo, tmp_path / "store")
    with Store.open(tmp_path / "store") as store:
        files = {c.file for c in store.candidates()}
    assert files == {"inventory/stock.py", "web/cart.js", "web/shapes.ts"}
    reasons = dict(summary.files_skipped)
    assert reasons["web/badge.tsx"] == "under [tool.bugprm] exclude"
    assert reasons["go/calc.go"] == "not under [tool.bugprm] include"
