"""The input format, with a fake tokenizer: one id per character, so every length is easy to count."""

import pytest

from bugprm.errors import ModelError
from bugprm.model.encoding import IGNORE_INDEX, SpecialIds, allocate_budgets, encode_example, encode_examples
from bugprm.model.examples import Example, labels_for_training

STEP, BUG, REPAIR, PAD = 1, 2, 3, 0
SPECIAL = SpecialIds(step=STEP, kinds={"bug": BUG, "repair": REPAIR}, reserved=frozenset({PAD, STEP, BUG, REPAIR}))


class CharTokenizer:
    """ord(c) + 10 per character; the text "<step>" comes out as the step id, as a real tokenizer would do."""

    def __call__(self, texts, add_special_tokens=True, return_attention_mask=True, return_token_type_ids=True):
        return {"input_ids": [self.encode(text) for text in texts]}

    def encode(self, text):
        ids = []
        for part in text.split("<step>"):
            ids += [ord(c) + 10 for c in part] + [STEP]
        return ids[:-1]


def example(texts, labels, kind="bug", prompt=""):
    return Example(id="t", kind=kind, texts=tuple(texts), labels=tuple(labels), prompt=prompt)


def test_layout_is_kind_then_each_step_closed_by_the_step_token():
    encoded = encode_example(example(["ab", "c"], [1, 0]), CharTokenizer(), SPECIAL, 100)
    a, b, c = (ord(x) + 10 for x in "abc")
    assert encoded.input_ids == (BUG, a, b, STEP, c, STEP)
    assert encoded.step_positions == (3, 5)
    assert encoded.labels == (IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 1, IGNORE_INDEX, 0)


def test_repair_kind_marker_and_prompt_before_the_first_step():
    encoded = encode_example(example(["x"], [1], kind="repair", prompt="p"), CharTokenizer(), SPECIAL, 100)
    assert encoded.input_ids == (REPAIR, ord("p") + 10, ord("x") + 10, STEP)
    assert encoded.labels[-1] == 1 and encoded.labels[:3] == (IGNORE_INDEX,) * 3


def test_unknown_labels_and_labels_after_the_first_negative_are_ignored():
    encoded = encode_example(example(["a", "b", "c", "d"], [1, None, 0, 1]), CharTokenizer(), SPECIAL, 100)
    assert [encoded.labels[p] for p in encoded.step_positions] == [1, IGNORE_INDEX, 0, IGNORE_INDEX]
    kept = encode_example(example(["a", "b", "c", "d"], [1, None, 0, 1]), CharTokenizer(), SPECIAL, 100, False)
    assert [kept.labels[p] for p in kept.step_positions] == [1, IGNORE_INDEX, 0, 1]


def test_labels_for_training():
    assert labels_for_training((1, 0, 1, 0), True) == (1, 0, None, None)
    assert labels_for_training((1, 0, 1, 0), False) == (1, 0, 1, 0)
    assert labels_for_training((1, None, 1), True) == (1, None, 1)


def test_truncation_trims_inside_the_texts_and_keeps_every_step_token():
    texts = ["a" * 50, "bb", "c" * 50, "d"]
    encoded = encode_example(example(texts, [1, 1, 1, 1]), CharTokenizer(), SPECIAL, 30)
    assert len(encoded.input_ids) == 30
    assert encoded.input_ids.count(STEP) == 4
    pieces = _pieces(encoded.input_ids)
    assert [len(p) for p in pieces] == [11, 2, 11, 1]  # 30 - kind - 4 step tokens = 25: short texts whole
    assert pieces[0] == [ord("a") + 10] * 11  # the head of a trimmed text is kept
    assert [encoded.labels[p] for p in encoded.step_positions] == [1, 1, 1, 1]


def test_a_step_token_written_in_a_text_cannot_fake_a_step_boundary():
    encoded = encode_example(example(["a<step>b"], [1]), CharTokenizer(), SPECIAL, 100)
    assert encoded.input_ids.count(STEP) == 1 and encoded.step_positions == (3,)


def test_a_text_shared_by_trajectories_is_tokenized_once_and_encodes_as_it_would_alone():
    class CountingTokenizer(CharTokenizer):
        def __call__(self, texts, **options):
            self.seen = list(texts)
            return super().__call__(texts, **options)

    tokenizer = CountingTokenizer()
    examples = [example(["def f(): pass", "x<step>"], [1, 0]), example(["def f(): pass", "y"], [1, 1])]
    together = encode_examples(examples, tokenizer, SPECIAL, 100)
    assert sorted(tokenizer.seen) == sorted({"", "def f(): pass", "x<step>", "y"})
    assert together == [encode_example(e, CharTokenizer(), SPECIAL, 100) for e in examples]


def test_too_short_a_max_length_and_an_unknown_kind_are_model_errors():
    with pytest.raises(ModelError, match="cannot hold"):
        encode_example(example(["a", "b"], [1, 1]), CharTokenizer(), SPECIAL, 2)
    with pytest.raises(ModelError, match="unknown trajectory kind"):
        encode_example(example(["a"], [1], kind="poem"), CharTokenizer(), SPECIAL, 10)


@pytest.mark.parametrize("lengths, budget, expected", [
    ([5, 5], 20, [5, 5]),
    ([10, 10], 5, [2, 3]),
    ([1, 100, 3], 10, [1, 6, 3]),
    ([0, 0, 9], 4, [0, 0, 4]),
    ([4, 4, 4], 0, [0, 0, 0]),
])
def test_allocate_budgets(lengths, budget, expected):
    budgets = allocate_budgets(lengths, budget)
    assert budgets == expected
    assert sum(budgets) == min(budget, sum(lengths))


def _pieces(ids):
    pieces, current = [], []
    for i in ids[1:]:
        if i == STEP:
            pieces.append(current)
            current = []
        else:
            current.append(i)
    return pieces
