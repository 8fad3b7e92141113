"""User patches (``bugprm repair --patch FILE``): unified diffs for the failing state, as repair trajectories.

A patch must apply to the failing state (for a bug, the files with the bug's edits applied). Its steps are those of
a generated patch at the line its first hunk changes, with ``select`` reading "user patch" and a summary.
"""

from __future__ import annotations

from pathlib import Path

from bugprm.errors import InputError
from bugprm.records import Candidate, Edit, Kind, content_id
from bugprm.repair.diffs import diff_size
from bugprm.repair.sites import Localisation, StateFiles, site_steps
from bugprm.scoring.sources.confined import check_patch_paths
from bugprm.scoring.sources.diffs import FilePatch, hunk_mismatch
from bugprm.scoring.sources.patches import change_features, change_summary, patch_edits
from bugprm.scoring.sources.user_patches import read_patch
from bugprm.trajectory import build_steps

USER_PATCH = "user_patch"


def check_user_patches(repo: Path, paths: tuple[Path, ...]) -> None:
    """Every patch parses and names only files inside ``repo``: checked before the harness copies or runs anything."""
    for path in paths:
        check_patch_paths(repo, read_patch(path), str(path))


def user_repairs(paths: tuple[Path, ...], localisation: Localisation, files: StateFiles,
                 repo_name: str) -> list[Candidate]:
    return [user_repair(path, localisation, files, repo_name) for path in paths]


def user_repair(path: Path, localisation: Localisation, files: StateFiles, repo_name: str) -> Candidate:
    patches = read_patch(path)
    edits = tuple(e for patch in patches for e in _edits_on_state(path, patch, files))
    primary = next(p for p in patches if p.hunks)
    line = primary.hunks[0].first_changed("old")
    steps = site_steps(localisation, files, localisation.at(primary.old_path, line))
    diff = "".join(p.text for p in patches)
    features = {**steps.features, **change_features(patches), "operator": USER_PATCH, "diff_chars": diff_size(diff)}
    bug_id = localisation.state.bug_id
    return Candidate(
        id=content_id(Kind.REPAIR, bug_id, USER_PATCH, diff), kind=Kind.REPAIR, repo=repo_name,
        file=primary.old_path, function=steps.function, line=line, operator=USER_PATCH, family="patch", diff=diff,
        steps=build_steps(Kind.REPAIR, steps.locate, steps.analyze, f"user patch: {change_summary(patches)}", diff,
                          steps.validate),
        edits=edits, bug_id=bug_id, features=features,
    )


def _edits_on_state(path: Path, patch: FilePatch, files: StateFiles) -> list[Edit]:
    if patch.old_path is None or patch.new_path is None:
        raise InputError(f"{path}: {patch.path}: patches that create or delete files cannot be executed")
    try:
        text = files.text(patch.old_path)
    except OSError as exc:
        raise InputError(f"{path}: {patch.old_path}: {exc.strerror}") from exc
    lines = text.splitlines()
    problem = next((why for hunk in patch.hunks if (why := hunk_mismatch(hunk, lines))), None)
    if problem:
        raise InputError(f"{path} does not apply to the failing state: {patch.path}: {problem}")
    return patch_edits(patch, text)
