"""Evaluation files: export lines and ProcessBench lines, metrics, threshold choice, predictions."""

import json

import pytest

from bugprm.errors import InputError
from bugprm.model.evaluation import choose_threshold, evaluate, prediction_record, score_metrics
from bugprm.model.examples import Example, read_examples, split_by_id
from bugprm.model.scores import TrajectoryScore


def _export_line(i, labels, outcome):
    steps = [{"name": n, "text": f"{n} {i}", "label": l} for n, l in zip(("locate", "analyze", "inject"), labels)]
    return {"id": f"c{i}", "kind": "bug", "steps": steps, "outcome": outcome, "features": {"depth": i}}


def test_reads_export_and_processbench_lines(tmp_path):
    path = tmp_path / "data.jsonl"
    lines = [
        _export_line(1, [1, 1, 1], "killed"),
        _export_line(2, [1, 0, None], "survived"),
        _export_line(3, [None, None, None], "infra_error"),
        {"problem": "2+2?", "steps": ["2+2", "=5"], "label": 1},
        {"id": "pb", "problem": "1+1?", "steps": ["1+1", "=2"], "label": -1},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    examples = read_examples(path)
    assert [e.id for e in examples] == ["c1", "c2", "c3", "4", "pb"]
    assert [e.trajectory_label for e in examples] == [1, 0, None, 0, 1]
    assert [e.first_wrong_step for e in examples] == [-1, 1, None, 1, -1]
    assert examples[3].labels == (1, 0) and examples[3].prompt == "2+2?"
    assert examples[0].features == {"depth": 1}


def test_a_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_export_line(1, [1, 1, 1], "killed")) + "\n{\"id\": 1}\n")
    with pytest.raises(InputError, match="bad.jsonl:2"):
        read_examples(path)


def test_split_by_id_is_stable_and_near_the_fraction():
    examples = [Example(f"e{i}", "bug", ("x",), (1,)) for i in range(1000)]
    rest, held = split_by_id(examples, 0.2)
    assert 150 < len(held) < 250 and len(rest) + len(held) == 1000
    assert split_by_id(examples[:100], 0.2)[1] == [e for e in held if int(e.id[1:]) < 100]


def _score(i, steps):
    return TrajectoryScore(f"e{i}", tuple(steps), (0.0,) * len(steps), (tuple(steps),), ())


def test_score_metrics_by_hand():
    examples = [Example("e0", "bug", ("a", "b"), (1, 1), outcome_label=1),
                Example("e1", "bug", ("a", "b"), (1, 0), outcome_label=0)]
    scores = [_score(0, [0.9, 0.8]), _score(1, [0.7, 0.3])]
    metrics = score_metrics(examples, scores, threshold=0.5)
    assert metrics["trajectory"]["auroc"] == 1.0 and metrics["trajectory"]["accuracy"] == 1.0
    assert metrics["step"]["n"] == 4 and metrics["step"]["positives"] == 3
    assert metrics["processbench"] == {"n": 2, "erroneous_accuracy": 1.0, "correct_accuracy": 1.0, "f1": 1.0}


def test_threshold_is_chosen_to_maximise_processbench_f1():
    examples = [Example("e0", "bug", ("a", "b"), (1, 1), outcome_label=1),
                Example("e1", "bug", ("a", "b"), (1, 0), outcome_label=0)]
    scores = [_score(0, [0.95, 0.9]), _score(1, [0.92, 0.85])]
    threshold, source = choose_threshold(examples, scores)
    assert source == "validation" and 0.85 < threshold <= 0.9


def test_evaluate_and_predictions_on_the_trained_model(trained, test_examples):
    result = evaluate(trained[0], test_examples)
    assert result.metrics["threshold_source"] in ("validation", "default")
    assert result.metrics["trajectory"]["n"] + result.metrics["validation_trajectories"] == len(test_examples)
    assert result.metrics["trajectory"]["auroc"] > 0.9
    given = evaluate(trained[0], test_examples, threshold=0.5)
    assert given.metrics["threshold_source"] == "given" and given.metrics["trajectory"]["n"] == len(test_examples)
    record = prediction_record(result.scores[0])
    assert set(record) == {"id", "score", "steps"} and set(record["steps"][0]) == {"reward", "std"}
    assert record["score"] == min(step["reward"] for step in record["steps"])


def test_processbench_lines_evaluate_end_to_end(trained, tmp_path):
    path = tmp_path / "pb.jsonl"
    rows = [{"problem": f"compute {i}", "steps": ["x = 1", "y = x <= 2", "return y"], "label": -1 if i % 2 else 1}
            for i in range(10)]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    result = evaluate(trained[0], read_examples(path), threshold=0.5)
    assert result.metrics["processbench"]["n"] == 10 and len(result.scores[0].step_mean) == 3
