"""EmptyCacheHook, SyncBuffersHook, EarlyStoppingHook: small hooks with one job each."""

from __future__ import annotations

import logging
import math
from typing import Any

import torch

from typedseg.config.hooks import EarlyStoppingHook as EarlyStoppingConfig
from typedseg.config.hooks import infer_rule
from typedseg.engine.errors import TrainingFault
from typedseg.engine.hooks.base import Hook
from typedseg.engine.state import RunState

log = logging.getLogger("typedseg")


class EmptyCacheHook(Hook):
    """Releases cached CUDA memory (`torch.cuda.empty_cache()`) before/after epochs or after iterations."""

    def __init__(self, before_epoch: bool, after_epoch: bool, after_iter: bool) -> None:
        self.before_epoch, self.after_epoch, self.after_iter = before_epoch, after_epoch, after_iter

    def _empty(self) -> None:
        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _iter(self, state: RunState) -> None:
        if self.after_iter:
            self._empty()

    def _epoch_start(self, state: RunState) -> None:
        if self.before_epoch:
            self._empty()

    def _epoch_end(self, state: RunState) -> None:
        if self.after_epoch:
            self._empty()

    after_train_iter = after_val_iter = after_test_iter = _iter
    before_train_epoch = before_val_epoch = before_test_epoch = _epoch_start
    after_train_epoch = after_val_epoch = after_test_epoch = _epoch_end


class SyncBuffersHook(Hook):
    """Averages model buffers (BatchNorm statistics) over processes after each train epoch and before
    validation; nothing to do in a single process."""

    def __init__(self) -> None:
        self._synced = False

    def _sync(self, state: RunState) -> None:
        import torch.distributed as dist

        if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
            return
        world = dist.get_world_size()
        for buffer in state.model.buffers():
            if buffer.dtype.is_floating_point:
                dist.all_reduce(buffer.data, op=dist.ReduceOp.SUM)
                buffer.data.div_(world)

    def after_train_epoch(self, state: RunState) -> None:
        self._sync(state)
        self._synced = True

    def before_val(self, state: RunState) -> None:
        if not self._synced:
            self._sync(state)

    def before_train_epoch(self, state: RunState) -> None:
        self._synced = False


class EarlyStoppingHook(Hook):
    """Stops training once `monitor` has not improved by `min_delta` for `patience` validations (MMEngine's)."""

    priority = 100

    def __init__(self, cfg: EarlyStoppingConfig) -> None:
        self.cfg = cfg
        rule = cfg.rule or infer_rule(cfg.monitor)
        self.greater = rule == "greater"
        self.best = -math.inf if self.greater else math.inf
        self.wait = 0

    def after_val_epoch(self, state: RunState) -> None:
        cfg = self.cfg
        if cfg.monitor not in state.metrics:
            if cfg.strict:
                raise TrainingFault(
                    "monitor-missing",
                    f"EarlyStoppingHook monitors '{cfg.monitor}', which the evaluator did not report "
                    f"(it reported {', '.join(state.metrics) or 'nothing'}).",
                )
            log.warning("EarlyStoppingHook: '%s' is not among the metrics; skipped.", cfg.monitor)
            return
        value = float(state.metrics[cfg.monitor])
        greater = self.greater

        def better(a: float, b: float) -> bool:
            return a > b if greater else a < b

        delta = cfg.min_delta if self.greater else -cfg.min_delta
        if cfg.check_finite and not math.isfinite(value):
            self._stop(state, f"{cfg.monitor} is {value}")
        elif cfg.stopping_threshold is not None and better(value, cfg.stopping_threshold):
            self._stop(
                state, f"{cfg.monitor} ({value}) passed the stopping threshold {cfg.stopping_threshold}"
            )
        elif better(self.best + delta, value):  # MMEngine's test: not better than best by min_delta
            self.wait += 1
            if self.wait >= cfg.patience:
                self._stop(
                    state, f"{cfg.monitor} did not improve for {self.wait} validations (best {self.best})"
                )
        else:
            self.best, self.wait = value, 0

    def _stop(self, state: RunState, why: str) -> None:
        log.info("Early stopping: %s.", why)
        state.request_stop()

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "wait": self.wait}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.wait = state["best"], state["wait"]
