"""MMEngine's plateau schedulers: ReduceOnPlateauLR, ReduceOnPlateauMomentum, ReduceOnPlateauParamScheduler."""

from typing import Annotated, Literal

from pydantic import Field

from typedseg.config.base import Rules, Seq
from typedseg.config.schedulers._base import _Momentum, _Named, _Scheduler


class _ReduceOnPlateau(_Scheduler):
    monitor: str = "loss"
    """Validation metric to watch: a key the evaluator reports (MMEngine raises KeyError otherwise)."""
    rule: Literal["less", "greater"] = "less"
    """"less": reduce when the metric stops decreasing; "greater": when it stops increasing."""
    factor: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1
    """Multiplier applied on a plateau: `v = max(v * factor, min_value)`."""
    patience: Annotated[int, Field(ge=0)] = 10
    """Reduce after more than this many validations without improvement."""
    threshold: Annotated[float, Field(ge=0.0)] = 1e-4
    """Smallest change that counts as an improvement."""
    threshold_rule: Literal["rel", "abs"] = "rel"
    """Whether threshold is relative to the best value so far, or absolute."""
    cooldown: Annotated[int, Field(ge=0)] = 0
    """Validations to wait after a reduction before counting bad ones again."""
    min_value: float | Seq[float] = 0.0
    """Lower bound of the value (or one per param group)."""
    eps: Annotated[float, Field(ge=0.0)] = 1e-8
    """Reductions smaller than this are skipped."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if not self.by_epoch:
            rules.add(
                "plateau-needs-by-epoch",
                ("by_epoch",),
                "ReduceOnPlateau is stepped with the validation metrics, and MMEngine only supports it with "
                "by_epoch=True.",
                "Set by_epoch=True (under an IterBasedTrainLoop it still reacts at every validation).",
            )
        if self.convert_to_iter_based:
            rules.add(
                "plateau-no-convert",
                ("convert_to_iter_based",),
                "ReduceOnPlateau reacts to validations, not to steps: it cannot be converted to iterations "
                "(MMEngine has no conversion for it and fails).",
                "Remove convert_to_iter_based.",
            )

    def steps_on_validation(self) -> bool:
        return True

    def monitored_metric(self) -> str | None:
        return self.monitor


class ReduceOnPlateauLR(_ReduceOnPlateau):
    """Multiplies the lr by `factor` when the monitored validation metric stops improving."""

    type: Literal["ReduceOnPlateauLR"] = "ReduceOnPlateauLR"


class ReduceOnPlateauMomentum(_ReduceOnPlateau, _Momentum):
    """Multiplies the momentum by `factor` when the monitored validation metric stops improving."""

    type: Literal["ReduceOnPlateauMomentum"] = "ReduceOnPlateauMomentum"


class ReduceOnPlateauParamScheduler(_ReduceOnPlateau, _Named):
    """Multiplies the value `param_name` by `factor` when the monitored validation metric stops improving."""

    type: Literal["ReduceOnPlateauParamScheduler"] = "ReduceOnPlateauParamScheduler"
