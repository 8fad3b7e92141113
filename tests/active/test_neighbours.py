"""What executed neighbours say: per line and function kill rates, leave-one-out for the labelled, a forest that
reads them, and the density weight that makes a label on a crowded line worth more."""

import numpy as np
import pytest

from bugprm.active.forest_learner import BaggedForestLearner
from bugprm.active.neighbours import (SMOOTHING, NeighbourVerdicts, density_weights, line_verdicts_else,
                                      with_line_verdicts)
from bugprm.active.strategies import DensityWeighted, Prediction, ScoreStrategy
from bugprm.metrics import auroc
from bugprm.records import Candidate, Kind, Step, StepName
from bugprm.trajectory import with_labels

STEPS = tuple(Step(name, str(name)) for name in StepName if name is not StepName.EDIT)


def candidate(i, line, function="f", covering=3):
    return Candidate(f"c{i:03d}", Kind.BUG, "r", "m.py", function, line, "op", "fam", "", STEPS,
                     features={"covering_tests": covering, "noise": (i * 37 % 11) / 11})


def test_a_labelled_candidate_is_left_out_of_its_own_neighbourhood():
    on_line = [candidate(0, 1), candidate(1, 1), candidate(2, 2)]
    verdicts = NeighbourVerdicts.of(on_line, [1, 0, 1])
    rate = 2 / 3
    own = verdicts.columns(on_line, [1, 0, 1])
    assert own[0].tolist() == pytest.approx([(0 + SMOOTHING * rate) / 2, 1, (1 + SMOOTHING * rate) / 3, 2])
    assert own[2][:2].tolist() == pytest.approx([rate, 0])  # alone on its line: the pool's rate, no neighbour
    fresh = verdicts.columns([candidate(9, 1, "g")])
    assert fresh[0].tolist() == pytest.approx([(1 + SMOOTHING * rate) / 3, 2, rate, 0])


def test_a_prediction_moves_toward_its_labelled_line_mates_and_stays_where_none_is_labelled():
    pool = [candidate(0, 1), candidate(1, 1), candidate(2, 2)]
    labelled = [candidate(7, 1), candidate(8, 1), candidate(9, 3)]
    blended = with_line_verdicts(pool, np.array([0.9, 0.5, 0.8]), labelled, [0, 0, 1], prior=1.0)
    assert blended.tolist() == pytest.approx([0.9 / 3, 0.5 / 3, 0.8])


def test_with_neighbour_features_a_forest_ranks_line_mates_by_their_lines_fate():
    """Lines decide the fate and no feature says which line is tested: only the neighbours know."""
    pool = [candidate(i, line=i % 40, function=f"f{i % 40 // 8}") for i in range(400)]
    fate = {line: int(line % 3 != 0) for line in range(40)}
    labelled = [with_labels(c, [fate[c.line]] * len(c.steps)) for c in pool[:120]]
    rest, truth = pool[120:], [fate[c.line] for c in pool[120:]]
    plain, informed = BaggedForestLearner(seed=0, heads=4), BaggedForestLearner(seed=0, heads=4, neighbours=True)
    plain.fit(labelled)
    informed.fit(labelled)
    assert auroc(truth, informed.probability(rest)) > 0.95 > 0.7 > auroc(truth, plain.probability(rest))


def test_density_weights_count_the_line_and_weigh_a_strategys_scores():
    pool = [candidate(0, 1), candidate(1, 1), candidate(2, 1), candidate(3, 2)]
    weights = density_weights(pool, 1.0)
    assert weights.tolist() == [3, 3, 3, 1] and density_weights(pool, 0.0).tolist() == [1, 1, 1, 1]
    predictions = [Prediction(c.id, np.full((2, 1), 0.5)) for c in pool]
    rng = np.random.default_rng(0)
    weighted = DensityWeighted(ScoreStrategy("flat", lambda p: 1.0), weights, share=0.5)
    assert weighted.scores(predictions, rng).tolist() == [3, 3, 3, 1]
    assert weighted.uncertain(predictions, rng).tolist().count(True) == 2 and not weighted.uncertain(predictions, rng)[3]


class FlatLearner:
    """Equally unsure of everything: what selects is the density weight alone."""

    def fit(self, labelled):
        return {"trained_on": len(labelled)}

    def predict(self, candidates, mc_passes=0):
        return [Prediction(c.id, np.array([[0.4], [0.6]])) for c in candidates]


@pytest.mark.parametrize("strategy", ["actprm", "random"])
def test_goal_rank_with_a_density_weight_picks_from_crowded_lines_and_random_stays_random(strategy):
    from bugprm.active.loop import ActiveLoop
    from bugprm.config import ActiveLearningConfig, Budget
    from bugprm.records import Execution, Outcome

    pool = [candidate(i, line=1 if i < 50 else i) for i in range(100)]
    settings = ActiveLearningConfig(strategy=strategy, rounds=2, batch_size=20, seed_size=10, density_weight=1.0)
    loop = ActiveLoop(pool, FlatLearner(), lambda chosen: {c.id: Execution(c.id, Outcome.KILLED) for c in chosen},
                      lambda cands, executions, positive=None: cands, settings, Budget.parse("30"))
    picked = [c.line for c in pool if c.id in set(loop.run().rounds[1].selected)]
    assert len(picked) == 20
    assert (picked.count(1) == 20) == (strategy == "actprm")


def test_the_same_line_rule_takes_the_line_mates_verdicts_else_the_prediction():
    labelled = [candidate(0, 1), candidate(1, 1), candidate(2, 2)]
    unexecuted = [candidate(3, 1), candidate(4, 2), candidate(5, 3)]
    ruled = line_verdicts_else(unexecuted, np.array([0.9, 0.1, 0.42]), labelled, [1, 0, 1])
    assert ruled.tolist() == pytest.approx([0.5, 1.0, 0.42])
