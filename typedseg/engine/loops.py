"""MMEngine's loops on plain PyTorch: IterBasedTrainLoop, EpochBasedTrainLoop, ValLoop and TestLoop.

Each loop reads its counters from the `RunState` and calls the hooks at MMEngine's points. A resumed loop first
creates its data iterator, then restores the sampler position and the RNG states, so that creating the iterator
does not shift the random streams and no batch is read twice.
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from typedseg.config.loops import EpochBasedTrainLoop as EpochLoopConfig
from typedseg.config.loops import IterBasedTrainLoop as IterLoopConfig
from typedseg.engine.dist import sync_metric
from typedseg.engine.hooks.base import Hooks
from typedseg.engine.protocols import MetricLike
from typedseg.engine.randomness import rng_state, set_rng_state
from typedseg.engine.state import Mode, RunState


def sampler_of(loader: Any) -> Any:
    """The loader's sampler that carries state (`loader.sampler`, or `loader.batch_sampler.sampler`)."""
    sampler = getattr(loader, "sampler", None)
    if hasattr(sampler, "state_dict") and hasattr(sampler, "load_state_dict"):
        return sampler
    inner = getattr(getattr(loader, "batch_sampler", None), "sampler", None)
    if hasattr(inner, "state_dict") and hasattr(inner, "load_state_dict"):
        return inner
    return None


def loader_length(loader: Any) -> int:
    try:
        return len(loader)
    except TypeError:  # an infinite sampler
        return 0


@dataclass
class ResumeAt:
    """Where a resumed train loop continues: the sampler's saved position, the RNG states, the pass count."""

    sampler: dict[str, Any] | None
    rng: dict[str, Any] | None
    passes: int = 0


class _InfiniteIterator:
    """Repeats a dataloader (IterBasedTrainLoop); each new pass calls `set_epoch(pass)` on the sampler."""

    def __init__(self, loader: Any, passes: int = 0) -> None:
        self.loader = loader
        self.passes = passes
        self.iterator: Iterator[Any] = iter(loader)

    def __next__(self) -> Any:
        try:
            return next(self.iterator)
        except StopIteration:
            self.passes += 1
            sampler = getattr(self.loader, "sampler", None)
            if not hasattr(sampler, "set_epoch"):
                sampler = getattr(getattr(self.loader, "batch_sampler", None), "sampler", None)
            if hasattr(sampler, "set_epoch"):
                sampler.set_epoch(self.passes)  # type: ignore[union-attr]
            self.iterator = iter(self.loader)
            return next(self.iterator)


Step = Callable[[Any], dict[str, torch.Tensor] | None]


