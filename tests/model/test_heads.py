"""The ensemble heads: one batched op equal to a loop over heads, independent inits, the anchored penalty."""

import torch

from bugprm.model.heads import EnsembleHeads


def test_batched_heads_equal_a_loop_over_heads():
    heads = EnsembleHeads(heads=5, in_features=12, hidden=16, seed=3).eval()
    x = torch.randn(7, 12)
    batched = heads(x)
    assert batched.shape == (5, 7)
    looped = torch.stack([heads.single_head(k, x) for k in range(5)])
    torch.testing.assert_close(batched, looped, rtol=1e-5, atol=1e-6)


def test_heads_start_from_different_weights_and_seeds_reproduce_them():
    heads = EnsembleHeads(heads=4, in_features=8, hidden=8, seed=0)
    assert not torch.allclose(heads.weight1[0], heads.weight1[1])
    again = EnsembleHeads(heads=4, in_features=8, hidden=8, seed=0)
    assert torch.equal(heads.weight1, again.weight1)
    other = EnsembleHeads(heads=4, in_features=8, hidden=8, seed=1)
    assert not torch.equal(heads.weight1, other.weight1)


def test_anchor_penalty_is_zero_at_init_and_the_squared_distance_per_head():
    heads = EnsembleHeads(heads=3, in_features=4, hidden=4, seed=0)
    assert torch.equal(heads.anchor_penalty(), torch.zeros(3))
    with torch.no_grad():
        heads.weight2[1] += 0.5  # 4 x 4 entries moved by 0.5
        heads.bias3[2] -= 2.0  # one entry moved by 2
    torch.testing.assert_close(heads.anchor_penalty(), torch.tensor([0.0, 16 * 0.25, 4.0]))


def test_anchor_penalty_pulls_a_head_back_toward_its_own_anchor():
    heads = EnsembleHeads(heads=2, in_features=4, hidden=4, seed=0)
    with torch.no_grad():
        heads.weight1 += 1.0
    heads.anchor_penalty().sum().backward()
    torch.testing.assert_close(heads.weight1.grad, torch.full_like(heads.weight1, 2.0))


def test_anchors_are_saved_with_the_state_but_not_trained():
    heads = EnsembleHeads(heads=2, in_features=4, hidden=4)
    assert "anchor_weight1" in heads.state_dict()
    assert all(not name.startswith("anchor") for name, _ in heads.named_parameters())
