"""``corpus train-base``'s choice of packages: names read from the verdict files' names, checked before any work."""

from dataclasses import replace

import pytest

from bugprm.corpus_build.base import BaseRequest, chosen_packages, repairs_wanted
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


def test_repair_trajectories_come_from_the_named_packages_only(verdicts, tmp_path):
    every = BaseRequest(tmp_path / "m", verdicts, repair_bugs=15)
    named = BaseRequest(tmp_path / "m", verdicts, repair_bugs=15, repair_packages=("base58",))
    assert [repairs_wanted(every, n) for n in ("base58", "text-unidecode")] == [True, True]
    assert [repairs_wanted(named, n) for n in ("base58", "text-unidecode")] == [True, False]
    assert not repairs_wanted(BaseRequest(tmp_path / "m", verdicts), "base58")
    with pytest.raises(InputError, match="--repair-package semver"):
        chosen_packages(replace(named, repair_packages=("semver",)))
    with pytest.raises(InputError, match="give --repair-bugs"):
        chosen_packages(replace(named, repair_bugs=0))
