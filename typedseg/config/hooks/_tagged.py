"""The tagged union over every hook (`custom_hooks` entries): for type checkers and the JSON Schema."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import SerializeAsAny, Tag, WithJsonSchema

from typedseg.config.base import USER_JSON_SCHEMA, USER_TAG, discriminate, user_validator
from typedseg.config.hooks._shared import UserHook
from typedseg.config.hooks.default import (
    CheckpointHook,
    DistSamplerSeedHook,
    IterTimerHook,
    LoggerHook,
    ParamSchedulerHook,
    RuntimeInfoHook,
    SegVisualizationHook,
)
from typedseg.config.hooks.early_stopping import EarlyStoppingHook
from typedseg.config.hooks.ema import EMAHook
from typedseg.config.hooks.empty_cache import EmptyCacheHook
from typedseg.config.hooks.profiler import ProfilerHook
from typedseg.config.hooks.sync_buffers import SyncBuffersHook
from typedseg.config.lazy import tags_of

BuiltinHook = Union[
    RuntimeInfoHook,
    IterTimerHook,
    DistSamplerSeedHook,
    LoggerHook,
    ParamSchedulerHook,
    CheckpointHook,
    EMAHook,
    EmptyCacheHook,
    SyncBuffersHook,
    EarlyStoppingHook,
    ProfilerHook,
    SegVisualizationHook,
]


_TaggedHooks = Union[
    Annotated[RuntimeInfoHook, Tag("RuntimeInfoHook")],
    Annotated[IterTimerHook, Tag("IterTimerHook")],
    Annotated[DistSamplerSeedHook, Tag("DistSamplerSeedHook")],
    Annotated[LoggerHook, Tag("LoggerHook")],
    Annotated[ParamSchedulerHook, Tag("ParamSchedulerHook")],
    Annotated[CheckpointHook, Tag("CheckpointHook")],
    Annotated[EMAHook, Tag("EMAHook")],
    Annotated[EmptyCacheHook, Tag("EmptyCacheHook")],
    Annotated[SyncBuffersHook, Tag("SyncBuffersHook")],
    Annotated[EarlyStoppingHook, Tag("EarlyStoppingHook")],
    Annotated[ProfilerHook, Tag("ProfilerHook")],
    Annotated[SegVisualizationHook, Tag("SegVisualizationHook")],
    Annotated[
        SerializeAsAny[UserHook],
        user_validator(UserHook),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]
CustomHookConfig = Annotated[_TaggedHooks, discriminate(tags_of(_TaggedHooks))]
"""An entry of `custom_hooks`: a built-in hook by `type`, or a user's `UserHook` subclass (dotted `type`)."""
