"""MMEngine's EarlyStoppingHook: stops training when a validation metric stops improving."""

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, model_validator

from typedseg.config.base import ConfigModel, Rules
from typedseg.config.hooks._shared import (
    CompareRule,
    Priority,
    TrainLoop,
    _Hook,
    metric_problem,
    rule_problem,
)
from typedseg.problems import Problem


class EarlyStoppingHook(ConfigModel, _Hook):
    """After each validation, stops training once `monitor` has not improved for `patience` validations."""

    type: Literal["EarlyStoppingHook"] = "EarlyStoppingHook"
    """MMEngine's registry name of this hook."""
    monitor: str
    """The validation metric to watch, as the evaluator names it (`mIoU`, or `prefix/mIoU`)."""
    rule: CompareRule | None = None
    """Whether a 'greater' or 'less' value is better; inferred from the metric name when left out."""
    min_delta: Annotated[float, Field(ge=0)] = 0.1
    """Smallest change that counts as improvement. MMEngine's code default 0.1 (its docstring says 0.01)."""
    strict: bool = False
    """Raise when `monitor` is missing from the metrics (MMEngine otherwise warns and skips)."""
    check_finite: bool = True
    """Stop when the metric becomes NaN or infinite."""
    patience: Annotated[int, Field(gt=0)] = 5
    """Validations without improvement before stopping."""
    stopping_threshold: float | None = None
    """Stop as soon as the metric reaches this value."""
    priority: Priority = "LOWEST"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is LOWEST (100)."""

    def check_run(self, loop: TrainLoop | None, metrics: Sequence[str] | None) -> list[Problem]:
        found = metric_problem(self.monitor, "monitor", metrics, ("monitor",))
        return [] if found is None else [found]

    @model_validator(mode="after")
    def _check(self) -> "EarlyStoppingHook":
        rules = Rules()
        found = rule_problem(self.monitor, self.rule)
        if found is not None:
            code, message, hint = found
            rules.add(code, ("monitor",) if code == "rule-not-inferable" else ("rule",), message, hint)
        rules.raise_if_any()
        return self
