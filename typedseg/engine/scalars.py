"""Logged scalars (MMEngine's MessageHub `log_scalars`): recent values per name, read only when logged.

Values are stored as they come (a 0-d tensor stays a tensor), so that recording a loss each iteration costs an
append and no device sync; they become floats only when a hook reads a window. Running totals per epoch and
for the whole run serve `custom_cfg` windows of 'epoch' and 'global'. The state is saved in checkpoints (as
plain floats) so that smoothing continues exactly after a resume.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Literal

import torch

Reduce = Literal["mean", "min", "max", "current"]
Scalar = float | torch.Tensor


def _floats(values: Iterable[Scalar]) -> list[float]:
    items = list(values)
    tensors = [v for v in items if isinstance(v, torch.Tensor)]
    if not tensors or all(t.device.type == "cpu" for t in tensors):
        return [float(v) for v in items]  # reading a CPU tensor is a memory read: no transfer to batch
    # One stack and one transfer for all the tensors of a window, instead of one sync per value.
    converted = iter(torch.stack([t.reshape(()) for t in tensors]).float().tolist())
    return [next(converted) if isinstance(v, torch.Tensor) else float(v) for v in items]


def _smaller(a: Scalar, b: Scalar) -> Scalar:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.minimum(torch.as_tensor(a), torch.as_tensor(b))
    return min(a, b)


def _larger(a: Scalar, b: Scalar) -> Scalar:
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return torch.maximum(torch.as_tensor(a), torch.as_tensor(b))
    return max(a, b)


class ScalarHistory:
    """One scalar's recent values (up to `maxlen`) and its totals since the epoch started and overall."""

    def __init__(self, maxlen: int) -> None:
        self.recent: deque[Scalar] = deque(maxlen=maxlen)
        self.total: Scalar = 0.0
        self.count = 0
        self.epoch_total: Scalar = 0.0
        self.epoch_count = 0
        self.extremes: dict[str, Scalar] = {}
        """Running min/max over the run (`min`, `max`) and the epoch (`epoch_min`, `epoch_max`)."""
        self.track_totals = False
        self.track_extremes = False
        self.holds_tensors = False
        """Whether `recent` may hold tensors (they are turned into floats once, when first read)."""

    def append(self, value: Scalar) -> None:
        self.recent.append(value)
        if isinstance(value, torch.Tensor):
            self.holds_tensors = True
        if self.track_totals:
            self.total = self.total + value
            self.count += 1
            self.epoch_total = self.epoch_total + value
            self.epoch_count += 1
        if self.track_extremes:
            for key, pick in (
                ("min", _smaller),
                ("max", _larger),
                ("epoch_min", _smaller),
                ("epoch_max", _larger),
            ):
                held = self.extremes.get(key)
                self.extremes[key] = value if held is None else pick(held, value)

    def appender(self, tensors: bool) -> Callable[[Scalar], None]:
        """The cheapest way to record values, for a hook that records one every iteration: the deque's own
        append when nothing else is kept (no totals or extremes) and no tensor will come, else `append`."""
        if tensors or self.track_totals or self.track_extremes:
            return self.append
        return self.recent.append

    def start_epoch(self) -> None:
        self.epoch_total, self.epoch_count = 0.0, 0
        self.extremes.pop("epoch_min", None)
        self.extremes.pop("epoch_max", None)

    def _settle(self) -> None:
        """Turn the stored tensors into floats, once: later windows read the floats."""
        if self.holds_tensors:
            floats = _floats(self.recent)
            self.recent.clear()  # in place: `appender()` hands out the deque's own append
            self.recent.extend(floats)
            self.holds_tensors = False

    def current(self) -> float:
        self._settle()
        return float(self.recent[-1])

    def reduce(self, method: Reduce, window: int | Literal["epoch", "global"]) -> float:
        """The window's mean/min/max, or the latest value (MMEngine's HistoryBuffer.statistics)."""
        if method == "current":
            return self.current()
        if window in ("epoch", "global") and self.track_totals:
            if method == "mean" or not self.track_extremes:
                epoch = window == "epoch"
                total, count = (self.epoch_total, self.epoch_count) if epoch else (self.total, self.count)
                return _floats([total])[0] / max(count, 1)
            held = self.extremes.get(method if window == "global" else f"epoch_{method}")
            return math.nan if held is None else _floats([held])[0]
        self._settle()
        recent = self.recent
        values = recent if isinstance(window, str) or window >= len(recent) else list(recent)[-window:]
        if not values:
            return math.nan
        if method == "mean":
            return float(sum(values)) / len(values)
        return float(min(values) if method == "min" else max(values))

    def state_dict(self) -> dict[str, Any]:
        return {
            "recent": _floats(self.recent),
            "maxlen": self.recent.maxlen,
            "total": _floats([self.total])[0],
            "count": self.count,
            "epoch_total": _floats([self.epoch_total])[0],
            "epoch_count": self.epoch_count,
            "extremes": {key: _floats([value])[0] for key, value in self.extremes.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.recent.clear()
        self.recent.extend(state["recent"])
        self.holds_tensors = False
        self.total, self.count = state["total"], state["count"]
        self.epoch_total, self.epoch_count = state["epoch_total"], state["epoch_count"]
        self.extremes = dict(state.get("extremes", {}))


class ScalarLog:
    """Every logged scalar by its hierarchical name (`train/loss`, `val/mIoU`), MMEngine's `log_scalars`."""

    def __init__(
        self,
        window: int = 10,
        track_totals: frozenset[str] = frozenset(),
        track_extremes: frozenset[str] = frozenset(),
    ) -> None:
        self.window = window
        self.track_totals = track_totals
        """Scalars whose running sums are kept (epoch/global means): names without the mode prefix (`loss`, every
        mode's), or with it (`val/time`, that mode's only)."""
        self.track_extremes = track_extremes
        """Scalars whose running min/max are kept (epoch/global min and max windows)."""
        self.histories: dict[str, ScalarHistory] = {}
        self._modes: dict[str, dict[str, ScalarHistory]] = {}
        """Per mode (`train`), its histories by the rest of their names: kept up as histories are made, so that
        a log line does not filter every name."""

    def history(self, name: str) -> ScalarHistory:
        found = self.histories.get(name)
        if found is None:
            found = self.histories[name] = ScalarHistory(self.window)
            mode, slash, rest = name.partition("/")
            leaf = rest if slash else name
            totals, extremes = self.track_totals, self.track_extremes
            found.track_totals = bool({leaf, name} & totals) or leaf in extremes
            found.track_extremes = leaf in extremes
            if slash:
                self._modes.setdefault(mode, {})[rest] = found
        return found

    def update(self, name: str, value: Scalar) -> None:
        self.history(name).append(value)

    def start_epoch(self, mode: str) -> None:
        """Reset the per-epoch totals of one mode's scalars (the 'epoch' window starts over)."""
        for history in self._modes.get(mode, {}).values():
            history.start_epoch()

    def of_mode(self, mode: str) -> dict[str, ScalarHistory]:
        """One mode's histories by the rest of their names (`train/loss` -> `loss`), in the order they came."""
        return dict(self._modes.get(mode, {}))

    def state_dict(self) -> dict[str, Any]:
        return {name: history.state_dict() for name, history in self.histories.items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name, saved in state.items():
            self.history(name).load_state_dict(saved)
