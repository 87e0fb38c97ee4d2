"""A clock for tests of what machine load must not change."""

from __future__ import annotations


class JumpingClock:
    """A badly overloaded machine: every reading of the clock is ``step`` seconds after the last."""

    def __init__(self, step: float) -> None:
        self.t = 0.0
        self.step = step

    def __call__(self) -> float:
        self.t += self.step
        return self.t
