"""MMEngine's Constant schedulers: ConstantLR, ConstantMomentum and ConstantParamScheduler."""

from typing import Literal

from typedseg.config.base import Rules
from typedseg.config.schedulers._base import UnitInterval, _Momentum, _Named, _Scheduler


class _Constant(_Scheduler):
    factor: UnitInterval = 1.0 / 3
    """Multiplier applied at begin and undone at end - 1."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if self.factor == 0:
            rules.add(
                "constant-factor-zero",
                ("factor",),
                "factor=0 sets the value to 0, and MMEngine divides by the factor to restore it at end - 1 "
                "(ZeroDivisionError).",
                "Use a small positive factor such as 1e-6.",
            )


class ConstantLR(_Constant):
    """Multiplies the lr by `factor` from begin until end - 1, then restores it."""

    type: Literal["ConstantLR"] = "ConstantLR"


class ConstantMomentum(_Constant, _Momentum):
    """Multiplies the momentum by `factor` from begin until end - 1, then restores it."""

    type: Literal["ConstantMomentum"] = "ConstantMomentum"


class ConstantParamScheduler(_Constant, _Named):
    """Multiplies the value `param_name` by `factor` from begin until end - 1, then restores it."""

    type: Literal["ConstantParamScheduler"] = "ConstantParamScheduler"
