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
