"""Tokenizers: a byte-level BPE trained on the corpus itself, or a pretrained one given our special tokens."""

from __future__ import annotations

from typing import Iterable

from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerBase, PreTrainedTokenizerFast

from bugprm.model.encoding import KIND_TOKENS, MASK_TOKEN, PAD_TOKEN, STEP_TOKEN, SpecialIds

OUR_TOKENS = (STEP_TOKEN, *KIND_TOKENS.values())


def train_tokenizer(texts: Iterable[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """Byte-level BPE: any byte sequence encodes, so code in a language never seen still tokenizes."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=[PAD_TOKEN, MASK_TOKEN, *OUR_TOKENS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    bpe.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe, pad_token=PAD_TOKEN, mask_token=MASK_TOKEN, additional_special_tokens=list(OUR_TOKENS)
    )


def add_our_tokens(tokenizer: PreTrainedTokenizerBase) -> PreTrainedTokenizerBase:
    """A pretrained tokenizer with the step and kind tokens (and a pad token if it had none) added."""
    tokenizer.add_tokens([AddedToken(t, special=True) for t in OUR_TOKENS], special_tokens=True)
    if tokenizer.pad_token is None:
        tokenizer.add_special_tokens({"pad_token": PAD_TOKEN})
    return tokenizer


def special_ids(tokenizer: PreTrainedTokenizerBase) -> SpecialIds:
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in OUR_TOKENS}
    reserved = frozenset(ids.values()) | frozenset(tokenizer.all_special_ids)
    return SpecialIds(ids[STEP_TOKEN], {kind: ids[token] for kind, token in KIND_TOKENS.items()}, reserved)