class TrainLoop:
    """What both train loops share: the step, validation scheduling and the interruption check."""

    def __init__(
        self,
        cfg: IterLoopConfig | EpochLoopConfig,
        loader: Any,
        step: Step,
        hooks: Hooks,
        state: RunState,
        validate: Callable[[], None] | None,
        interrupted: Callable[[], bool],
        on_interrupt: Callable[[], None],
    ) -> None:
        self.cfg, self.loader, self.step, self.hooks, self.state = cfg, loader, step, hooks, state
        self.validate, self.interrupted, self.on_interrupt = validate, interrupted, on_interrupt
        pairs = list(cfg.dynamic_intervals or ())
        self.milestones = [0, *(m for m, _ in pairs)]
        self.intervals = [cfg.val_interval, *(i for _, i in pairs)]
        self.val_interval = cfg.val_interval
        self.dynamic = bool(pairs)
        self.passes = 0
        """Passes over the dataloader finished before the current batch (epochs, for an epoch loop)."""
        self.batches_done = 0
        """Batches of the current pass the loop has taken (the position a checkpoint resumes at)."""
        self.epoch_done = False
        self.iterator: Any = None

    def position(self) -> dict[str, Any]:
        """Where a checkpoint taken now continues (built only when one is saved)."""
        return {"passes": self.passes, "batch_idx": self.batches_done, "epoch_done": self.epoch_done}

    def run(self, resume: ResumeAt | None) -> None:
        """Train from the state's counters (or from `resume`) to the end, or until a stop is requested."""
        raise NotImplementedError

    def _decide_val_interval(self, step: int) -> None:
        if self.dynamic:
            self.val_interval = self.intervals[bisect.bisect(self.milestones, step) - 1]

    def _should_validate(self, done: int, total: int) -> bool:
        return (
            self.validate is not None
            and done >= self.cfg.val_begin
            and (done % self.val_interval == 0 or done == total)
        )

    def _revalidate(self, resume: ResumeAt | None, done: int, total: int) -> None:
        """A checkpoint is saved before the validation of its step: resuming at a validation point runs that
        validation (it may have been cut short), so metrics, best checkpoints and early stopping match an
        uninterrupted run."""
        if resume is None or done == 0:
            return
        self._decide_val_interval(done)
        if self._should_validate(done, total):
            assert self.validate is not None
            self.validate()
            self.state.model.train()

    def _run_iter(self, batch: Any) -> None:
        state, handlers = self.state, self.hooks.by_event
        state.batch = batch
        for handler in handlers["before_train_iter"]:  # `Hooks.call`'s loop, without its frame
            handler(state)
        state.outputs = self.step(batch)
        if state.outputs is not None:  # None: a non-finite step that was skipped
            for handler in handlers["after_train_iter"]:
                handler(state)
        state.batch = state.outputs = state.loss_value = None


class IterBasedTrainLoop(TrainLoop):
    """`max_iters` iterations over the repeated dataloader; validation every `val_interval` iterations."""

    cfg: IterLoopConfig

    def run(self, resume: ResumeAt | None) -> None:
        state, call, cfg = self.state, self.hooks.call, self.cfg
        state.max_iters, state.max_epochs, state.by_epoch = cfg.max_iters, 1, False
        state.loader_length = loader_length(self.loader)
        call("before_train", state)
        call("before_train_epoch", state)
        state.model.train()
        passes = resume.passes if resume is not None else 0
        if resume is not None and resume.sampler is not None:
            sampler = sampler_of(self.loader)
            if sampler is not None:
                sampler.load_state_dict(resume.sampler)
                # A state taken at the end of a pass moves the sampler on to the next one.
                passes = int(getattr(sampler, "epoch", passes))
        iterator = _InfiniteIterator(self.loader, passes)
        if resume is not None and resume.rng is not None:
            set_rng_state(resume.rng)
        self.iterator = iterator
        self._revalidate(resume, state.iter, cfg.max_iters)
        max_iters, validates = cfg.max_iters, self.validate is not None
        while state.iter < max_iters and not state.stop_requested:
            if self.dynamic:
                self._decide_val_interval(state.iter + 1)
            state.mode = "train"
            state.batch_idx = state.iter
            batch = next(iterator)
            self.passes, self.batches_done = iterator.passes, state.iter + 1
            self._run_iter(batch)
            state.iter += 1
            if self.interrupted():
                self.on_interrupt()
            if validates and self._should_validate(state.iter, max_iters):
                assert self.validate is not None
                self.validate()
                state.model.train()
        call("after_train_epoch", state)
        call("after_train", state)


