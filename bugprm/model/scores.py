"""The score type the model gives: defined with the other records that cross stages (``bugprm.records``)."""

from bugprm.records import TrajectoryScore

__all__ = ["TrajectoryScore"]
