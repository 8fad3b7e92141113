"""``bugprm report`` puts the last ``score --bugs`` predictions against the outcomes executed since."""

from pathlib import Path

from rich.console import Console

from bugprm.records import BUG_STEPS, Candidate, Execution, Kind, Outcome, Step
from bugprm.report.console import print_agreement
from bugprm.store import Store
from bugprm.report.summary import Agreement, prediction_agreement, summarise_store

LAST = {"model": "m1", "predictions": {"a": {"score": 0.9, "recommendation": "use"},
                                       "b": {"score": 0.2, "recommendation": "refine"},
                                       "c": {"score": 0.8, "recommendation": "use"}}}


def test_agreement_counts_only_judged_predictions():
    executions = {"a": Execution("a", Outcome.KILLED), "b": Execution("b", Outcome.KILLED),
                  "c": Execution("c", Outcome.INFRA_ERROR), "z": Execution("z", Outcome.SURVIVED)}
    assert prediction_agreement(LAST, executions) == Agreement(2, 1, 0.5, "m1")


def test_no_predictions_or_no_overlap_gives_none():
    assert prediction_agreement(None, {"a": Execution("a", Outcome.KILLED)}) is None
    assert prediction_agreement(LAST, {"z": Execution("z", Outcome.KILLED)}) is None


def test_store_summary_carries_the_agreement(tmp_path: Path):
    with Store.open(tmp_path / "run", create=True) as store:
        steps = tuple(Step(name, "text") for name in BUG_STEPS)
        store.add_candidates([Candidate("a", Kind.BUG, "r", "f.py", "f", 1, "op", "fam", "", steps)])
        store.set_fingerprint("fp")
        store.record_execution(Execution("a", Outcome.SURVIVED, fingerprint="fp"))
        store.set_last_score(LAST)
        summary = summarise_store(store)
    assert summary.agreement == Agreement(1, 0, 0.0, "m1")
    assert summary.as_dict()["agreement"]["compared"] == 1


def test_print_agreement():
    console = Console(width=100, record=True, color_system=None)
    print_agreement(Agreement(4, 3, 0.75, "m1"), console)
    print_agreement(None, console)
    assert console.export_text() == "last score predictions agree with 3 of 4 executed outcomes (75%, model m1)\n"
