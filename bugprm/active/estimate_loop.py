"""The active loop under `--goal estimate`: rounds of draws with known probabilities instead of uncertain sets.

The number of draws is fixed before the first one (the budget's label count), so the estimator's mean of terms
stays unbiased: a round that draws a candidate twice executes it once and spends less than its share of the budget.
Each round's draws, with their probabilities, go into the round log, from which `bugprm report` recomputes the
estimate.

A learner that predicts before any label (``predicts_unlabelled``: stacked on the base model) draws the first round
itself instead of a uniform seed round: its predictions already make the terms cheaper than plain verdicts, and the
design stays unbiased whatever they are. The round log then states the kill rate's range (``kill_rate_range``),
which the seed round's draws would otherwise imply, for the interval's pseudo-terms.

Mutants of one line mostly share their fate, so every prediction a round draws by is moved toward the verdicts of
its labelled line-mates (``neighbours.with_line_verdicts``): the labels of earlier rounds make the later rounds'
residuals smaller, and the probabilities stay known before each draw.
"""

from __future__ import annotations

import math

import numpy as np

from bugprm.active.estimate import Estimate, draw_round, draw_rows, estimate, seed_draws
from bugprm.active.loop import ActiveLoop, seed_count
from bugprm.active.neighbours import with_line_verdicts
from bugprm.model.pmt_forest import is_valid_bug
from bugprm.records import Candidate, UNLABELLED_OUTCOMES

ESTIMATE_FLOOR = 0.2  # the uniform share of each draw when `uniform_floor` is 0: a bad model cannot starve a region
SEED_SHARE = 0.25  # the seed round's share of the draws: its terms are plain verdicts, the model's are cheaper
ROUNDS = 4  # at most: each round refits the model, and the first labels teach it the most


class EstimatingLoop(ActiveLoop):
    def __init__(self, *args, warm_first: bool | None = None, **kwargs):
        """``warm_first``: draw the first round by the learner's predictions (default: when it has any before
        a label) rather than uniformly."""
        super().__init__(*args, **kwargs)
        self.draws: list = []
        self.total_draws = self.budget.limit(len(self.pool))
        predicts = getattr(self.learner, "predicts_unlabelled", False)
        self.warm_first = predicts if warm_first is None else warm_first
        self.bounds: tuple[float, float] | None = None  # None: implied by the seed round's draws
        self.predicted_by_round: dict[int, np.ndarray] = {}  # what each round drew by, over the pool (diagnostics)

    def estimate(self, confidence: float) -> Estimate | None:
        return estimate(self.draws, self.verdicts(), len(self.pool), confidence, self.bounds)

    def verdicts(self) -> dict[str, int]:
        return {i: is_valid_bug(e) for i, e in self.executions.items() if e.outcome not in UNLABELLED_OUTCOMES}

    def _round(self, round_index: int) -> str:
        count = self._draw_count(round_index)
        if count <= 0 or self._budget_left() <= 0:
            return "budget"
        ids = [c.id for c in self.pool]
        if not self.draws and not self.warm_first:
            drawn = seed_draws(ids, count, self.rng, self.verdicts())
            self._last_selection = {"seed_set": count, "seed_selection": "uniform draws"}
        else:
            drawn = self._model_draws(ids, count, round_index)
        if not drawn:
            return "pool exhausted"
        self.draws += drawn
        chosen = self._newly_drawn(drawn)
        self.on_selected(round_index, [c.id for c in chosen])
        self._execute(chosen)
        self._last_selection = {**self._last_selection, "draws": draw_rows(drawn), "pool": len(self.pool)}
        self._log(round_index, chosen, len(self._unexecuted()) + len(chosen))
        return ""

    def _model_draws(self, ids: list[str], count: int, round_index: int) -> list:
        """Draws by the refitted learner's predictions; the first such round also fixes the kill rate's range."""
        first = {}
        if not self.draws:
            self.bounds = self._kill_rate_range()
            first = {"seed_selection": "learner", "kill_rate_range": list(self.bounds)}
        self._train()
        floor = self.settings.uniform_floor or ESTIMATE_FLOOR
        self.predicted_by_round[round_index] = self._predicted()
        drawn = draw_round(ids, self.predicted_by_round[round_index], self.verdicts(), count, self.rng, floor,
                           round_index)
        self._last_selection = {"uniform_floor": floor, **first}
        return drawn

    def _draw_count(self, round_index: int) -> int:
        """The seed round takes SEED_SHARE of the draws (or the configured seed size); the rest is spread evenly
        (over every round when the learner draws the first)."""
        left = self.total_draws - len(self.draws)
        if not self.draws and not self.warm_first:
            return min(left, self.settings.seed_size or max(1, round(SEED_SHARE * self.total_draws)))
        return min(left, math.ceil(left / max(1, min(self.settings.rounds, ROUNDS) - round_index)))

    def _kill_rate_range(self) -> tuple[float, float]:
        """Before the first draw: K/N to (K + open)/N, K the kills already known (by coverage), as a seed round's
        verdicts 0 and 1 would map to (``estimate.kill_rate_bounds``)."""
        known, size = self.verdicts(), len(self.pool)
        kills = sum(known.values())
        return kills / size, (size - len(known) + kills) / size

    def _predicted(self) -> np.ndarray:
        """The learner's predictions, those of the unexecuted moved toward their labelled line-mates' verdicts (an
        executed candidate counts as its verdict in the draw)."""
        learned = np.array([float(np.min(p.mean)) for p in self.learner.predict(self.pool)])
        verdicts = self.verdicts()
        labelled = [c for c in self.pool if c.id in verdicts and c.id not in self._known_by_coverage]
        blended = with_line_verdicts(self.pool, learned, labelled, [verdicts[c.id] for c in labelled])
        return np.where([c.id in verdicts for c in self.pool], learned, blended)

    def _newly_drawn(self, drawn) -> list[Candidate]:
        by_id = {c.id: c for c in self.pool}
        return [by_id[i] for i in dict.fromkeys(d.id for d in drawn) if i not in self.executions]
