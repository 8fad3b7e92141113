import numpy as np
import pytest

from bugprm.active.selection import select_uncertain
from bugprm.active.strategies import STRATEGY_NAMES, ActPRM, Prediction, make_strategy
from bugprm.errors import ConfigError

RNG = np.random.default_rng(0)


def prediction(name, *steps_per_head, embedding=None, mc=None):
    return Prediction(name, np.array(steps_per_head, dtype=float), embedding, mc)


def test_actprm_confident_agreeing_heads_are_certain():
    sure = prediction("sure", [0.99, 0.99, 0.99], [0.99, 0.99, 0.99])
    assert not ActPRM().uncertain([sure], RNG)[0]


def test_actprm_mean_near_half_is_aleatoric_uncertainty():
    unsure = prediction("unsure", [0.99, 0.6, 0.99], [0.99, 0.6, 0.99])
    assert ActPRM().uncertain([unsure], RNG)[0]


def test_actprm_disagreeing_heads_are_epistemic_uncertainty():
    split = prediction("split", [0.99, 0.999], [0.999, 0.96])
    assert ActPRM(delta_pred=0.95, delta_std=0.005).uncertain([split], RNG)[0]


def test_actprm_ignores_steps_after_the_first_predicted_error():
    # step 2 is confidently wrong; the disagreement at step 3 comes after it and must not count
    after_error = prediction("x", [0.99, 0.01, 0.2], [0.99, 0.01, 0.9])
    assert not ActPRM().uncertain([after_error], RNG)[0]


def test_first_predicted_error_step_itself_counts():
    borderline = prediction("x", [0.99, 0.45], [0.99, 0.45])
    assert ActPRM().uncertain([borderline], RNG)[0]


@pytest.mark.parametrize("name", [n for n in STRATEGY_NAMES if n != "random"])
def test_every_strategy_ranks_a_coin_flip_above_a_sure_thing(name):
    mc = np.array([0.0001, 0.0])
    sure = prediction("sure", [0.99, 0.99], [0.99, 0.99], [0.98, 0.99], mc=mc)
    coin = prediction("coin", [0.9, 0.4], [0.9, 0.7], [0.9, 0.5], mc=np.array([0.0, 0.16]))
    assert select_uncertain([sure, coin], make_strategy(name), 1, RNG, sampling="top") == ["coin"]


def test_random_selects_everything_in_a_seeded_order():
    preds = [prediction(str(i), [0.99]) for i in range(20)]
    first = select_uncertain(preds, make_strategy("random"), 5, np.random.default_rng(3))
    again = select_uncertain(preds, make_strategy("random"), 5, np.random.default_rng(3))
    assert first == again and len(set(first)) == 5


def test_unknown_strategy_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown strategy"):
        make_strategy("oracle")


def test_mc_dropout_without_passes_is_a_config_error():
    with pytest.raises(ConfigError, match="MC-dropout"):
        select_uncertain([prediction("a", [0.5])], make_strategy("mc-dropout"), 1, RNG)


def test_diversity_prefers_a_different_candidate_over_a_near_duplicate():
    a = prediction("a", [0.5], embedding=np.array([1.0, 0.0]))
    a_twin = prediction("a_twin", [0.51], embedding=np.array([1.0, 0.01]))
    other = prediction("other", [0.6], embedding=np.array([0.0, 1.0]))
    plain = select_uncertain([a, a_twin, other], make_strategy("margin"), 2, RNG, sampling="top")
    diverse = select_uncertain([a, a_twin, other], make_strategy("margin"), 2, RNG, diversity_weight=2.0)
    assert plain == ["a", "a_twin"]
    assert diverse == ["a", "other"]


def test_samplings_draw_only_uncertain_ones_top_in_order_the_draws_seeded():
    sure = [prediction(f"sure{i}", [0.999], [0.999]) for i in range(10)]
    unsure = [prediction(f"coin{i}", [0.5 + i / 40], [0.5 + i / 40]) for i in range(10)]
    strategy = make_strategy("actprm")
    assert select_uncertain(sure + unsure, strategy, 3, RNG, sampling="top") == ["coin0", "coin1", "coin2"]
    for sampling in ("uniform", "proportional"):
        first = select_uncertain(sure + unsure, strategy, 5, np.random.default_rng(4), sampling=sampling)
        assert first == select_uncertain(sure + unsure, strategy, 5, np.random.default_rng(4), sampling=sampling)
        assert len(set(first)) == 5 and all(i.startswith("coin") for i in first)


def test_an_unknown_sampling_is_a_config_error():
    from bugprm.config import Config, with_overrides

    with pytest.raises(ConfigError, match="active_learning.sampling must be one of top, proportional, uniform"):
        with_overrides(Config(), {"active_learning.sampling": "best"})


def test_committee_scores_a_unanimous_vote_zero_and_it_is_not_uncertain():
    unanimous = prediction("u", [0.9], [0.8], [0.7])
    split = prediction("s", [0.9], [0.2], [0.7])
    strategy = make_strategy("committee")
    assert list(strategy.uncertain([unanimous, split], RNG)) == [False, True]


def test_relative_thresholds_keep_a_share_of_the_pool_where_absolute_ones_take_it_all():
    # every head pair disagrees by more than delta_std, as trained ensembles do: the paper's rule passes them all
    preds = [prediction(str(i), [0.5 + i / 250], [0.6 + i / 200]) for i in range(100)]
    absolute = make_strategy("actprm").uncertain(preds, RNG)
    relative = make_strategy("actprm", thresholds="relative", share=0.2).uncertain(preds, RNG)
    assert absolute.all()
    assert 10 <= relative.sum() <= 20


def test_relative_threshold_ranks_the_widest_head_spread_first():
    preds = [prediction(str(i), [0.8], [0.8 + i / 1000]) for i in range(50)] + [prediction("wide", [0.6], [0.99])]
    chosen = select_uncertain(preds, make_strategy("actprm", thresholds="relative", share=0.1), 1, RNG)
    assert chosen == ["wide"]


def test_a_top_share_of_any_score_strategy_is_uncertain():
    preds = [prediction(str(i), [i / 100]) for i in range(100)]
    uncertain = make_strategy("margin", thresholds="relative", share=0.3).uncertain(preds, RNG)
    assert uncertain.sum() == 30 and all(abs(int(p.id) - 50) <= 16 for p, u in zip(preds, uncertain) if u)


def test_unknown_thresholds_are_a_config_error():
    with pytest.raises(ConfigError, match="thresholds"):
        make_strategy("actprm", thresholds="loose")


def test_the_strategies_take_their_defaults_from_the_config():
    from bugprm.active.strategies import Composite, make_strategy
    from bugprm.config import ActiveLearningConfig

    defaults = ActiveLearningConfig()
    assert (ActPRM().delta_pred, ActPRM().delta_std) == (defaults.delta_pred, defaults.delta_std)
    assert make_strategy("actprm") == ActPRM() and make_strategy("composite") == Composite()
    assert make_strategy("composite", weights=[1, 0, 0, 0]).weights == (1, 0, 0, 0)
    assert sum(Composite().weights) == pytest.approx(1.0) and min(Composite().weights) > 0
