"""Hooks: MMEngine's `default_hooks` (a typed record, one slot per default hook) and `custom_hooks`.

Every model carries MMEngine's class name as `type`, MMEngine's argument names and defaults, and a `priority`
whose default is that hook's MMEngine class priority. Where MMEngine would swallow a typo (`CheckpointHook`'s
`**kwargs`), ignore a setting, or fail hours into training, these models refuse at load time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.config.hooks._shared import EVENTS as EVENTS
    from typedseg.config.hooks._shared import GREATER_KEYS as GREATER_KEYS
    from typedseg.config.hooks._shared import LESS_KEYS as LESS_KEYS
    from typedseg.config.hooks._shared import PRIORITIES as PRIORITIES
    from typedseg.config.hooks._shared import BackendArgs as BackendArgs
    from typedseg.config.hooks._shared import CompareRule as CompareRule
    from typedseg.config.hooks._shared import Priority as Priority
    from typedseg.config.hooks._shared import PriorityName as PriorityName
    from typedseg.config.hooks._shared import UserHook as UserHook
    from typedseg.config.hooks._shared import _exact_rule as _exact_rule
    from typedseg.config.hooks._shared import _leaf as _leaf
    from typedseg.config.hooks._shared import _parse_priority as _parse_priority
    from typedseg.config.hooks._shared import did_you_mean as did_you_mean
    from typedseg.config.hooks._shared import infer_rule as infer_rule
    from typedseg.config.hooks._shared import priority_value as priority_value
    from typedseg.config.hooks._shared import rule_problem as rule_problem
    from typedseg.config.hooks._tagged import BuiltinHook as BuiltinHook
    from typedseg.config.hooks._tagged import CustomHookConfig as CustomHookConfig
    from typedseg.config.hooks._tagged import _TaggedHooks as _TaggedHooks
    from typedseg.config.hooks.default import CheckpointHook as CheckpointHook
    from typedseg.config.hooks.default import DefaultHooks as DefaultHooks
    from typedseg.config.hooks.default import DistSamplerSeedHook as DistSamplerSeedHook
    from typedseg.config.hooks.default import IterTimerHook as IterTimerHook
    from typedseg.config.hooks.default import LoggerHook as LoggerHook
    from typedseg.config.hooks.default import ParamSchedulerHook as ParamSchedulerHook
    from typedseg.config.hooks.default import RuntimeInfoHook as RuntimeInfoHook
    from typedseg.config.hooks.default import SegVisualizationHook as SegVisualizationHook
    from typedseg.config.hooks.default import _formats_step as _formats_step
    from typedseg.config.hooks.early_stopping import EarlyStoppingHook as EarlyStoppingHook
    from typedseg.config.hooks.ema import EMAHook as EMAHook
    from typedseg.config.hooks.ema import EMAType as EMAType
    from typedseg.config.hooks.empty_cache import EmptyCacheHook as EmptyCacheHook
    from typedseg.config.hooks.profiler import _SCHEDULE_KEYS as _SCHEDULE_KEYS
    from typedseg.config.hooks.profiler import _SCHEDULE_REQUIRED as _SCHEDULE_REQUIRED
    from typedseg.config.hooks.profiler import LogTrace as LogTrace
    from typedseg.config.hooks.profiler import ProfilerHook as ProfilerHook
    from typedseg.config.hooks.profiler import TbTrace as TbTrace
    from typedseg.config.hooks.profiler import TraceHandler as TraceHandler
    from typedseg.config.hooks.sync_buffers import SyncBuffersHook as SyncBuffersHook
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_shared": (
                "PriorityName",
                "PRIORITIES",
                "_parse_priority",
                "Priority",
                "priority_value",
                "EVENTS",
                "CompareRule",
                "GREATER_KEYS",
                "LESS_KEYS",
                "_leaf",
                "infer_rule",
                "_exact_rule",
                "rule_problem",
                "did_you_mean",
                "BackendArgs",
                "UserHook",
            ),
            "_tagged": (
                "BuiltinHook",
                "_TaggedHooks",
            ),
            "typedseg.config.unions": ("CustomHookConfig",),
            "default": (
                "RuntimeInfoHook",
                "IterTimerHook",
                "DistSamplerSeedHook",
                "LoggerHook",
                "ParamSchedulerHook",
                "CheckpointHook",
                "_formats_step",
                "SegVisualizationHook",
                "DefaultHooks",
            ),
            "early_stopping": ("EarlyStoppingHook",),
            "ema": (
                "EMAType",
                "EMAHook",
            ),
            "empty_cache": ("EmptyCacheHook",),
            "profiler": (
                "LogTrace",
                "TbTrace",
                "TraceHandler",
                "_SCHEDULE_KEYS",
                "_SCHEDULE_REQUIRED",
                "ProfilerHook",
            ),
            "sync_buffers": ("SyncBuffersHook",),
        },
    )
