"""Hooks against the train loop and the evaluator: what MMEngine gets wrong silently or hours into a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from typedseg.config.hooks._shared import TrainLoop, _Hook, metric_problem
from typedseg.config.hooks.default import CheckpointHook, DefaultHooks, LoggerHook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.problems import Path, Problem, format_path

if TYPE_CHECKING:
    from typedseg.config.hooks import CustomHookConfig


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
        elif isinstance(hook, _Hook):  # the other hooks check themselves, in their own modules
            problems += [problem.under(path) for problem in hook.check_run(train_cfg, metrics)]
    return problems


def _duplicates(hooks: list[tuple[Path, object]]) -> list[Problem]:
    first: dict[str, Path] = {}
    problems = []
    for path, hook in hooks:
        # only our hooks answer (a user's hook may reuse a name: it is not one of ours)
        effect = hook.second_copy() if isinstance(hook, _Hook) else None
        if effect is None:
            continue
        kind = str(getattr(hook, "type", ""))
        if kind not in first:
            first[kind] = path
            continue
        where = format_path(first[kind])
        slot = where if where.startswith("default_hooks.") else ""
        problems.append(
            Problem(
                "duplicate-hook",
                path,
                f"a second {kind}: {where} already adds one, and {effect}.",
                f"Configure {slot} instead of adding another." if slot else "Keep only one of them.",
            )
        )
    return problems


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
        found = metric_problem(metric, "save_best", metrics, (*path, *hook.best_path(index)))
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
