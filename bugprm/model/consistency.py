"""Step rewards made consistent with their own completions: a prefix is worth at least what follows it.

A step's label is whether some completion of its prefix ends well (Math-Shepherd), and the trajectory itself is one
such completion, so a step's value can never be below the next step's. Heads trained per step break that now and
then, most often at early steps whose labels are the hardest to learn; the min over steps (the default aggregate)
would then be decided by that noise instead of the trajectory's own verdict. Each member's rewards are raised to
the running maximum from the end, so the min over steps equals the last step's reward.
"""

from __future__ import annotations

import torch


def consistent_with_completions(probabilities: torch.Tensor) -> torch.Tensor:
    """[..., steps] -> the same with each step raised to the largest reward at or after it."""
    return probabilities.flip(-1).cummax(dim=-1).values.flip(-1)
