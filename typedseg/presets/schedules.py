"""MMSegmentation's `_base_/schedules/schedule_{20,40,80,160,320}k.py`, as functions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from typedseg.config.hooks import (
    CheckpointHook,
    DefaultHooks,
    DistSamplerSeedHook,
    IterTimerHook,
    LoggerHook,
    ParamSchedulerHook,
    SegVisualizationHook,
)
from typedseg.config.loops import IterBasedTrainLoop, TestLoop, ValLoop
from typedseg.config.optim import OptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.schedulers import PolyLR, SchedulerConfig
from typedseg.presets.sections import section_kwargs


@dataclass(frozen=True)
class ScheduleSections:
    """The schedule sections of an experiment; pass them on with `Experiment(**sections.as_kwargs(), ...)`.

    `as_kwargs(optim_wrapper=..., param_scheduler=...)` uses yours instead of the schedule's (see `section_kwargs`).
    """

    optim_wrapper: OptimWrapper
    param_scheduler: Sequence[SchedulerConfig]
    train_cfg: IterBasedTrainLoop
    val_cfg: ValLoop
    test_cfg: TestLoop
    default_hooks: DefaultHooks

    def as_kwargs(self, **yours: Any) -> dict[str, Any]:
        """Every section as `Experiment` keyword arguments; the sections in `yours` replace the schedule's."""
        return section_kwargs(self, yours)


def iter_schedule(max_iters: int, checkpoint_interval: int | None = None) -> ScheduleSections:
    """SGD (lr 0.01, momentum 0.9, wd 5e-4), poly decay to 1e-4 over `max_iters`, validate and save every tenth."""
    interval = checkpoint_interval or max_iters // 10
    return ScheduleSections(
        optim_wrapper=OptimWrapper(
            optimizer=SGD(lr=0.01, momentum=0.9, weight_decay=0.0005),
            clip_grad=None,
        ),
        param_scheduler=[PolyLR(eta_min=1e-4, power=0.9, begin=0, end=max_iters, by_epoch=False)],
        train_cfg=IterBasedTrainLoop(max_iters=max_iters, val_interval=interval),
        val_cfg=ValLoop(),
        test_cfg=TestLoop(),
        default_hooks=DefaultHooks(
            timer=IterTimerHook(),
            logger=LoggerHook(interval=50, log_metric_by_epoch=False),
            param_scheduler=ParamSchedulerHook(),
            checkpoint=CheckpointHook(by_epoch=False, interval=interval),
            sampler_seed=DistSamplerSeedHook(),
            visualization=SegVisualizationHook(),
        ),
    )


def schedule_20k() -> ScheduleSections:
    return iter_schedule(20000)


def schedule_40k() -> ScheduleSections:
    return iter_schedule(40000)


def schedule_80k() -> ScheduleSections:
    return iter_schedule(80000)


def schedule_160k() -> ScheduleSections:
    return iter_schedule(160000)


def schedule_320k() -> ScheduleSections:
    return iter_schedule(320000)
