"""ActPRM's two tests aimed at `--goal rank`: which candidates' verdicts the ranking of the unexecuted rest most needs.

The ranking is judged by its AUROC on what stays unexecuted (killed above survived). Executing a candidate takes it
out of that ranking: a survivor scored above most killed candidates, or a killed one scored below most survivors,
was a misordering, and its verdict removes it. Under the model's own kill probabilities p, the expected rise of the
rest's AUROC when candidate i is executed is

    (1 - p_i) * (A - killed_above_i / K) / S  +  p_i * (A - survived_below_i / S) / K

with K = sum p and S = sum (1 - p) the expected killed and survived counts, killed_above_i and survived_below_i the
expected counts on either side of i's score, and A the expected AUROC. It is highest in the middle of the ranking,
not at the least confident end: a candidate scored lowest is, if it survives, ranked right, and it mostly survives.
The least confident candidates (ActPRM's aleatoric test) sit at that low end where survivors are rare, so their
verdicts are survivor-rich, ranked right already, and their execution leaves a rest that ranks worse (BENCHMARKS.md,
issue 15, sixth session).

``RankActPRM`` keeps ActPRM's shape (uncertain when either test passes, thresholds relative to the pool): the top
``share``/2 by this expected gain and the top ``share``/2 by the heads' spread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bugprm.active.strategies import Prediction, _percentile_rank


def expected_rank_gain(kill: np.ndarray) -> np.ndarray:
    """Per candidate, the expected rise of the AUROC of the others' ranking by ``kill`` (each a calibrated
    probability of being killed) once its verdict is known and it leaves the ranking."""
    kill = np.asarray(kill, dtype=float)
    killed, survived = kill.sum(), (1 - kill).sum()
    if kill.size < 2 or killed <= 0 or survived <= 0:
        return np.zeros(kill.size)
    order = np.argsort(kill, kind="stable")
    killed_above, survived_below = np.empty(kill.size), np.empty(kill.size)
    killed_above[order] = killed - np.cumsum(kill[order])
    survived_below[order] = np.cumsum(1 - kill[order]) - (1 - kill[order])
    auroc = float(np.sum((1 - kill) * killed_above)) / (killed * survived)
    return ((1 - kill) * (auroc - killed_above / killed) / survived
            + kill * (auroc - survived_below / survived) / killed)


def kill_probabilities(predictions: list[Prediction]) -> np.ndarray:
    """Each trajectory's chance of being killed: its weakest step, as the scores report it."""
    return np.array([float(np.min(p.mean)) for p in predictions])


@dataclass(frozen=True)
class RankActPRM:
    """ActPRM for `--goal rank`: uncertain in the top ``share``/2 by expected rank gain or by the heads' spread;
    the score is a trajectory's higher percentile of the two."""

    share: float = 0.3
    name: str = "actprm"

    def scores(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        gain = expected_rank_gain(kill_probabilities(predictions))
        spread = np.array([float(np.max(p.std[p.decisive_steps()])) for p in predictions])
        return np.maximum(_percentile_rank(gain, rng), _percentile_rank(spread, rng))

    def uncertain(self, predictions: list[Prediction], rng: np.random.Generator) -> np.ndarray:
        return self.scores(predictions, rng) > 1 - self.share / 2
