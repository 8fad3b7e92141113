"""The loss: BCE per head at labelled steps only; no labelled step gives 0 and a finite gradient."""

import math

import torch
import torch.nn.functional as F

from bugprm.model.loss import bootstrap_mask, step_bce


def test_no_labelled_step_gives_zero_loss_and_a_finite_zero_gradient():
    logits = torch.randn(4, 6, requires_grad=True)
    loss = step_bce(logits, torch.full((6,), -100.0))
    assert loss.item() == 0.0
    loss.backward()
    assert torch.equal(logits.grad, torch.zeros_like(logits))


def test_an_empty_batch_gives_zero_not_nan():
    loss = step_bce(torch.zeros(3, 0, requires_grad=True), torch.zeros(0))
    assert loss.item() == 0.0 and not math.isnan(loss.item())


def test_loss_is_the_mean_over_heads_of_bce_at_labelled_steps():
    logits = torch.tensor([[2.0, -1.0, 5.0], [0.5, 0.0, -3.0]])
    labels = torch.tensor([1.0, 0.0, -100.0])
    expected = torch.stack([F.binary_cross_entropy_with_logits(row[:2], labels[:2]) for row in logits]).mean()
    torch.testing.assert_close(step_bce(logits, labels), expected)


def test_head_mask_hides_steps_from_a_head():
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.0]])
    labels = torch.tensor([1.0, 0.0])
    mask = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    expected = F.binary_cross_entropy_with_logits(logits[0, :1], labels[:1]) / 2  # head 1 sees nothing: 0
    torch.testing.assert_close(step_bce(logits, labels, mask), expected)


def test_bootstrap_mask_is_stable_per_id_and_off_at_zero():
    ids = [f"t{i}" for i in range(400)]
    mask = bootstrap_mask(ids, heads=3, keep=0.7, seed=0)
    assert mask.shape == (3, 400)
    assert 0.6 < mask.mean().item() < 0.8
    assert torch.equal(mask[:, 10:20], bootstrap_mask(ids[10:20], heads=3, keep=0.7, seed=0))
    assert not torch.equal(mask[0], mask[1])
    assert torch.equal(bootstrap_mask(ids, heads=3, keep=0.0, seed=0), torch.ones(3, 400))
