"""The active loop under `--goal estimate`: rounds of draws with known probabilities instead of uncertain sets.

The number of draws is fixed before the first one (the budget's label count), so the estimator's mean of terms
stays unbiased: a round that draws a candidate twice executes it once and spends less than its share of the budget.
Each round's draws, with their probabilities, go into the round log, from which `bugprm report` recomputes the
estimate.
"""

from __future__ import annotations

import math

import numpy as np

from bugprm.active.estimate import Estimate, draw_round, draw_rows, estimate, seed_draws
from bugprm.active.loop import ActiveLoop, seed_count
from bugprm.model.pmt_forest import is_valid_bug
from bugprm.records import Candidate, UNLABELLED_OUTCOMES

ESTIMATE_FLOOR = 0.2  # the uniform share of each draw when `uniform_floor` is 0: a bad model cannot starve a region
SEED_SHARE = 0.25  # the seed round's share of the draws: its terms are plain verdicts, the model's are cheaper
ROUNDS = 4  # at most: each round refits the model, and the first labels teach it the most


class EstimatingLoop(ActiveLoop):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.draws: list = []
        self.total_draws = self.budget.limit(len(self.pool))

    def estimate(self, confidence: float) -> Estimate | None:
        return estimate(self.draws, self.verdicts(), len(self.pool), confidence)

    def verdicts(self) -> dict[str, int]:
        return {i: is_valid_bug(e) for i, e in self.executions.items() if e.outcome not in UNLABELLED_OUTCOMES}

    def _round(self, round_index: int) -> str:
        count = self._draw_count(round_index)
        if count <= 0 or self._budget_left() <= 0:
            return "budget"
        ids = [c.id for c in self.pool]
        if not self.draws:
            drawn = seed_draws(ids, count, self.rng, self.verdicts())
            self._last_selection = {"seed_set": count, "seed_selection": "uniform draws"}
        else:
            self._train()
            drawn = draw_round(ids, self._predicted(), self.verdicts(), count, self.rng,
                               self.settings.uniform_floor or ESTIMATE_FLOOR, round_index)
            self._last_selection = {"uniform_floor": self.settings.uniform_floor or ESTIMATE_FLOOR}
        if not drawn:
            return "pool exhausted"
        self.draws += drawn
        chosen = self._newly_drawn(drawn)
        self.on_selected(round_index, [c.id for c in chosen])
        self._execute(chosen)
        self._last_selection = {**self._last_selection, "draws": draw_rows(drawn), "pool": len(self.pool)}
        self._log(round_index, chosen, len(self._unexecuted()) + len(chosen))
        return ""

    def _draw_count(self, round_index: int) -> int:
        """The seed round takes SEED_SHARE of the draws (or the configured seed size); the rest is spread evenly."""
        left = self.total_draws - len(self.draws)
        if not self.draws:
            return min(left, self.settings.seed_size or max(1, round(SEED_SHARE * self.total_draws)))
        return min(left, math.ceil(left / max(1, min(self.settings.rounds, ROUNDS) - round_index)))

    def _predicted(self) -> np.ndarray:
        return np.array([float(np.min(p.mean)) for p in self.learner.predict(self.pool)])

    def _newly_drawn(self, drawn) -> list[Candidate]:
        by_id = {c.id: c for c in self.pool}
        return [by_id[i] for i in dict.fromkeys(d.id for d in drawn) if i not in self.executions]
