"""Tree-sitter parsing: the only package that touches the tree-sitter API.

Everything it hands out is a frozen, language-neutral value (spans, sites, functions).
"""

from bugprm.parsing.languages import Language, language_for_path
from bugprm.parsing.source import EditChecker, ParsedFile, UnparsableSource, parse_file, parses_cleanly
from bugprm.parsing.spans import Function, Site, SiteKind, Span

__all__ = [
    "EditChecker", "Function", "Language", "ParsedFile", "Site", "SiteKind", "Span", "UnparsableSource",
    "language_for_path", "parse_file", "parses_cleanly",
]
