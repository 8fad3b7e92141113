"""The backbone read at the step ends: a llama's last layer run at the step ends alone gives what its full forward
gives there, padding, several steps a row and grouped key/value heads included."""

import dataclasses

import torch
from transformers import LlamaConfig, LlamaModel

from bugprm.model.backbone import step_hidden_states


def full_forward_at(backbone, ids, mask, rows, cols):
    return backbone(input_ids=ids, attention_mask=mask).last_hidden_state[rows, cols]


def test_the_trained_models_step_states_are_its_full_forward_at_the_step_ends(trained, test_examples):
    model = trained[0]
    shortened = [dataclasses.replace(e, texts=tuple(t[:40] for t in e.texts)) for e in test_examples[:6]]
    examples = [*test_examples[6:12], *shortened]  # rows of several lengths: padding in the batch
    batch = model.batch(examples, model.encode(examples))
    assert not batch.attention_mask.all() and len(batch.step_rows) > len(examples)
    args = (batch.input_ids, batch.attention_mask, batch.step_rows, batch.step_cols)
    with torch.no_grad():
        assert torch.allclose(step_hidden_states(model.backbone, *args), full_forward_at(model.backbone, *args),
                              atol=1e-5)


def test_grouped_key_value_heads_and_rows_without_padding():
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=50, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                         num_key_value_heads=2, intermediate_size=64, bos_token_id=None, eos_token_id=None)
    backbone = LlamaModel(config).eval()
    ids = torch.randint(0, 50, (3, 10))
    mask = torch.tensor([[1] * 10, [1] * 6 + [0] * 4, [1] * 10])
    rows, cols = torch.tensor([0, 0, 0, 1, 2]), torch.tensor([2, 5, 9, 5, 0])
    with torch.no_grad():
        assert torch.allclose(step_hidden_states(backbone, ids, mask, rows, cols),
                              full_forward_at(backbone, ids, mask, rows, cols), atol=1e-5)
