"""``--patch FILE...``: patch files checked against the repository, each one REPAIR trajectory."""

from __future__ import annotations

from pathlib import Path

import git

from bugprm.errors import InputError, RepoError
from bugprm.scoring.records import ScoringInput, SourceFile
from bugprm.scoring.sources.bugs import read_sources
from bugprm.scoring.sources.confined import check_patch_paths
from bugprm.scoring.sources.diffs import FilePatch, hunk_mismatch, parse_unified_diff
from bugprm.scoring.sources.patches import Coverage, change_candidate, patch_edits


def patch_files(repo: Path, paths: list[Path], coverage: Coverage | None = None) -> ScoringInput:
    if not repo.is_dir():
        raise RepoError(f"no repository at {repo}")
    if not paths:
        raise InputError("--patch needs at least one patch file")
    items, files = [], []
    for path in paths:
        patches = read_patch(path)
        check_patch_paths(repo, patches, str(path))
        check_applies(repo, path, patches)
        files += read_sources(repo, [p.old_path for p in patches if p.old_path])
        texts = {p.path: _text(repo / p.old_path) if p.old_path else "" for p in patches}
        edits = tuple(e for p in patches for e in patch_edits(p, texts[p.path]))
        primary = next(p for p in patches if p.hunks)
        items.append(change_candidate(str(repo), patches, texts[primary.path], "old", "user_patch", coverage, edits))
    names = ", ".join(p.name for p in paths)
    return ScoringInput(f"patches {names} against {repo}", tuple(items), _unique(files))


def read_patch(path: Path) -> list[FilePatch]:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read patch {path}: {exc}") from exc
    return parse_unified_diff(text, origin=str(path))


def check_applies(repo: Path, patch_path: Path, patches: list[FilePatch]) -> None:
    """``git apply --check`` in a git repository; otherwise every hunk's old lines must be in the file."""
    if _is_git_repo(repo):
        _git_apply_check(repo, patch_path, _git_apply_options(patches))
        return
    for patch in patches:
        problem = _file_problem(repo, patch)
        if problem:
            raise InputError(f"{patch_path} does not apply to {repo}: {patch.path}: {problem}")


def _git_apply_check(repo: Path, patch_path: Path, options: list[str]) -> None:
    try:
        git.Repo(repo).git.apply("--check", *options, str(patch_path.resolve()))
    except git.GitCommandError as exc:
        reason = (exc.stderr or "").strip().removeprefix("stderr:").strip().strip("'").strip()
        raise InputError(f"{patch_path} does not apply to {repo}: {reason}") from exc


def _git_apply_options(patches: list[FilePatch]) -> list[str]:
    """``-p1`` for ``a/``, ``b/`` prefixed paths (git's style), ``-p0`` for bare ones; ``--unidiff-zero`` for
    hunks without context lines (``diff -U0``), which git refuses by default."""
    names = [line[4:] for p in patches for line in p.header if line[:4] in ("--- ", "+++ ")]
    options = ["-p1" if all(n.startswith(("a/", "b/", "/dev/null")) for n in names) else "-p0"]
    no_context = any(not any(line[:1] == " " for line in h.lines) for p in patches for h in p.hunks)
    return options + (["--unidiff-zero"] if no_context else [])


def _file_problem(repo: Path, patch: FilePatch) -> str | None:
    if patch.old_path is None:
        return "already exists" if (repo / patch.path).exists() else None
    target = repo / patch.old_path
    if not target.is_file():
        return "no such file"
    lines = _text(target).splitlines()
    return next((why for hunk in patch.hunks if (why := hunk_mismatch(hunk, lines))), None)


def _is_git_repo(path: Path) -> bool:
    try:
        git.Repo(path, search_parent_directories=False)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    return True


def _text(path: Path) -> str:
    return path.read_text("utf-8", errors="replace")


def _unique(files: list[SourceFile]) -> tuple[SourceFile, ...]:
    return tuple({f.path: f for f in files}.values())
