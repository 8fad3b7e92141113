"""The backbone: a small transformer built from the config with its own tokenizer, or any pretrained AutoModel.

With a causal backbone (the scratch default, Qwen) a step's score depends only on the steps up to it, as a process
reward should; a bidirectional one (RoBERTa, UniXcoder) also reads later steps when scoring an earlier one.
"""

from __future__ import annotations

from typing import Iterable

import torch
from transformers import AutoModel, AutoTokenizer, LlamaConfig, LlamaModel, PreTrainedModel, RobertaConfig
from transformers.masking_utils import create_causal_mask
from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES
from transformers.models.llama.modeling_llama import rotate_half

from bugprm.config import ModelConfig
from bugprm.errors import ConfigError, ModelError
from bugprm.model.tokenizer import add_our_tokens, train_tokenizer

SCRATCH = "scratch"


def new_backbone(config: ModelConfig, corpus: Iterable[str], seed: int):
    """(backbone, tokenizer): built from the config and trained on ``corpus``, or pretrained with our tokens."""
    if config.backbone == SCRATCH:
        tokenizer = train_tokenizer(corpus, config.vocab_size)
        return scratch_backbone(config, len(tokenizer), tokenizer.pad_token_id, seed), tokenizer
    return pretrained_backbone(config.backbone)


def scratch_backbone(config: ModelConfig, vocab_size: int, pad_id: int, seed: int) -> PreTrainedModel:
    torch.manual_seed(seed)
    return AutoModel.from_config(_scratch_config(config, vocab_size, pad_id))


def pretrained_backbone(name: str):
    try:
        tokenizer = add_our_tokens(AutoTokenizer.from_pretrained(name))
        backbone = AutoModel.from_pretrained(name, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot load the pretrained backbone {name!r}: {exc}") from exc
    backbone.resize_token_embeddings(len(tokenizer))
    return backbone, tokenizer


def is_masked_lm(backbone: PreTrainedModel) -> bool:
    """Whether the backbone learns by filling masks (encoders) rather than by predicting the next token."""
    return backbone.config.model_type in MODEL_FOR_MASKED_LM_MAPPING_NAMES


def step_hidden_states(backbone: PreTrainedModel, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                       rows: torch.Tensor, cols: torch.Tensor) -> torch.Tensor:
    """[N, H]: the backbone's last hidden state at each step end (``rows``, ``cols``; grouped by row, as collated).

    A llama backbone runs its last layer's queries, attention and MLP at the step ends alone (the keys and values
    still cover every position): the other positions' outputs would be thrown away, and computing them was 40% of
    the tiny model's backbone time. The result equals the full forward's up to float rounding (tested).
    """
    if not isinstance(backbone, LlamaModel) or (backbone.training and backbone.config.attention_dropout):
        states = backbone(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).last_hidden_state
        return states[rows, cols]
    hidden = backbone.embed_tokens(input_ids)
    positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None]
    mask = create_causal_mask(config=backbone.config, inputs_embeds=hidden, attention_mask=attention_mask,
                              cache=None, position_ids=positions)
    rotary = backbone.rotary_emb(hidden, position_ids=positions)
    *early, last = backbone.layers
    for layer in early:
        hidden = layer(hidden, attention_mask=mask, position_embeddings=rotary, position_ids=positions)
    return backbone.norm(_llama_layer_at_steps(last, hidden, attention_mask.bool(), rotary, rows, cols))


def _llama_layer_at_steps(layer, hidden: torch.Tensor, real: torch.Tensor, rotary, rows: torch.Tensor,
                          cols: torch.Tensor) -> torch.Tensor:
    """A llama decoder layer's output at (rows, cols) only, as its own forward would give it there."""
    attended = _attention_at_steps(layer.self_attn, layer.input_layernorm(hidden), real, rotary, rows, cols)
    hidden = hidden[rows, cols] + attended
    return hidden + layer.mlp(layer.post_attention_layernorm(hidden))


def _attention_at_steps(attention, normed: torch.Tensor, real: torch.Tensor, rotary, rows: torch.Tensor,
                        cols: torch.Tensor) -> torch.Tensor:
    """Self-attention's output at the step ends: queries there alone, keys and values at every real position."""
    (cos, sin), head = rotary, attention.head_dim
    keys = _by_head(attention.k_proj(normed), head).transpose(1, 2)  # [B, key heads, T, D]
    keys = keys * cos[:, None] + rotate_half(keys) * sin[:, None]
    values = _by_head(attention.v_proj(normed), head).transpose(1, 2)
    queries = _by_head(attention.q_proj(normed[rows, cols]), head)  # [N, heads, D]
    queries = queries * cos[0, cols, None] + rotate_half(queries) * sin[0, cols, None]
    slots, reach = _step_slots(rows, cols, real.shape[0])
    padded = queries.new_zeros((*reach.shape, *queries.shape[1:]))  # [B, S, heads, D]: S query slots a row
    padded[rows, slots] = queries
    visible = (torch.arange(real.shape[1], device=real.device) <= reach[..., None]) & real[:, None]  # [B, S, T]
    out = torch.nn.functional.scaled_dot_product_attention(
        padded.transpose(1, 2), keys, values, attn_mask=visible[:, None], scale=attention.scaling,
        enable_gqa=attention.num_key_value_groups > 1)
    return attention.o_proj(out.transpose(1, 2)[rows, slots].flatten(1))


def _step_slots(rows: torch.Tensor, cols: torch.Tensor, batch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(each step's index among its row's steps, [B, S]: the last position each row's S query slots may read).

    A row with fewer steps than S has idle slots; they read position 0 (never padding), so no slot sees nothing.
    """
    counts = torch.bincount(rows, minlength=batch_size)
    slots = torch.arange(len(rows), device=rows.device) - (torch.cumsum(counts, 0) - counts)[rows]
    reach = cols.new_zeros((batch_size, int(counts.max())))
    reach[rows, slots] = cols
    return slots, reach


def _by_head(x: torch.Tensor, head_dim: int) -> torch.Tensor:
    return x.view(*x.shape[:-1], -1, head_dim)


def _scratch_config(config: ModelConfig, vocab_size: int, pad_id: int):
    # No attention dropout in the llama backbone: on CPU it forces the slow attention path (2x per step);
    # dropout (and so MC dropout) still acts in the heads.
    shared = dict(vocab_size=vocab_size, hidden_size=config.hidden_size, num_hidden_layers=config.num_layers,
                  num_attention_heads=config.num_heads_attention, intermediate_size=2 * config.hidden_size,
                  pad_token_id=pad_id)
    if config.architecture == "llama":
        return LlamaConfig(**shared, num_key_value_heads=config.num_heads_attention,
                           max_position_embeddings=config.max_length, bos_token_id=None, eos_token_id=None)
    if config.architecture == "roberta":
        return RobertaConfig(**shared, hidden_dropout_prob=config.dropout, attention_probs_dropout_prob=config.dropout,
                             max_position_embeddings=config.max_length + pad_id + 2, type_vocab_size=1)
    raise ConfigError(f"model.architecture must be llama or roberta, got {config.architecture!r}")