class EpochBasedTrainLoop(TrainLoop):
    """`max_epochs` passes over the dataloader; validation every `val_interval` epochs and after the last."""

    cfg: EpochLoopConfig

    def run(self, resume: ResumeAt | None) -> None:
        state, call, cfg = self.state, self.hooks.call, self.cfg
        length = loader_length(self.loader)
        state.max_epochs, state.by_epoch = cfg.max_epochs, True
        state.max_iters = cfg.max_epochs * length
        state.loader_length = length
        call("before_train", state)
        if resume is not None and state.batch_idx == 0:
            self._revalidate(resume, state.epoch, cfg.max_epochs)
        while state.epoch < cfg.max_epochs and not state.stop_requested:
            self._run_epoch(resume)
            resume = None
            self._decide_val_interval(state.epoch)
            if self._should_validate(state.epoch, cfg.max_epochs) and not state.stop_requested:
                assert self.validate is not None
                self.validate()
        call("after_train", state)

    def _run_epoch(self, resume: ResumeAt | None) -> None:
        state, call = self.state, self.hooks.call
        state.mode = "train"
        call("before_train_epoch", state)
        state.model.train()
        start = state.batch_idx if resume is not None else 0
        # Saved after the epoch's last batch, before its end: only the epoch's end is left to run (a sampler may
        # read such a state as the start of the next epoch).
        finished = resume is not None and 0 < state.loader_length <= start
        if resume is not None and resume.sampler is not None and not finished:
            sampler = sampler_of(self.loader)
            if sampler is not None:
                sampler.load_state_dict(resume.sampler)
        iterator = iter(self.loader) if not finished else iter(())
        if resume is not None and resume.rng is not None:
            set_rng_state(resume.rng)
        for batch_idx, batch in enumerate(iterator, start):
            state.mode = "train"
            state.batch_idx = batch_idx
            self.passes, self.batches_done, self.epoch_done = state.epoch, batch_idx + 1, False
            self._run_iter(batch)
            state.iter += 1
            if self.interrupted():
                self.on_interrupt()
            if state.stop_requested:
                break
        self.passes, self.batches_done, self.epoch_done = state.epoch + 1, 0, True
        call("after_train_epoch", state)
        state.epoch += 1
        state.batch_idx = 0


class EvalLoop:
    """ValLoop and TestLoop: the dataloader through the model (`mode="predict"`) and the metrics."""

    def __init__(
        self,
        mode: Mode,
        loader: Any,
        metrics: Sequence[MetricLike],
        hooks: Hooks,
        state: RunState,
        fp16: bool,
    ) -> None:
        self.mode, self.loader, self.metrics, self.hooks, self.state, self.fp16 = (
            mode,
            loader,
            metrics,
            hooks,
            state,
            fp16,
        )

    def run(self) -> dict[str, float]:
        state, call, mode = self.state, self.hooks.call, self.mode
        previous_mode = state.mode
        state.mode = mode
        state.loader_length = loader_length(self.loader)
        call(f"before_{mode}", state)
        call(f"before_{mode}_epoch", state)
        model = state.model
        model.eval()
        for metric in self.metrics:
            metric.reset()
        device = state.device
        autocast = torch.autocast(device.type, dtype=torch.float16) if self.fp16 else contextlib.nullcontext()
        test_step = getattr(model, "test_step", None)
        for batch_idx, batch in enumerate(self.loader):
            state.batch_idx, state.batch = batch_idx, batch
            call(f"before_{mode}_iter", state)
            with torch.no_grad(), autocast:
                if test_step is not None:  # SegTTAModel: every augmented view predicted, then merged
                    outputs = test_step(batch)
                else:
                    data = model.data_preprocessor(batch, False)  # type: ignore[operator]
                    outputs = model(data["inputs"], data["data_samples"], mode="predict")
            for metric in self.metrics:
                metric.process(outputs)
            state.outputs = outputs
            call(f"after_{mode}_iter", state)
        state.batch = state.outputs = None
        results: dict[str, float] = {}
        for metric in self.metrics:
            sync_metric(metric)  # several processes: their counts merged (a no-op in one)
            results.update(metric.compute())
        state.metrics = results
        call(f"after_{mode}_epoch", state)
        call(f"after_{mode}", state)
        state.mode = previous_mode
        return results


def validation_guard(run: Callable[[], dict[str, float]]) -> Callable[[], None]:
    """Run validation without touching the training's random streams (so that a resume at any point, and
    the presence of validation itself, leave training bit-identical)."""

    def guarded() -> None:
        saved = rng_state()
        try:
            run()
        finally:
            set_rng_state(saved)

    return guarded
