"""The backbone: a small transformer built from the config with its own tokenizer, or any pretrained AutoModel.

With a causal backbone (the scratch default, Qwen) a step's score depends only on the steps up to it, as a process
reward should; a bidirectional one (RoBERTa, UniXcoder) also reads later steps when scoring an earlier one.
"""

from __future__ import annotations

from typing import Iterable

import torch
from transformers import AutoModel, AutoTokenizer, LlamaConfig, PreTrainedModel, RobertaConfig
from transformers.models.auto.modeling_auto import MODEL_FOR_MASKED_LM_MAPPING_NAMES

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
