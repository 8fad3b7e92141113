"""What a training run answers per goal, read back from its round log."""

from bugprm.active.goals import describe_goals, goal_summary


def test_gaps_count_the_candidates_no_test_covers_apart_from_those_executed():
    rounds = [{"round": 0, "selected": ["a", "b"], "metrics": {"known_by_coverage": ["u1", "u2"]}},
              {"round": 1, "selected": ["c"], "metrics": {}}]
    goals = goal_summary(rounds, {"a": 1, "b": 0, "c": 0, "u1": 0, "u2": 0})

    assert goals["gaps"] == {"executed": 3, "survivors": 2, "first": ["b", "c"], "uncovered": 2}
    assert "and 2 candidates no test covers" in describe_goals(goals)[1]
