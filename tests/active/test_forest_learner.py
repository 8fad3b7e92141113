"""The bagged-forest learner on a pool whose fate a feature decides, with noise: it learns, its heads disagree
where labels are few, and it says the base rate, the same for all, while an outcome is too rare to split on."""

import numpy as np

from bugprm.config import ActiveLearningConfig, Budget
from bugprm.active.forest_learner import BaggedForestLearner, trajectory_label
from bugprm.active.loop import ActiveLoop
from bugprm.active.seeding import seed_set, stratum
from bugprm.calibration import adaptive_calibration_error
from bugprm.metrics import auroc
from bugprm.records import Candidate, Execution, Kind, Outcome, Step, StepName
from bugprm.trajectory import with_labels

STEPS = tuple(Step(name, str(name)) for name in StepName if name is not StepName.EDIT)


def candidates(size, seed=0):
    rng = np.random.default_rng(seed)
    return [Candidate(f"c{i:03d}", Kind.BUG, "r", f"f{i % 3}.py", "f", i, "op", ("a", "b")[i % 2], "", STEPS,
                      features={"covering_tests": int(rng.integers(0, 6)), "noise": float(rng.random())})
            for i in range(size)]


def killed(c):
    return c.features["covering_tests"] >= 2


def labelled(pool, chosen=None):
    chosen = pool if chosen is None else chosen
    ids = {c.id for c in chosen}
    return [with_labels(c, [int(killed(c))] * len(c.steps)) for c in pool if c.id in ids]


def test_the_learner_ranks_unseen_candidates_and_its_heads_disagree():
    pool = candidates(300)
    learner = BaggedForestLearner(seed=0)
    learner.fit(labelled(pool[:60]))
    probabilities = learner.probability(pool[60:])
    assert auroc([int(killed(c)) for c in pool[60:]], probabilities) > 0.95
    assert learner.head_probabilities(pool[60:]).std(axis=0).max() > 0.01


def test_one_outcome_only_gives_one_base_rate_for_every_covered_candidate():
    pool = [c for c in candidates(200) if killed(c)][:20]
    learner = BaggedForestLearner(seed=0)
    learner.fit(labelled(pool))
    covered = [c for c in candidates(50, seed=1) if c.features["covering_tests"]]
    assert np.ptp(learner.probability(covered)) == 0 and learner.probability(covered)[0] > 0.5


def test_a_candidate_no_test_covers_is_a_certain_survivor_and_teaches_the_forests_nothing():
    pool = candidates(120)
    uncovered = [c for c in pool if not c.features["covering_tests"]]
    learner = BaggedForestLearner(seed=0)
    log = learner.fit(labelled(pool))
    assert uncovered and log["trained_on"] == len(pool) - len(uncovered)
    assert np.all(learner.head_probabilities(uncovered) == 0)


def test_stratified_seed_set_holds_every_stratum_in_proportion():
    pool = candidates(300)
    chosen = seed_set(pool, 30, np.random.default_rng(0))
    assert len(chosen) == 30 and len({c.id for c in chosen}) == 30
    for key in {stratum(c) for c in pool}:  # each stratum's share of the seed set, to within one
        share = sum(stratum(c) == key for c in pool) / 10
        assert abs(sum(stratum(c) == key for c in chosen) - share) < 1


def test_in_the_loop_the_uncertain_share_stays_below_half():
    pool = candidates(200)

    def oracle(chosen):
        return {c.id: Execution(c.id, Outcome.KILLED if killed(c) else Outcome.SURVIVED) for c in chosen}

    def labeller(all_candidates, executions):
        return [with_labels(c, [None if c.id not in executions else int(executions[c.id].outcome is Outcome.KILLED)]
                            * len(c.steps)) for c in all_candidates]

    settings = ActiveLearningConfig(rounds=3, batch_size=20, seed_size=20)
    loop = ActiveLoop(pool, BaggedForestLearner(seed=0), oracle, labeller, settings, Budget.parse("0.2"))
    result = loop.run()
    assert len(result.executions) == 40
    assert all(r.metrics["uncertain_share"] < 0.5 for r in result.rounds[1:])


def test_the_fit_log_says_the_base_rate_of_the_labels_and_a_rare_outcome_gets_the_smoothed_rate():
    pool = candidates(80)
    covered = [c for c in pool if c.features["covering_tests"]]
    log = BaggedForestLearner(seed=0).fit(labelled(pool))
    assert log["trained_on"] == len(covered) and log["positive_rate"] == round(np.mean([killed(c) for c in covered]), 4)
    assert log["calibration"] == "platt" and 0 <= log["calibration_error_oob"] < 0.5
    one_kill = [with_labels(c, [int(i == 0)] * len(c.steps)) for i, c in enumerate(covered[:10])]
    rare = BaggedForestLearner(seed=0, calibration="none")
    rare.fit(one_kill)
    assert np.allclose(rare.probability(covered[10:20]), (1 + 1) / (10 + 2))



def test_a_trajectory_is_labelled_by_its_last_step_and_one_without_steps_is_not():
    first, last = (Step(StepName.LOCATE, "l", 0), Step(StepName.VALIDATE, "v", 1))
    made = Candidate("c", Kind.BUG, "r", "f.py", "f", 1, "op", "a", "", (first, last))
    assert trajectory_label(made) == 1 and trajectory_label(Candidate(**{**made.__dict__, "steps": ()})) is None


def test_the_fit_log_gives_its_out_of_bag_measures_to_four_places_and_predictions_span_the_steps():
    pool = [c for c in candidates(80) if c.features["covering_tests"]]  # the out-of-bag rows are the covered ones
    learner = BaggedForestLearner(seed=0, heads=5)
    labels = [int(killed(c)) ^ (i % 7 == 0) for i, c in enumerate(pool)]  # some noise: an AUROC below 1
    log = learner.fit([with_labels(c, [label] * len(c.steps)) for c, label in zip(pool, labels)])
    assert log["calibration_error_oob"] == round(adaptive_calibration_error(learner.out_of_bag, labels), 4)
    assert log["auroc_oob"] == round(auroc(labels, learner.out_of_bag), 4) and 0.5 < log["auroc_oob"] < 1
    bare = Candidate(**{**pool[0].__dict__, "steps": ()})
    full, none = learner.predict([pool[0], bare])
    assert full.per_head.shape == (5, len(STEPS)) and none.per_head.shape == (5, 1)
    assert np.allclose(full.per_head, learner.head_probabilities([pool[0]]))



def test_a_uniform_seed_set_is_a_plain_draw_without_repeats_in_pool_order():
    pool = candidates(30)
    drawn = seed_set(pool, 6, np.random.default_rng(3), "uniform")
    assert drawn == [pool[i] for i in sorted(np.random.default_rng(3).choice(30, size=6, replace=False))]
    assert seed_set(pool, 40, np.random.default_rng(0), "uniform") == pool
    assert seed_set(pool, 0, np.random.default_rng(0)) == [] and seed_set([], 3, np.random.default_rng(0)) == []
