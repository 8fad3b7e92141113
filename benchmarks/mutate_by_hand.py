"""Issue 18's hand-made mutations of the active loop: apply each, run the tests that existed before (tests/active,
tests/bench/test_replay.py, the new assertions deselected), then the new assertion alone, and revert.

Run from the repository root on a scratch copy (it edits and restores bugprm/active/*.py):
    nice -n 10 python benchmarks/mutate_by_hand.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NEW = ["test_the_seed_set_has_the_configured_size_not_the_default",
       "test_the_seed_set_is_a_seeded_random_draw_not_the_first_candidates",
       "test_a_resumed_run_starts_at_its_round_and_runs_only_the_rounds_left",
       "test_proportional_sampling_draws_in_proportion_to_uncertainty",
       "test_an_infra_error_is_no_label_inside_the_loop"]
MUTATIONS = [
    ("ignore seed_size", "bugprm/active/loop.py", "return settings.seed_size or min(", "return 0 or min(", NEW[0]),
    ("first N seed set", "bugprm/active/loop.py",
     "picks = self.rng.choice(len(pool), size=size, replace=False) if size else []", "picks = range(size)", NEW[1]),
    ("ignore start_round", "bugprm/active/loop.py", "for round_index in range(start_round, self.settings.rounds):",
     "for round_index in range(0, self.settings.rounds):", NEW[2]),
    ("proportional -> top", "bugprm/active/selection.py", "elif sampling == \"proportional\":",
     "elif sampling == \"proportional-off\":", NEW[3]),
    ("infra_error labelled", "bugprm/active/loop.py",
     "return {k for k, e in self.executions.items() if e.outcome not in UNLABELLED_OUTCOMES}",
     "return {k for k, e in self.executions.items()}", NEW[4]),
]
OLD_SUITE = ["tests/active", "tests/bench/test_replay.py", "-k", " and ".join(f"not {n}" for n in NEW)]


def pytest(args):
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True)
    return done.returncode, done.stdout.strip().splitlines()[-1]


def main() -> None:
    for name, file, old, new, test in MUTATIONS:
        path = Path(file)
        original = path.read_text()
        assert original.count(old) == 1, (name, old)
        path.write_text(original.replace(old, new))
        try:
            old_rc, old_line = pytest(OLD_SUITE)
            new_rc, new_line = pytest(["tests/active/test_loop.py", "-k", test])
        finally:
            path.write_text(original)
        print(f"{name}: suite before ({old_line}) -> {'survives' if old_rc == 0 else 'killed'}; "
              f"new assertion ({new_line}) -> {'killed' if new_rc else 'SURVIVES'}", flush=True)


if __name__ == "__main__":
    main()
