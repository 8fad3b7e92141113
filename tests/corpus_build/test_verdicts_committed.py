"""The verdict files committed under corpora/verdicts/ stay readable by this bugprm (their schema name and version
are a published format: a rename in the code must not orphan them)."""

from pathlib import Path

import pytest

from bugprm.corpus_build.verdicts import read_verdicts

COMMITTED = sorted((Path(__file__).parents[2] / "corpora" / "verdicts").glob("*.json.gz"))


@pytest.mark.parametrize("path", COMMITTED[:3], ids=lambda p: p.name)
def test_a_committed_verdict_file_reads(path):
    document = read_verdicts(path)
    assert document["complete"] and document["candidates"]


def test_the_default_manifest_folder_is_the_repositorys_corpora():
    from bugprm.corpus_build.fetch import MANIFEST_DIR, load_manifests

    assert {"semver", "base58", "arrow"} <= set(load_manifests(MANIFEST_DIR))


def test_every_committed_file_says_which_lines_only_the_collection_runs():
    """The backfill (``corpus recount --collection-only``) reached every file, and kept to the package's source."""
    documents = [read_verdicts(path) for path in COMMITTED]
    assert all("collection" in d for d in documents)
    for document in documents:
        source = document["package"]["source"].strip("/")
        assert all(f == source or f.startswith(source + "/") for f in document["collection"]), document["package"]
    decorator = next(d for d in documents if d["package"]["name"] == "decorator")
    assert decorator["collection"]  # its test modules decorate at import
