"""Turning a ``bugprm score`` SOURCE into located trajectories: the store's candidate bugs (``--bugs``), patch
files (``--patch``), or the changes of a revision range (``--diff``).

Each source gives a ``ScoringInput``; bad input (a patch that does not apply, an unknown revision, an empty
diff, a directory that is not a git repository) raises ``InputError``, exit code 2.
"""

from bugprm.scoring.sources.bugs import edit_region, store_bugs
from bugprm.scoring.sources.diffs import FilePatch, Hunk, parse_unified_diff
from bugprm.scoring.sources.revisions import BugFinder, revision_range
from bugprm.scoring.sources.user_patches import patch_files

__all__ = [
    "BugFinder", "FilePatch", "Hunk", "edit_region", "parse_unified_diff", "patch_files", "revision_range",
    "store_bugs",
]
