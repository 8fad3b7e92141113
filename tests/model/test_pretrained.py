"""Pretrained backbones through the unixcoder and qwen-coder presets, with tiny local models (no hub here)."""

import pytest
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast, Qwen2Config, Qwen2Model, RobertaConfig, RobertaModel

from bugprm.config import load_config, with_overrides
from bugprm.errors import ModelError
from bugprm.model.io import load_model, save_model
from bugprm.model.training import new_model, train
from bugprm.model.warmup import warm_up


def _plain_tokenizer(corpus, specials, **roles):
    """A byte-level BPE that, like a real pretrained one, knows nothing of bugprm's tokens."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=300, special_tokens=specials, show_progress=False))
    return PreTrainedTokenizerFast(tokenizer_object=bpe, **roles)


def _tiny_pretrained(directory, architecture, corpus):
    if architecture == "roberta":
        tokenizer = _plain_tokenizer(corpus, ["<s>", "<pad>", "</s>", "<mask>"], bos_token="<s>", eos_token="</s>",
                                     pad_token="<pad>", mask_token="<mask>")
    else:  # Qwen's tokenizer has an end-of-text token and no pad token of its own here
        tokenizer = _plain_tokenizer(corpus, ["<|endoftext|>"], eos_token="<|endoftext|>")
    tokenizer.save_pretrained(directory)
    if architecture == "roberta":
        config = RobertaConfig(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                               intermediate_size=64, max_position_embeddings=300, pad_token_id=1)
        RobertaModel(config).save_pretrained(directory)
    else:
        config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                             num_key_value_heads=1, intermediate_size=64, max_position_embeddings=300)
        Qwen2Model(config).save_pretrained(directory)
    return directory


@pytest.mark.parametrize("preset, architecture", [("unixcoder", "roberta"), ("qwen-coder", "qwen2")])
def test_preset_with_a_local_pretrained_backbone(preset, architecture, train_examples, tmp_path):
    corpus = [t for e in train_examples[:30] for t in e.texts]
    backbone_dir = _tiny_pretrained(tmp_path / "pretrained", architecture, corpus)
    config = with_overrides(load_config(preset), {
        "model": {"backbone": str(backbone_dir), "max_length": 256},
        "training": {"max_steps": 2, "batch_size": 4},
    })
    model = new_model(config, train_examples[:8])
    assert model.backbone.config.model_type == architecture
    vocabulary = len(AutoTokenizer.from_pretrained(backbone_dir))
    assert model.tokenizer.convert_tokens_to_ids("<step>") >= vocabulary  # added to the pretrained vocabulary
    assert model.tokenizer.pad_token is not None
    assert model.backbone.get_input_embeddings().num_embeddings == len(model.tokenizer)
    train(model, train_examples[:8])
    save_model(model, tmp_path / "saved")
    assert load_model(tmp_path / "saved").score(train_examples[:3]) == model.score(train_examples[:3])


@pytest.mark.parametrize("architecture", ["roberta", "qwen2"])
def test_lm_warm_up_lowers_the_lm_loss(architecture, train_examples, tmp_path):
    corpus = [t for e in train_examples for t in e.texts]
    backbone_dir = _tiny_pretrained(tmp_path / "pretrained", architecture, corpus)
    from transformers import AutoModel

    backbone, tokenizer = AutoModel.from_pretrained(backbone_dir), AutoTokenizer.from_pretrained(backbone_dir)
    losses = warm_up(backbone, tokenizer, corpus, steps=30, batch_size=8, learning_rate=3e-3, length=64, seed=0)
    assert len(losses) == 30 and sum(losses[-5:]) < sum(losses[:5])


def test_unknown_backbone_is_a_model_error(tmp_path):
    config = with_overrides(load_config("tiny"), {"model.backbone": str(tmp_path / "no-such-model")})
    with pytest.raises(ModelError, match="cannot load the pretrained backbone"):
        new_model(config, [])
