"""What the state ranker (``bugprm.model.repair_ranker``) is given to learn from, state by state, and what moves
its scores within a state: a diagnostic of why it adds little over a model that scores each patch alone.

A ranker learns which of one state's patches comes first only from states where a correct patch has incorrect
rivals; what it can learn about the choice of edit at the right line comes only from rivals at the correct
patch's own line. Repair trajectories keep the labelled patches alone (``corpus_build.repair_trajectories``: an
unknown program at the bug's edit is dropped), so those rivals may be few even where the states are many.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from bugprm.model.repair_ranker import RepairRanker, StatePatches, patch_features


@dataclass(frozen=True)
class StateContrast:
    """One labelled state's patches by what they teach a ranker."""
    patches: int
    correct: int
    rivals_at_line: int  # incorrect patches at a line (file, line) where a correct patch is
    rivals_elsewhere: int  # incorrect patches at other lines

    @property
    def ranks(self) -> bool:
        """Whether the ranker is fitted on this state at all (a correct and an incorrect patch)."""
        return self.correct > 0 and self.rivals_at_line + self.rivals_elsewhere > 0


def contrast(state: StatePatches) -> StateContrast:
    lines = {(p.file, p.line) for p, c in zip(state.patches, state.correct) if c}
    wrong = [(p.file, p.line) in lines for p, c in zip(state.patches, state.correct) if not c]
    return StateContrast(len(state.patches), sum(state.correct), sum(wrong), len(wrong) - sum(wrong))


def summary(contrasts: Sequence[StateContrast]) -> dict:
    """Counts over states: how many the ranker fits on, and how many of those teach the choice at a line."""
    fitted = [c for c in contrasts if c.ranks]
    return {"states": len(contrasts), "with_correct": sum(c.correct > 0 for c in contrasts), "fitted": len(fitted),
            "fitted_with_rival_at_line": sum(c.rivals_at_line > 0 for c in fitted),
            "patches": sum(c.patches for c in contrasts), "correct": sum(c.correct for c in contrasts),
            "rivals_at_line": sum(c.rivals_at_line for c in fitted),
            "rivals_elsewhere": sum(c.rivals_elsewhere for c in fitted)}


def within_state_spread(ranker: RepairRanker, states: Sequence[StatePatches]) -> dict[str, float]:
    """Feature name -> the mean over states (of two patches or more) of the standard deviation of that feature's
    term in the ranker's score among the state's patches: how much each feature reorders a state."""
    weights, centre, scale = (np.array(v) for v in (ranker.weights, ranker.centre, ranker.scale))
    spreads = [(((patch_features(s, ranker.names) - centre) / scale) * weights).std(axis=0)
               for s in states if len(s.patches) > 1]
    if not spreads:
        return {}
    mean = np.mean(spreads, axis=0)
    return {name: round(float(v), 4) for name, v in sorted(zip(ranker.names, mean), key=lambda nv: -nv[1])}
