"""``--diff REV_RANGE``: candidate bugs on the lines a revision range changed, and each changed hunk as a patch.

Ranges read as git reads them: ``A...B`` diffs B against the merge base of A and B, ``A..B`` diffs B against A,
and a single revision ``A`` means ``A..HEAD``. Bug candidates come from the new revision's files only; hunks are
scored in the source files bugprm parses (a README change is no patch to score), test files excepted: a change
to the tests is what closes gaps, never a doubtful change itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import git
from gitdb.exc import BadName, BadObject

from bugprm.errors import InputError, RepoError
from bugprm.execute.baseline import Baseline
from bugprm.parsing import language_for_path
from bugprm.parsing.discovery import is_test_path
from bugprm.records import Candidate
from bugprm.scoring.records import Located, ScoringInput, SourceFile
from bugprm.scoring.sources.bugs import edit_region
from bugprm.scoring.sources.changed_bugs import GeneratorBugFinder
from bugprm.scoring.sources.context import language_name
from bugprm.scoring.sources.diffs import FilePatch, parse_unified_diff
from bugprm.scoring.sources.patches import Coverage, change_candidate

HUNK_OPERATOR = "hunk"  # the operator name of a changed hunk's REPAIR trajectory

# (repository root, repo-relative path, the file's text, changed line ranges) -> candidate bugs on those lines
BugFinder = Callable[[Path, str, str, list[tuple[int, int]]], list[Candidate]]


def revision_range(repo_path: Path, spec: str, find_bugs: BugFinder | None = None,
                   coverage: Coverage | None = None, baseline: Baseline | None = None) -> ScoringInput:
    """Bug candidates on the changed lines of the new revision, then one REPAIR trajectory per changed hunk.

    With the store's ``baseline``, the bugs carry its dynamic features and covering tests, as the pool's do.
    """
    repo = open_git_repo(repo_path)
    base, head = resolve_range(repo, spec)
    patches = [p for p in changed_files(repo, base, head, spec)
               if language_for_path(p.path) is not None and not is_test_path(p.path)]
    sources = {p.path: file_at(head, p.path) for p in patches}
    root = Path(repo.working_tree_dir)
    find_bugs = find_bugs or GeneratorBugFinder(root, baseline)
    bugs = [item for p in patches for item in _bugs_in(root, p, sources[p.path], find_bugs)]
    hunks = [_hunk_item(root, p, index, sources[p.path], coverage) for p in patches for index in range(len(p.hunks))]
    files = tuple(SourceFile(path, language_name(path), text) for path, text in sources.items())
    return ScoringInput(f"changes in {spec} ({base.hexsha[:10]}..{head.hexsha[:10]})", (*bugs, *hunks), files)


def open_git_repo(path: Path) -> git.Repo:
    try:
        return git.Repo(path, search_parent_directories=True)
    except git.NoSuchPathError as exc:
        raise RepoError(f"no repository at {path}") from exc
    except git.InvalidGitRepositoryError as exc:
        raise RepoError(f"{path} is not a git repository (--diff reads its history)") from exc


def resolve_range(repo: git.Repo, spec: str) -> tuple[git.Commit, git.Commit]:
    if "..." in spec:
        left, right = (part or "HEAD" for part in spec.split("...", 1))
        head = _commit(repo, right, spec)
        bases = repo.merge_base(_commit(repo, left, spec), head)
        if not bases:
            raise InputError(f"{left} and {right} share no history, so {spec} has no merge base")
        return bases[0], head
    if ".." in spec:
        left, right = (part or "HEAD" for part in spec.split("..", 1))
        return _commit(repo, left, spec), _commit(repo, right, spec)
    return _commit(repo, spec, spec), _commit(repo, "HEAD", spec)


def changed_files(repo: git.Repo, base: git.Commit, head: git.Commit, spec: str) -> list[FilePatch]:
    """Files the range changes that still exist in the new revision, with their hunks."""
    text = repo.git.diff(base.hexsha, head.hexsha, "--no-color", "--no-ext-diff", "--unified=3")
    if not text.strip():
        raise InputError(f"the revision range {spec} changes nothing")
    patches = [p for p in parse_unified_diff(text + "\n", origin=spec) if p.new_path and p.hunks]
    if not patches:
        raise InputError(f"the revision range {spec} only deletes files or changes binary ones")
    return patches


def file_at(commit: git.Commit, path: str) -> str:
    return (commit.tree / path).data_stream.read().decode("utf-8", errors="replace")


def on_lines(candidate: Candidate, ranges: list[tuple[int, int]]) -> bool:
    return any(first <= candidate.line <= last for first, last in ranges)


def _commit(repo: git.Repo, revision: str, spec: str) -> git.Commit:
    try:
        return repo.commit(revision)
    except (BadName, BadObject, ValueError, git.GitCommandError) as exc:
        raise InputError(f"unknown revision {revision!r} in {spec!r} (repository {repo.working_tree_dir})") from exc


def _bugs_in(root: Path, patch: FilePatch, source: str, find_bugs: BugFinder) -> list[Located]:
    ranges = patch.changed_new_lines()
    if not ranges:
        return []
    found = [c for c in find_bugs(root, patch.path, source, ranges) if on_lines(c, ranges)]
    return [Located(c, edit_region(c, source)) for c in found]


def _hunk_item(root: Path, patch: FilePatch, index: int, source: str, coverage: Coverage | None) -> Located:
    single = FilePatch(patch.old_path, patch.new_path, patch.header, (patch.hunks[index],))
    return change_candidate(str(root), [single], source, "new", HUNK_OPERATOR, coverage)
