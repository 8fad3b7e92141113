import pytest

from bugprm.parsing import Language, SiteKind, language_for_path
from bugprm.parsing.query import capture_names, compiled_query

STRUCTURE = {"function", "class", "call", "parameter", "local", "decision", "nesting", "statement", "skip", "wrapper"}


@pytest.mark.parametrize(("path", "language"), [
    ("a/b.py", Language.PYTHON), ("x.js", Language.JAVASCRIPT), ("x.mjs", Language.JAVASCRIPT),
    ("x.ts", Language.TYPESCRIPT), ("x.tsx", Language.TSX), ("X.java", Language.JAVA), ("x.go", Language.GO),
    ("README.md", None), ("Makefile", None),
])
def test_language_by_extension(path, language):
    assert language_for_path(path) == language


@pytest.mark.parametrize("language", list(Language))
def test_every_query_compiles_and_names_only_known_roots(language):
    compiled_query(language)
    roots = {name.split(".")[0] for name in capture_names(language) if not name.startswith("_")}
    assert roots <= STRUCTURE | {str(kind) for kind in SiteKind}
    assert {"function", "call", "decision", "statement"} <= roots


@pytest.mark.parametrize("language", list(Language))
def test_every_part_capture_has_its_root(language):
    names = set(capture_names(language))
    parts = {name for name in names if "." in name}
    assert all(part.split(".")[0] in names for part in parts)
