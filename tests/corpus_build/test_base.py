"""``corpus train-base``'s choice of packages: names read from the verdict files' names, checked before any work."""

import pytest

from bugprm.corpus_build.base import BaseRequest, chosen_packages
from bugprm.errors import InputError


@pytest.fixture
def verdicts(tmp_path):
    for name in ("text-unidecode-1.3", "base58-2.1.1", "python-slugify-8.0.4"):
        (tmp_path / f"{name}.json.gz").write_bytes(b"")
    return tmp_path


def test_only_and_exclude_pick_packages_by_name(verdicts, tmp_path):
    every = chosen_packages(BaseRequest(tmp_path / "m", verdicts))
    assert sorted(every) == ["base58", "python-slugify", "text-unidecode"]
    assert sorted(chosen_packages(BaseRequest(tmp_path / "m", verdicts, exclude=("base58",)))) == [
        "python-slugify", "text-unidecode"]
    assert list(chosen_packages(BaseRequest(tmp_path / "m", verdicts, only=("base58",)))) == ["base58"]


def test_an_unknown_or_empty_choice_is_an_input_error(verdicts, tmp_path):
    with pytest.raises(InputError, match="no verdict file .* for semver"):
        chosen_packages(BaseRequest(tmp_path / "m", verdicts, exclude=("semver",)))
    with pytest.raises(InputError, match="no package left"):
        chosen_packages(BaseRequest(tmp_path / "m", verdicts, only=("base58",), exclude=("base58",)))
