"""What hooks share: priorities, events, metric-rule inference (save_best, early stopping); a user's base."""

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from typedseg.config.base import UserConfig
from typedseg.config.errors import suggest
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.problems import Path, Problem

TrainLoop = EpochBasedTrainLoop | IterBasedTrainLoop

PriorityName = Literal[
    "HIGHEST", "VERY_HIGH", "HIGH", "ABOVE_NORMAL", "NORMAL", "BELOW_NORMAL", "LOW", "VERY_LOW", "LOWEST"
]


PRIORITIES: dict[str, int] = {
    "HIGHEST": 0,
    "VERY_HIGH": 10,
    "HIGH": 30,
    "ABOVE_NORMAL": 40,
    "NORMAL": 50,
    "BELOW_NORMAL": 60,
    "LOW": 70,
    "VERY_LOW": 90,
    "LOWEST": 100,
}
"""MMEngine's named priority levels (`mmengine/runner/priority.py`): lower runs first."""


def _parse_priority(value: Any) -> Any:
    """Upper-cases names (YAML may say `very_high`); a bad value gets one error, not one per union member."""
    if isinstance(value, str) and value.upper() in PRIORITIES:
        return value.upper()
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
        return value
    guess = suggest(value.upper(), PRIORITIES) if isinstance(value, str) else None
    raise PydanticCustomError(
        "invalid_priority",
        "a priority is an int from 0 (runs first) to 100 (runs last) or one of {names}{guess}",
        {"names": ", ".join(PRIORITIES), "guess": f" (did you mean '{guess}'?)" if guess else ""},
    )


Priority = Annotated[
    Union[PriorityName, Annotated[int, Field(ge=0, le=100)]], BeforeValidator(_parse_priority)
]
"""A named level (any case in YAML: `very_high`) or an int from 0 (runs first) to 100 (runs last)."""


def priority_value(priority: PriorityName | int) -> int:
    """The number a priority stands for: `"VERY_HIGH"` -> 10, `42` -> 42."""
    return priority if isinstance(priority, int) else PRIORITIES[priority.upper()]


EVENTS: tuple[str, ...] = (
    "before_run",
    "after_load_checkpoint",
    "before_train",
    "before_train_epoch",
    "before_train_iter",
    "after_train_iter",
    "after_train_epoch",
    "before_val",
    "before_val_epoch",
    "before_val_iter",
    "after_val_iter",
    "after_val_epoch",
    "after_val",
    "before_save_checkpoint",
    "after_train",
    "before_test",
    "before_test_epoch",
    "before_test_iter",
    "after_test_iter",
    "after_test_epoch",
    "after_test",
    "after_run",
)
"""MMEngine's 22 hook stages, in the order a run reaches them; a user hook method must be named after one."""


CompareRule = Literal["greater", "less"]


GREATER_KEYS: tuple[str, ...] = (
    "acc",
    "top",
    "AR@",
    "auc",
    "precision",
    "mAP",
    "mDice",
    "mIoU",
    "mAcc",
    "aAcc",
)
"""Metric names containing one of these (case-insensitive) are better when higher (MMEngine's default)."""


LESS_KEYS: tuple[str, ...] = ("loss",)
"""Metric names containing one of these (case-insensitive) are better when lower (MMEngine's default)."""


def _leaf(metric: str) -> str:
    return metric.rsplit("/", 1)[-1].lower()


def infer_rule(
    metric: str, greater_keys: Sequence[str] = GREATER_KEYS, less_keys: Sequence[str] = LESS_KEYS
) -> CompareRule | None:
    """Whether a higher or lower `metric` is better, as MMEngine infers it; None when it cannot tell.

    An exact name wins over a substring (EarlyStoppingHook's order; CheckpointHook agrees but for contrived
    keys), then a greater-key substring over a less-key one: `val/mIoU` -> greater, `val_loss` -> less.
    """
    exact = _exact_rule(metric, greater_keys, less_keys)
    if exact is not None:
        return exact
    name = metric.lower()
    if any(key.lower() in name for key in greater_keys):
        return "greater"
    if any(key.lower() in name for key in less_keys):
        return "less"
    return None


def _exact_rule(metric: str, greater_keys: Sequence[str], less_keys: Sequence[str]) -> CompareRule | None:
    leaf = _leaf(metric)
    if leaf in {key.lower() for key in greater_keys}:
        return "greater"
    if leaf in {key.lower() for key in less_keys}:
        return "less"
    return None


def rule_problem(
    metric: str,
    rule: CompareRule | None,
    greater_keys: Sequence[str] = GREATER_KEYS,
    less_keys: Sequence[str] = LESS_KEYS,
) -> tuple[str, str, str] | None:
    """`(code, message, hint)` when `rule` cannot rank `metric`, else None.

    No rule and nothing to infer from is MMEngine's ValueError (for CheckpointHook, at the first save). An
    explicit rule is refused only against a metric known by its exact name (`mIoU`, `aAcc`, `loss`): a
    substring guess may be wrong (`stop_loss` contains `top`), and fixing a wrong guess is what `rule` is for.
    """
    if rule is None:
        if infer_rule(metric, greater_keys, less_keys) is not None:
            return None
        return (
            "rule-not-inferable",
            f"cannot tell whether a higher or a lower '{metric}' is better: its name contains none of "
            f"{', '.join(greater_keys)} (higher is better) nor {', '.join(less_keys)} (lower is better).",
            "Set rule='greater' (higher is better) or rule='less' (lower is better).",
        )
    known = _exact_rule(metric, greater_keys, less_keys)
    if known is None or known == rule:
        return None
    better = {"greater": "higher", "less": "lower"}
    return (
        "rule-contradicts-metric",
        f"rule='{rule}' ranks a {better[rule]} '{metric}' as better; a {better[known]} '{metric}' is better.",
        f"Use rule='{known}', or leave rule out: it is inferred from the metric name.",
    )


def did_you_mean(name: str, choices: Sequence[str]) -> str:
    """A hint naming the closest choice (case-insensitive), or listing them all."""
    lowered = {choice.lower(): choice for choice in choices}
    guess = suggest(name.lower(), lowered)
    if guess is not None:
        return f"Did you mean '{lowered[guess]}'?"
    return f"Use one of: {', '.join(choices)}." if choices else ""


BackendArgs = dict[str, str]
"""Arguments for MMEngine's file backend (`{'backend': 'local'}`, a petrel/S3 config, ...)."""


class _Hook:
    """What the hook rules ask of any built-in hook (a mixin: it defines no fields).

    The rules ask through these methods, never "is this an EMAHook?", so checking a config imports only the hooks
    it names. A kind answers for itself in its own module.
    """

    def second_copy(self) -> str | None:
        """What a second copy of this hook in one run would do wrong; None: it may repeat (EarlyStoppingHook, one
        per metric; EmptyCacheHook, one per stage)."""
        return None

    def check_run(self, loop: TrainLoop | None, metrics: Sequence[str] | None) -> list[Problem]:
        """Problems between this hook and the train loop (None: no training) or the validation metrics (None: no
        evaluator), with paths below the hook."""
        return []


def metric_problem(metric: str, setting: str, metrics: Sequence[str] | None, path: Path) -> Problem | None:
    """`setting=metric` must name a validation metric the evaluator produces (None: there is no evaluator)."""
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


class UserHook(UserConfig):
    """Base for a user's own hook config: subclass it, add fields, and implement `build()` for the engine."""

    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first)."""
