"""``bugprm corpus build``: the executed corpus, one versioned verdict file per package (``verdicts.py``)."""

from bugprm.corpus_build.build import BuildRequest, BuildSummary, build_corpus

__all__ = ["BuildRequest", "BuildSummary", "build_corpus"]
