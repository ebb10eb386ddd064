"""Hooks against the train loop and the evaluator: what MMEngine gets wrong silently or hours into a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from typedseg.config.base import UserConfig
from typedseg.config.hooks._shared import did_you_mean
from typedseg.config.hooks.default import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.lazy import when_loaded
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.problems import Path, Problem, format_path

if TYPE_CHECKING:
    from typedseg.config.hooks import CustomHookConfig
    from typedseg.config.hooks.early_stopping import EarlyStoppingHook
    from typedseg.config.hooks.ema import EMAHook
    from typedseg.config.hooks.profiler import ProfilerHook
else:  # hooks a config does not use are never imported to check it
    EarlyStoppingHook = when_loaded("typedseg.config.hooks.early_stopping", "EarlyStoppingHook")
    EMAHook = when_loaded("typedseg.config.hooks.ema", "EMAHook")
    ProfilerHook = when_loaded("typedseg.config.hooks.profiler", "ProfilerHook")

TrainLoop = EpochBasedTrainLoop | IterBasedTrainLoop

_TWICE: dict[str, str] = {
    "RuntimeInfoHook": "the run state would be published twice",
    "IterTimerHook": "every iteration would be timed twice",
    "DistSamplerSeedHook": "the sampler would be reseeded twice",
    "LoggerHook": "every log line would be written twice",
    "ParamSchedulerHook": "every scheduler would be stepped twice per step: the lr would change twice as fast",
    "CheckpointHook": "both would save checkpoints, write last_checkpoint and delete each other's old files",
    "EMAHook": "two averages would swap their weights in and out of the model around each validation",
    "ProfilerHook": "two profilers cannot run at once",
    "SyncBuffersHook": "buffers would be synchronised twice",
    "SegVisualizationHook": "every drawing would be made twice",
}
"""Built-in hooks that must run once, and what a second copy would do. EarlyStoppingHook (one per metric) and
EmptyCacheHook (one per stage) may legitimately repeat."""


def check_hooks(
    default_hooks: DefaultHooks,
    custom_hooks: Sequence[CustomHookConfig],
    train_cfg: TrainLoop | None,
    *,
    metrics: Sequence[str] | None,
) -> list[Problem]:
    """Every problem between the hooks, the train loop and the validation metrics (None: no evaluator).

    Paths start at the experiment root: `("default_hooks", "checkpoint", "by_epoch")`, `("custom_hooks", 2)`.
    """
    hooks: list[tuple[Path, object]] = [
        (("default_hooks", name), getattr(default_hooks, name)) for name in DefaultHooks.model_fields
    ]
    hooks = [(path, hook) for path, hook in hooks if hook is not None]
    hooks += [(("custom_hooks", index), hook) for index, hook in enumerate(custom_hooks)]

    problems = _duplicates(hooks)
    for path, hook in hooks:
        if isinstance(hook, CheckpointHook):
            problems += _checkpoint(hook, train_cfg, metrics, path)
        elif isinstance(hook, LoggerHook):
            problems += _logger(hook, train_cfg, metrics, path)
        elif isinstance(hook, EMAHook):
            problems += _ema(hook, train_cfg, path)
        elif isinstance(hook, EarlyStoppingHook):
            problems += _early_stopping(hook, metrics, path)
        elif isinstance(hook, ProfilerHook):
            problems += _profiler(hook, train_cfg, path)
    return problems


def _duplicates(hooks: list[tuple[Path, object]]) -> list[Problem]:
    first: dict[str, Path] = {}
    problems = []
    for path, hook in hooks:
        # a built-in hook's type (a user's hook may reuse a name: it is not one of ours)
        kind = "" if isinstance(hook, UserConfig) else str(getattr(hook, "type", ""))
        if kind not in _TWICE:
            continue
        if kind not in first:
            first[kind] = path
            continue
        where = format_path(first[kind])
        slot = where if where.startswith("default_hooks.") else ""
        problems.append(
            Problem(
                "duplicate-hook",
                path,
                f"a second {kind}: {where} already adds one, and {_TWICE[kind]}.",
                f"Configure {slot} instead of adding another." if slot else "Keep only one of them.",
            )
        )
    return problems


def _metric_problem(metric: str, setting: str, metrics: Sequence[str] | None, path: Path) -> Problem | None:
    """`setting=metric` must name a validation metric the evaluator produces."""
    if metrics is None:
        return Problem(
            "no-evaluator",
            path,
            f"{setting}='{metric}' needs validation metrics, but no val_evaluator is configured.",
            f"Configure val_dataloader, val_cfg and val_evaluator, or remove {setting}.",
        )
    if metric == "auto" and setting == "save_best":
        if metrics:
            return None
        return Problem(
            "unknown-metric",
            path,
            "save_best='auto' keeps the best of the first validation metric; the evaluator produces none.",
            "Configure a metric that computes values (format_only=False), or remove save_best.",
        )
    if metric in metrics:
        return None
    produced = f"it produces {', '.join(metrics)}" if metrics else "it produces none"
    return Problem(
        "unknown-metric",
        path,
        f"{setting}='{metric}' is not a metric the evaluator produces ({produced}).",
        did_you_mean(metric, metrics),
    )


def _checkpoint(
    hook: CheckpointHook, loop: TrainLoop | None, metrics: Sequence[str] | None, path: Path
) -> list[Problem]:
    problems: list[Problem] = []
    # by_epoch matters only when something is saved on the way; a final save is the same either way.
    if isinstance(loop, IterBasedTrainLoop) and hook.by_epoch and (hook.interval > 0 or hook.best_metrics):
        if hook.interval > 0:
            what = f"interval={hook.interval} would save only once, at the end"
        else:
            what = "every best checkpoint would be named after epoch 0, not its iteration"
        problems.append(
            Problem(
                "hook-by-epoch-mismatch",
                (*path, "by_epoch"),
                f"CheckpointHook counts epochs (by_epoch=True), but IterBasedTrainLoop runs its "
                f"{loop.max_iters} iterations as one epoch: {what}.",
                "Set by_epoch=False and give interval in iterations "
                f"(e.g. interval={max(loop.max_iters // 10, 1)}).",
            )
        )
    if loop is not None and hook.by_epoch == loop.by_epoch and hook.interval > 0:
        if hook.interval > loop.length:
            last = " other than the last (save_last)" if hook.save_last else ""
            problems.append(
                Problem(
                    "interval-exceeds-run",
                    (*path, "interval"),
                    f"interval={hook.interval} {loop.unit} is longer than the whole run "
                    f"({loop.length} {loop.unit}): no checkpoint{last} would be saved.",
                    f"Use an interval of at most {loop.length}.",
                )
            )
        if hook.save_begin > loop.length:
            problems.append(
                Problem(
                    "starts-after-run",
                    (*path, "save_begin"),
                    f"save_begin={hook.save_begin} is after the end of the run ({loop.length} {loop.unit}): "
                    "no periodic checkpoint would be saved.",
                    f"Use a save_begin of at most {loop.length}.",
                )
            )
    for index, metric in enumerate(hook.best_metrics):
        found = _metric_problem(metric, "save_best", metrics, (*path, *hook.best_path(index)))
        if found is not None:
            problems.append(found)
        elif metric == "auto" and metrics:
            ranked = hook.rank_problem(index, metrics[0])
            if ranked is not None:
                message = f"save_best='auto' is '{metrics[0]}': {ranked.message}"
                problems.append(replace(ranked, message=message).under(path))
    return problems


def _logger(
    hook: LoggerHook, loop: TrainLoop | None, metrics: Sequence[str] | None, path: Path
) -> list[Problem]:
    problems: list[Problem] = []
    if not isinstance(loop, IterBasedTrainLoop):
        return problems
    if hook.log_metric_by_epoch and metrics is not None:
        problems.append(
            Problem(
                "hook-by-epoch-mismatch",
                (*path, "log_metric_by_epoch"),
                "LoggerHook logs validation metrics at the epoch number (log_metric_by_epoch=True), but "
                f"IterBasedTrainLoop runs its {loop.max_iters} iterations as one epoch: every validation "
                "would be logged at step 0.",
                "Set log_metric_by_epoch=False.",
            )
        )
    if hook.interval > loop.max_iters:
        problems.append(
            Problem(
                "interval-exceeds-run",
                (*path, "interval"),
                f"interval={hook.interval} iterations is longer than the whole run "
                f"({loop.max_iters} iterations): no training log would be written.",
                f"Use an interval of at most {loop.max_iters}, e.g. 50.",
            )
        )
    return problems


def _ema(hook: EMAHook, loop: TrainLoop | None, path: Path) -> list[Problem]:
    if loop is None:
        return []
    if hook.begin_epoch and isinstance(loop, IterBasedTrainLoop):
        return [
            Problem(
                "hook-by-epoch-mismatch",
                (*path, "begin_epoch"),
                f"begin_epoch={hook.begin_epoch} counts epochs, but IterBasedTrainLoop runs its "
                f"{loop.max_iters} iterations as one epoch.",
                "Use begin_iter to start averaging at an iteration.",
            )
        ]
    begin, name = (hook.begin_epoch, "begin_epoch") if hook.begin_epoch else (hook.begin_iter, "begin_iter")
    counts_like_loop = name == "begin_epoch" or not loop.by_epoch
    if counts_like_loop and begin > loop.length:
        return [
            Problem(
                "starts-after-run",
                (*path, name),
                f"{name}={begin} is after the end of the run ({loop.length} {loop.unit}): "
                "the model would never be averaged.",
                f"Use a {name} below {loop.length}.",
            )
        ]
    return []


def _early_stopping(hook: EarlyStoppingHook, metrics: Sequence[str] | None, path: Path) -> list[Problem]:
    found = _metric_problem(hook.monitor, "monitor", metrics, (*path, "monitor"))
    return [] if found is None else [found]


def _profiler(hook: ProfilerHook, loop: TrainLoop | None, path: Path) -> list[Problem]:
    if loop is None:
        return []
    if hook.by_epoch and isinstance(loop, IterBasedTrainLoop):
        return [
            Problem(
                "hook-by-epoch-mismatch",
                (*path, "by_epoch"),
                f"ProfilerHook profiles whole epochs (by_epoch=True), but IterBasedTrainLoop runs its "
                f"{loop.max_iters} iterations as one epoch: all of them would be profiled.",
                "Set by_epoch=False and profile_times to the number of iterations to profile (e.g. 10).",
            )
        ]
    if hook.by_epoch == loop.by_epoch and hook.profile_times > loop.length:
        return [
            Problem(
                "profile-exceeds-run",
                (*path, "profile_times"),
                f"profile_times={hook.profile_times} is more than the whole run ({loop.length} {loop.unit}).",
                f"Use a profile_times of at most {loop.length}.",
            )
        ]
    return []
