"""Checked by mypy --strict in the test command: attribute access on configs keeps precise types."""

from __future__ import annotations

from collections.abc import Sequence  # noqa: F401 - named in assert_type strings
from typing import Literal, assert_type  # noqa: F401

from typedseg.config.evaluation import IoUMetric
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import CheckpointHook, DefaultHooks
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.config.optimizers import SGD
from typedseg.config.schedulers import PolyLR


def typed_access(config: Experiment) -> None:
    assert_type(config.default_hooks.checkpoint.interval, int)
    assert_type(config.default_hooks.checkpoint.save_best, "str | Sequence[str] | None")
    assert_type(config.default_hooks, DefaultHooks)
    assert_type(config.default_hooks.checkpoint, CheckpointHook)
    assert_type(config.randomness.seed, "int | None")
    assert_type(config.log_processor.by_epoch, bool)


def typed_construction() -> None:
    loop = IterBasedTrainLoop(max_iters=80000, val_interval=8000)
    assert_type(loop.max_iters, int)
    assert_type(SGD(lr=0.01).lr, float)
    assert_type(PolyLR(power=0.9).eta_min, float)
    assert_type(IoUMetric().iou_metrics, "Sequence[Literal['mIoU', 'mDice', 'mFscore']]")
