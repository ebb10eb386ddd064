"""What hooks see and may change: the `RunState` of one run (MMEngine's runner, narrowed and typed).

Hooks read the model, the optimizer wrapper, counters, the current batch and the step's outputs, the logged
scalars and the last metrics. What they may change is explicit: `request_stop()` (EarlyStoppingHook),
`request_checkpoint()` (saved at the end of the current iteration), `extra_state` (their own part of a
checkpoint, through their `state_dict`), and the checkpoint dict during `before_save_checkpoint` /
`after_load_checkpoint`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import torch
from torch import nn

from typedseg.engine.protocols import OptimWrapperLike, SchedulerLike
from typedseg.engine.scalars import ScalarLog

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment
    from typedseg.engine.checkpoint import CheckpointWriter

Mode = Literal["train", "val", "test"]


@dataclass
class RunState:
    """The state of a run at the moment a hook is called.

    Counters follow MMEngine: during `*_train_iter`, `iter` is the index of the current iteration (0-based)
    and `batch_idx` its index within the epoch; both advance after `after_train_iter`. `epoch` counts finished
    epochs (0 during the first one) and advances after `after_train_epoch`.
    """

    experiment: Experiment
    model: nn.Module
    work_dir: Path
    log_dir: Path
    timestamp: str
    seed: int
    scalars: ScalarLog
    optim_wrapper: OptimWrapperLike | None = None
    schedulers: list[SchedulerLike] = field(default_factory=list)
    checkpointer: CheckpointWriter | None = None
    dataset_meta: dict[str, Any] = field(default_factory=dict)

    mode: Mode = "train"
    iter: int = 0
    epoch: int = 0
    batch_idx: int = 0
    max_iters: int = 0
    max_epochs: int = 1
    by_epoch: bool = False
    """True for an epoch-based train loop (progress is shown and saved per epoch)."""
    loader_length: int = 0
    """Batches in one epoch of the current mode's dataloader (0 when unknown)."""
    start_iter: int = 0
    """The iteration this process started from (nonzero after a resume)."""

    batch: Any = None
    """The current batch (a SegBatch) during `*_iter` events."""
    outputs: Any = None
    """The step's outputs: the loss dict (train), or the predicted SegDataSamples (val/test)."""
    loss_value: float | None = None
    """The step's total loss as a float, during `after_train_iter` (read once, for the non-finite check)."""
    metrics: dict[str, float] = field(default_factory=dict)
    """The last validation or test metrics (set before `after_val_epoch` / `after_test_epoch`)."""
    checkpoint: dict[str, Any] | None = None
    """The checkpoint being saved or loaded, during `before_save_checkpoint` / `after_load_checkpoint`."""
    resumed: bool = False
    """True when this run continues a checkpoint's training state."""
    eta: float | None = None
    """Seconds left in the current loop, as IterTimerHook estimates it."""
    train_loader: Any = None
    """The train DataLoader (its sampler is reseeded per epoch by DistSamplerSeedHook)."""
    writers: Any = None
    """The visualizer's backends (a `logs.ScalarWriters`, opened by the LoggerHook): where hooks send images."""

    stop_requested: bool = False
    """Set by `request_stop()`: training ends after the current iteration (or epoch) and its hooks."""
    checkpoint_requested: bool = False
    """Set by `request_checkpoint()`: the CheckpointHook saves at the end of the current iteration."""

    def request_stop(self) -> None:
        """Ask the train loop to stop after this iteration's or epoch's hooks."""
        self.stop_requested = True

    def request_checkpoint(self) -> None:
        """Ask for a checkpoint at the end of the current iteration (whatever the interval says)."""
        self.checkpoint_requested = True

    def lr(self) -> dict[str, float]:
        """The learning rate of param group 0 (and `base_lr`, MMEngine's name, when there are several groups)."""
        if self.optim_wrapper is None:
            return {}
        found = self.optim_wrapper.get_lr()
        return {name: float(values[0]) for name, values in sorted(found.items()) if values}

    @property
    def device(self) -> torch.device:
        for parameter in self.model.parameters():
            return parameter.device
        return torch.device("cpu")
