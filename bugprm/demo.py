"""The main job out of the box: the whole loop on a small real package from corpora/, on the embedded defaults.

fetch (pinned sdist, venv, green suite) -> generate -> ActPRM train under a 20% budget with a held-out slice ->
score the unexecuted candidates -> the store report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bugprm.active.run import TrainRequest, train_active
from bugprm.config import MODEL_DIRNAME, load_config
from bugprm.corpus_build.fetch import default_destination, fetch
from bugprm.mutate.run import generate_pool
from bugprm.store import find_store_directory

DEMO_CORPUS = "schema"


@dataclass(frozen=True)
class DemoPlan:
    corpus: str = DEMO_CORPUS
    config: str = "tiny"
    budget: str = "0.2"
    max_candidates: int = 300
    eval_fraction: float = 0.2
    destination: Path | None = None


def run_demo(plan: DemoPlan, say) -> None:
    from bugprm.report.card import write_card
    from bugprm.report.console import print_round, print_training_card

    repo = fetch(plan.corpus, plan.destination or default_destination())
    say(f"1/4 fetched {repo.name} into {repo.path} (suite green)")
    summary = generate_pool(Path(repo.path), None, max_candidates=plan.max_candidates)
    say(f"2/4 generated {summary.candidates_found} candidate bugs, kept a stratified {plan.max_candidates}")
    request = _train_request(plan, repo)
    say(f"3/4 ActPRM training on {plan.config} config, budget {request.budget.describe()}")
    card = train_active(request, on_round=print_round)
    write_card(card, request.out)
    print_training_card(card)
    say("4/4 scoring the unexecuted candidates")
    _score(Path(repo.path))


def _train_request(plan: DemoPlan, repo) -> TrainRequest:
    path = Path(repo.path)
    config = load_config(plan.config, overrides={"active_learning.budget": plan.budget})
    return TrainRequest(
        repos=(path,), config=config, out=find_store_directory(None, path) / MODEL_DIRNAME,
        eval_fraction=plan.eval_fraction,
        python=repo.python, pytest_args=repo.pytest_args or None, max_candidates=plan.max_candidates,
    )


def _score(repo: Path) -> None:
    from bugprm.report.console import print_store_report
    from bugprm.scoring.run import ScoreRequest, run_score
    from bugprm.store import Store
    from bugprm.report.summary import summarise_store

    run_score(ScoreRequest(bugs=True, repo=repo, fmt="rich"))
    with Store.open(find_store_directory(None, repo)) as store:
        print_store_report(summarise_store(store), "rich")
