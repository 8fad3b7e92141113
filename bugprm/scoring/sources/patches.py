"""A change (a user's patch file, or one hunk of a revision range) as a REPAIR trajectory the PRM can score.

locate: file, enclosing function and its source window; analyze: static features; select: "user patch" and a
summary of what changes; edit: the diff; validate: what will be run.
"""

from __future__ import annotations

from bugprm.records import Candidate, Edit, Kind, Step, content_id
from bugprm.scoring.records import Located, Region
from bugprm.scoring.sources.context import CodeContext, code_context
from bugprm.scoring.sources.diffs import FilePatch, Hunk, hunk_position
from bugprm.trajectory import analyze_text, build_steps, locate_text, validate_text

Coverage = dict[tuple[str, int], list[str]]  # (file, line) -> covering test ids, from the store's baseline run


def change_candidate(repo: str, patches: list[FilePatch], source: str, side: str, operator: str,
                     coverage: Coverage | None = None, edits: tuple[Edit, ...] = ()) -> Located:
    """One REPAIR trajectory for ``patches``, located at their first hunk in ``source``.

    ``side`` says which file ``source`` is: ``old`` for a patch still to apply, ``new`` for a change already made.
    ``edits`` make the patch executable by the harness (byte spans of the files it applies to).
    """
    primary = next(p for p in patches if p.hunks)
    first, last = primary.hunks[0].first_changed(side), primary.hunks[0].last_changed(side)
    context = code_context(primary.path, source, first, last)
    diff = "".join(p.text for p in patches)
    features = {**change_features(patches), **context.facts}
    steps = change_steps(primary.path, context, features, patches, _covering_tests(coverage, primary.path, first, last))
    candidate = Candidate(
        id=content_id(operator, primary.path, diff), kind=Kind.REPAIR, repo=repo, file=primary.path,
        function=context.function, line=first, operator=operator, family="patch", diff=diff, steps=steps,
        edits=edits, features=features,
    )
    return Located(candidate, Region(first, 1, last, len(_line(source, last)) + 1))


def change_steps(path: str, context: CodeContext, features: dict, patches: list[FilePatch],
                 covering_tests: list[str] | None) -> tuple[Step, ...]:
    return build_steps(
        Kind.REPAIR,
        locate_text(path, context.function, context.signature, context.window),
        analyze_text(features),
        f"user patch: {change_summary(patches)}",
        "".join(p.text for p in patches),
        validate_text(covering_tests),
    )


def patch_edits(patch: FilePatch, source: str) -> list[Edit]:
    """The patch as byte-span replacements of ``source``, the file before the patch (hunks that do not apply
    are left out: the caller checked that they do)."""
    lines = source.splitlines(keepends=True)
    bare = [line.rstrip("\r\n") for line in lines]
    edits = []
    for hunk in patch.hunks:
        at = hunk_position(hunk, bare)
        if at is not None:
            edits.append(_hunk_edit(patch.old_path or patch.path, hunk, lines, at))
    return edits


def _hunk_edit(path: str, hunk: Hunk, lines: list[str], at: int) -> Edit:
    start = len("".join(lines[:at]).encode("utf-8"))
    original = "".join(lines[at:at + len(hunk.old_lines)])
    replacement = "".join(line + "\n" for line in hunk.new_lines)
    if original and not original.endswith("\n") and replacement:
        replacement = replacement[:-1]
    return Edit(path, start, start + len(original.encode("utf-8")), original, replacement)


def change_features(patches: list[FilePatch]) -> dict[str, int]:
    hunks = [h for p in patches for h in p.hunks]
    return {
        "files_changed": len(patches),
        "hunks": len(hunks),
        "lines_added": sum(len(h.added) for h in hunks),
        "lines_removed": sum(len(h.removed) for h in hunks),
    }


def change_summary(patches: list[FilePatch]) -> str:
    """``+2 -1 lines in 1 file (app.py); first change: `a - b` -> `a + b```."""
    features = change_features(patches)
    files = ", ".join(p.path for p in patches[:3]) + (" ..." if len(patches) > 3 else "")
    counts = f"+{features['lines_added']} -{features['lines_removed']} lines in {len(patches)} file"
    plural = "" if len(patches) == 1 else "s"
    first_hunk = next(h for p in patches for h in p.hunks)
    return f"{counts}{plural} ({files}); first change: {_first_change(first_hunk)}"


def _first_change(hunk: Hunk) -> str:
    removed = next((t.strip() for _, t in hunk.removed if t.strip()), "")
    added = next((t.strip() for _, t in hunk.added if t.strip()), "")
    if removed and added:
        return f"`{removed}` -> `{added}`"
    return f"removes `{removed}`" if removed else f"adds `{added}`"


def _covering_tests(coverage: Coverage | None, path: str, first: int, last: int) -> list[str] | None:
    if coverage is None:
        return None
    found = {test for line in range(first, last + 1) for test in coverage.get((path, line), ())}
    return sorted(found)


def _line(source: str, number: int) -> str:
    lines = source.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""
