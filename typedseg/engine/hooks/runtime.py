"""RuntimeInfoHook, IterTimerHook, DistSamplerSeedHook, ParamSchedulerHook: the bookkeeping default hooks."""

from __future__ import annotations

import time
from collections.abc import Callable

import torch

from typedseg.engine.hooks.base import Hook
from typedseg.engine.protocols import MetricSteppedScheduler
from typedseg.engine.scalars import Scalar
from typedseg.engine.state import RunState


class RuntimeInfoHook(Hook):
    """Records each train step's outputs (`train/<name>`) and each evaluation's metrics (`val/`, `test/`).

    On the CPU a value is recorded as a float (reading a CPU tensor costs less than detaching it); on an
    accelerator it stays a detached tensor, so that recording costs no device sync: the logger reads the
    tensors of a window together, on the iterations it logs. The total `loss` is the float the step read for
    its non-finite check. The lr is read from the optimizer when logged (it is the lr this iteration used).
    """

    priority = 10

    def __init__(self) -> None:
        self._appenders: dict[str, Callable[[Scalar], None]] = {}
        """Per output name, the append of its history (looked up once per run, not per iteration)."""
        self._read: Callable[[torch.Tensor], Scalar] = torch.Tensor.detach
        """`item` on the CPU, `detach` on an accelerator."""
        self._tensors = False

    def before_train(self, state: RunState) -> None:
        self._appenders = {}
        self._tensors = state.device.type != "cpu"
        self._read = torch.Tensor.detach if self._tensors else torch.Tensor.item

    def _appender(self, state: RunState, name: str) -> Callable[[Scalar], None]:
        scalars = state.scalars
        if not self._appenders:  # `loss` first, as MMEngine logs it
            self._appenders["loss"] = scalars.history("train/loss").appender(self._tensors)
        found = self._appenders.get(name)
        if found is None:
            found = self._appenders[name] = scalars.history(f"train/{name}").appender(self._tensors)
        return found

    def after_train_iter(self, state: RunState) -> None:
        appenders, read, outputs, loss_value = self._appenders, self._read, state.outputs, state.loss_value
        loss = outputs.get("loss") if loss_value is not None else None  # the step has read it already
        for name, value in outputs.items():
            append = appenders.get(name) or self._appender(state, name)
            if loss_value is not None and value is loss:
                append(loss_value)
            else:
                append(read(value) if isinstance(value, torch.Tensor) else value)
        grad_norm = getattr(state.optim_wrapper, "last_grad_norm", None)  # set when clip_grad clips
        if grad_norm is not None:
            (appenders.get("grad_norm") or self._appender(state, "grad_norm"))(read(grad_norm))

    def before_train_epoch(self, state: RunState) -> None:
        if state.batch_idx == 0:  # not when a resume continues inside the epoch: its totals were restored
            state.scalars.start_epoch("train")

    def after_val_epoch(self, state: RunState) -> None:
        for name, value in state.metrics.items():
            state.scalars.update(f"val/{name}", float(value))

    def after_test_epoch(self, state: RunState) -> None:
        for name, value in state.metrics.items():
            state.scalars.update(f"test/{name}", float(value))


class IterTimerHook(Hook):
    """Times each iteration (`time`) and the wait for its batch (`data_time`); estimates the time left (`eta`).

    MMEngine's rules: data_time runs from the end of the previous iteration to `before_*_iter`, time over the
    whole iteration; the train eta is the mean time since this process started times the iterations left.
    """

    def __init__(self) -> None:
        self._last = 0.0
        self._total = 0.0
        self._count = 0
        self._eval_times: list[float] = []
        self._train_data_time: Callable[[Scalar], None] | None = None
        self._train_time: Callable[[Scalar], None] | None = None

    def before_train(self, state: RunState) -> None:
        self._last = time.perf_counter()
        self._train_data_time = self._train_time = None

    def before_train_epoch(self, state: RunState) -> None:
        self._last = time.perf_counter()

    def before_val_epoch(self, state: RunState) -> None:
        self._last = time.perf_counter()
        self._eval_times = []
        state.scalars.start_epoch("val")

    def before_test_epoch(self, state: RunState) -> None:
        self._last = time.perf_counter()
        self._eval_times = []
        state.scalars.start_epoch("test")

    def _before_iter(self, state: RunState) -> None:
        now = time.perf_counter()
        state.scalars.update(f"{state.mode}/data_time", now - self._last)

    before_val_iter = _before_iter
    before_test_iter = _before_iter

    def before_train_iter(self, state: RunState) -> None:
        now = time.perf_counter()
        if self._train_data_time is None:  # the history is looked up once per run, not per iteration
            self._train_data_time = state.scalars.history("train/data_time").appender(tensors=False)
        self._train_data_time(now - self._last)

    def after_train_iter(self, state: RunState) -> None:
        now = time.perf_counter()
        elapsed = now - self._last
        self._last = now
        if self._train_time is None:
            self._train_time = state.scalars.history("train/time").appender(tensors=False)
        self._train_time(elapsed)
        self._total += elapsed
        self._count += 1
        state.eta = self._total / self._count * (state.max_iters - state.iter - 1)

    def _after_eval_iter(self, state: RunState) -> None:
        now = time.perf_counter()
        elapsed = now - self._last
        self._last = now
        state.scalars.update(f"{state.mode}/time", elapsed)
        self._eval_times.append(elapsed)
        window = self._eval_times[-10:]
        state.eta = sum(window) / len(window) * (state.loader_length - state.batch_idx - 1)

    after_val_iter = _after_eval_iter
    after_test_iter = _after_eval_iter


class DistSamplerSeedHook(Hook):
    """Calls `sampler.set_epoch(epoch)` before each train epoch, so each epoch draws a new order."""

    def before_train_epoch(self, state: RunState) -> None:
        loader = state.train_loader
        if loader is None:
            return
        sampler = getattr(loader, "sampler", None)
        if not hasattr(sampler, "set_epoch"):
            sampler = getattr(getattr(loader, "batch_sampler", None), "sampler", None)
        if hasattr(sampler, "set_epoch"):
            sampler.set_epoch(state.epoch)  # type: ignore[union-attr]


class ParamSchedulerHook(Hook):
    """Steps by-iteration schedulers after each iteration, by-epoch ones after each epoch, and ReduceOnPlateau
    with the validation metrics.

    As MMEngine's hook: ReduceOnPlateau (by_epoch) is also stepped without metrics after each epoch, which counts
    the epoch for its begin/end window; it reacts only to `step(metrics)` after a validation.
    """

    priority = 70

    def __init__(self) -> None:
        self._per_iter: list[Callable[[], None]] = []
        self._per_epoch: list[Callable[[], None]] = []

    def before_train(self, state: RunState) -> None:
        self._per_iter = [s.step for s in state.schedulers if not s.by_epoch]
        self._per_epoch = [s.step for s in state.schedulers if s.by_epoch]

    def after_train_iter(self, state: RunState) -> None:
        for step in self._per_iter:
            step()

    def after_train_epoch(self, state: RunState) -> None:
        for step in self._per_epoch:
            step()

    def after_val_epoch(self, state: RunState) -> None:
        for scheduler in state.schedulers:
            if (
                isinstance(scheduler, MetricSteppedScheduler)
                and scheduler.need_val_args
                and scheduler.by_epoch
            ):
                scheduler.step(state.metrics)
