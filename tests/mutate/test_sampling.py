from bugprm.mutate.sampling import stratified_sample
from bugprm.records import Candidate, Kind


def _candidate(index: int, file: str, function: str, family: str) -> Candidate:
    return Candidate(id=f"{index:04d}", kind=Kind.BUG, repo="r", file=file, function=function, line=index,
                     operator=family, family=family, diff="", steps=())


POOL = [
    _candidate(i, file, f"{file}:{fn}", family)
    for i, (file, fn, family) in enumerate(
        (file, fn, family)
        for file in ("a.py", "b.py", "c.go")
        for fn in ("f", "g")
        for family in ("constant", "comparison", "return")
        for _ in range(5 if file == "a.py" else 1)
    )
]


def test_same_seed_same_sample_whatever_the_input_order():
    first = stratified_sample(POOL, 10, seed=3)
    again = stratified_sample(list(reversed(POOL)), 10, seed=3)
    assert [c.id for c in first] == [c.id for c in again]


def test_another_seed_gives_another_sample():
    assert {c.id for c in stratified_sample(POOL, 10, 1)} != {c.id for c in stratified_sample(POOL, 10, 2)}


def test_small_samples_spread_over_files_functions_and_families():
    sample = stratified_sample(POOL, 6, seed=0)
    assert {c.file for c in sample[:3]} == {"a.py", "b.py", "c.go"}
    assert len({c.function for c in sample}) == 6
    a_families = {c.family for c in stratified_sample(POOL, 18, seed=0) if c.file == "a.py"}
    assert a_families == {"constant", "comparison", "return"}


def test_limit_is_respected_and_never_repeats():
    sample = stratified_sample(POOL, 1000, seed=0)
    assert len(sample) == len(POOL) == len({c.id for c in sample})


def test_generate_samples_its_pool_with_the_seed_given(tmp_path):
    import shutil
    from pathlib import Path

    from bugprm.mutate.run import generate_pool
    from bugprm.store import Store

    def sampled(seed):
        repo = shutil.copytree(Path(__file__).parents[1] / "fixtures" / "h_calc", tmp_path / f"calc{seed}")
        summary = generate_pool(repo, None, max_candidates=6, seed=seed)
        assert sum(summary.operators.values()) == sum(summary.families.values()) == 6  # what was written
        with Store.open(repo / ".bugprm") as store:
            return {c.id for c in store.candidates()}

    first, second = sampled(0), sampled(1)
    assert len(first) == len(second) == 6 and first != second
