"""Logged scalars (MMEngine's MessageHub `log_scalars`): recent values per name, read only when logged.

Values are stored as they come (a 0-d tensor stays a tensor), so that recording a loss each iteration costs an
append and no device sync; they become floats only when a hook reads a window. Running totals per epoch and
for the whole run serve `custom_cfg` windows of 'epoch' and 'global'. The state is saved in checkpoints (as
plain floats) so that smoothing continues exactly after a resume.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from typing import Any, Literal

import torch

Reduce = Literal["mean", "min", "max", "current"]
Scalar = float | torch.Tensor


def _floats(values: Iterable[Scalar]) -> list[float]:
    items = list(values)
    tensors = [v for v in items if isinstance(v, torch.Tensor)]
    if not tensors:
        return [float(v) for v in items]  # type: ignore[arg-type]
    # One transfer for all the tensors of a window, instead of one sync per value.
    converted = iter(torch.stack([t.detach().float().reshape(()) for t in tensors]).tolist())
    return [next(converted) if isinstance(v, torch.Tensor) else float(v) for v in items]


class ScalarHistory:
    """One scalar's recent values (up to `maxlen`) and its totals since the epoch started and overall."""

    def __init__(self, maxlen: int) -> None:
        self.recent: deque[Scalar] = deque(maxlen=maxlen)
        self.total: Scalar = 0.0
        self.count = 0
        self.epoch_total: Scalar = 0.0
        self.epoch_count = 0
        self.track_totals = False

    def append(self, value: Scalar) -> None:
        self.recent.append(value)
        if self.track_totals:
            self.total = self.total + value
            self.count += 1
            self.epoch_total = self.epoch_total + value
            self.epoch_count += 1

    def current(self) -> float:
        return _floats([self.recent[-1]])[0]

    def reduce(self, method: Reduce, window: int | Literal["epoch", "global"]) -> float:
        """The window's mean/min/max, or the latest value (MMEngine's HistoryBuffer.statistics)."""
        if method == "current":
            return self.current()
        if window in ("epoch", "global") and method == "mean":
            total, count = (
                (self.epoch_total, self.epoch_count) if window == "epoch" else (self.total, self.count)
            )
            return _floats([total])[0] / max(count, 1)
        size = len(self.recent) if isinstance(window, str) else window
        values = _floats(list(self.recent)[-size:])
        if not values:
            return math.nan
        if method == "mean":
            return sum(values) / len(values)
        return min(values) if method == "min" else max(values)

    def state_dict(self) -> dict[str, Any]:
        return {
            "recent": _floats(self.recent),
            "maxlen": self.recent.maxlen,
            "total": _floats([self.total])[0],
            "count": self.count,
            "epoch_total": _floats([self.epoch_total])[0],
            "epoch_count": self.epoch_count,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.recent = deque(state["recent"], maxlen=self.recent.maxlen)
        self.total, self.count = state["total"], state["count"]
        self.epoch_total, self.epoch_count = state["epoch_total"], state["epoch_count"]


class ScalarLog:
    """Every logged scalar by its hierarchical name (`train/loss`, `val/mIoU`), MMEngine's `log_scalars`."""

    def __init__(self, window: int = 10, track_totals: frozenset[str] = frozenset()) -> None:
        self.window = window
        self.track_totals = track_totals
        self.histories: dict[str, ScalarHistory] = {}

    def history(self, name: str) -> ScalarHistory:
        found = self.histories.get(name)
        if found is None:
            found = self.histories[name] = ScalarHistory(self.window)
            found.track_totals = name.split("/", 1)[-1] in self.track_totals
        return found

    def update(self, name: str, value: Scalar) -> None:
        self.history(name).append(value)

    def start_epoch(self, mode: str) -> None:
        """Reset the per-epoch totals of one mode's scalars (the 'epoch' window starts over)."""
        for name, history in self.histories.items():
            if name.startswith(f"{mode}/"):
                history.epoch_total, history.epoch_count = 0.0, 0

    def of_mode(self, mode: str) -> dict[str, ScalarHistory]:
        prefix = f"{mode}/"
        return {name[len(prefix) :]: h for name, h in self.histories.items() if name.startswith(prefix)}

    def state_dict(self) -> dict[str, Any]:
        return {name: history.state_dict() for name, history in self.histories.items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name, saved in state.items():
            self.history(name).load_state_dict(saved)
