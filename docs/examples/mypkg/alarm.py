"""A user's runtime hook (it would import torch in real life); `typedseg codegen class` reads its signature."""

from __future__ import annotations

from typing import Any


class GradNormAlarm:
    """Warns when the gradient norm exceeds a threshold.

    Args:
        threshold (float): Norm above which to warn.
        every (int): Check every this many iterations.
        label (str | None): Name used in the warning.
    """

    def __init__(self, threshold: float = 10.0, every: int = 1, label: str | None = None) -> None:
        self.threshold = threshold
        self.every = every
        self.label = label


class Flexible:
    """Takes anything."""

    def __init__(self, size: int = 1, **kwargs: Any) -> None:
        self.size = size
