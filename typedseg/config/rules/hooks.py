"""Hooks against the train loop and the evaluator: what MMEngine gets wrong silently or hours into a run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from typedseg.config.hooks._shared import TrainLoop, _Hook
from typedseg.config.hooks.default import DefaultHooks
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
        if isinstance(hook, _Hook):  # each hook checks itself against the run, in its own module
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
