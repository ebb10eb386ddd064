"""MMEngine's Linear schedulers: LinearLR, LinearMomentum and LinearParamScheduler."""

from typing import Literal

from typedseg.config.base import Rules
from typedseg.config.schedulers._base import UnitInterval, _Momentum, _Named, _Scheduler


class _Linear(_Scheduler):
    start_factor: UnitInterval = 1.0 / 3
    """Multiplier at begin, in (0, 1]; it moves linearly to end_factor, reached at end - 1."""
    end_factor: UnitInterval = 1.0
    """Multiplier reached at end - 1, in [0, 1]: a linear schedule cannot go above the optimizer's value."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if self.start_factor == 0:
            rules.add(
                "linear-start-factor-zero",
                ("start_factor",),
                "start_factor=0 makes MMEngine divide by zero on the second step: its chained update cannot "
                "leave a value of 0.",
                "Use a tiny positive start, e.g. start_factor=1e-6 (as MMSegmentation's warm-ups do).",
            )


class LinearLR(_Linear):
    """Scales the lr by a factor moving linearly from start_factor to end_factor: the usual warm-up."""

    type: Literal["LinearLR"] = "LinearLR"


class LinearMomentum(_Linear, _Momentum):
    """Scales the momentum by a factor moving linearly from start_factor to end_factor."""

    type: Literal["LinearMomentum"] = "LinearMomentum"


class LinearParamScheduler(_Linear, _Named):
    """Scales the value `param_name` by a factor moving linearly from start_factor to end_factor."""

    type: Literal["LinearParamScheduler"] = "LinearParamScheduler"
