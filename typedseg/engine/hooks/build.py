"""From hook configs to hooks: one builder, a `match` over the config classes (no registry)."""

from __future__ import annotations

from typing import TYPE_CHECKING, assert_never

from typedseg.config.hooks import (
    PRIORITIES,
    CheckpointHook,
    DefaultHooks,
    DistSamplerSeedHook,
    EarlyStoppingHook,
    EMAHook,
    EmptyCacheHook,
    IterTimerHook,
    LoggerHook,
    ParamSchedulerHook,
    ProfilerHook,
    RuntimeInfoHook,
    SegVisualizationHook,
    SyncBuffersHook,
    UserHook,
    priority_value,
)
from typedseg.config.hooks._shared import EVENTS
from typedseg.engine import hooks as engine_hooks
from typedseg.engine.errors import RunError
from typedseg.engine.hooks.base import Hooks, unknown_events

if TYPE_CHECKING:
    from typedseg.config.hooks import CustomHookConfig


def build_hook(cfg: CustomHookConfig, *, progress: bool | None = None) -> tuple[object, int] | None:
    """The hook a config describes and its priority; None for a hook that has nothing to do."""
    hook: object
    match cfg:
        case RuntimeInfoHook():
            hook = engine_hooks.RuntimeInfoHook()
        case IterTimerHook():
            hook = engine_hooks.IterTimerHook()
        case DistSamplerSeedHook():
            hook = engine_hooks.DistSamplerSeedHook()
        case LoggerHook():
            hook = engine_hooks.LoggerHook(cfg, progress=progress)
        case ParamSchedulerHook():
            hook = engine_hooks.ParamSchedulerHook()
        case CheckpointHook():
            hook = engine_hooks.CheckpointHook(cfg)
        case EMAHook():
            hook = engine_hooks.EMAHook(cfg)
        case EmptyCacheHook():
            hook = engine_hooks.EmptyCacheHook(cfg.before_epoch, cfg.after_epoch, cfg.after_iter)
        case SyncBuffersHook():
            hook = engine_hooks.SyncBuffersHook()
        case EarlyStoppingHook():
            hook = engine_hooks.EarlyStoppingHook(cfg)
        case ProfilerHook():
            hook = engine_hooks.ProfilerHook(cfg)
        case SegVisualizationHook():
            if not cfg.draw:
                return None  # MMSegmentation's default: the hook draws nothing
            from typedseg.engine.hooks.visualization import SegVisualizationHook as VisualizationHook

            hook = VisualizationHook(cfg)
        case UserHook():
            hook = _user_hook(cfg)
            explicit = "priority" in cfg.model_fields_set
            own = getattr(type(hook), "priority", None)
            if not explicit and isinstance(own, int):
                return hook, own  # the hook class's own priority (MMEngine's rule)
            if not explicit and isinstance(own, str) and own.upper() in PRIORITIES:
                return hook, PRIORITIES[own.upper()]
        case _:
            assert_never(cfg)
    return hook, priority_value(cfg.priority)


def _user_hook(cfg: UserHook) -> object:
    hook = cfg.build()
    typos = unknown_events(hook)
    if typos:
        from typedseg.config.hooks import did_you_mean

        hints = " ".join(f"{name}: {did_you_mean(name, EVENTS)}" for name in typos)
        raise RunError(
            "unknown-hook-event",
            f"{type(hook).__name__} (from {cfg.type}) has {', '.join(typos)}, which is no hook event: it would "
            "never be called.",
            hints,
        )
    return hook


def build_hooks(
    default: DefaultHooks, custom: tuple[CustomHookConfig, ...], *, progress: bool | None = None
) -> Hooks:
    """Default hooks first (MMEngine's slot order), then custom hooks, ordered by priority then registration."""
    hooks = Hooks()
    slots = (
        default.runtime_info,
        default.timer,
        default.sampler_seed,
        default.logger,
        default.param_scheduler,
        default.checkpoint,
        default.visualization,
    )
    for cfg in (*slots, *custom):
        if cfg is None:
            continue
        built = build_hook(cfg, progress=progress)
        if built is not None:
            hooks.add(*built)
    return hooks
