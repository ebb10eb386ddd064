"""The engine's hooks: MMEngine's events and default hooks, each receiving the run's typed `RunState`."""

from typedseg.config.hooks._shared import EVENTS
from typedseg.engine.hooks.base import Hook, Hooks
from typedseg.engine.hooks.checkpoint import CheckpointHook
from typedseg.engine.hooks.ema import EMAHook
from typedseg.engine.hooks.extras import EarlyStoppingHook, EmptyCacheHook, SyncBuffersHook
from typedseg.engine.hooks.logger import LoggerHook
from typedseg.engine.hooks.profiler import ProfilerHook
from typedseg.engine.hooks.runtime import (
    DistSamplerSeedHook,
    IterTimerHook,
    ParamSchedulerHook,
    RuntimeInfoHook,
)

__all__ = [
    "EVENTS",
    "CheckpointHook",
    "DistSamplerSeedHook",
    "EMAHook",
    "EarlyStoppingHook",
    "EmptyCacheHook",
    "Hook",
    "Hooks",
    "IterTimerHook",
    "LoggerHook",
    "ParamSchedulerHook",
    "ProfilerHook",
    "RuntimeInfoHook",
    "SyncBuffersHook",
]
