"""MMEngine's Step schedulers: StepLR, StepMomentum and StepParamScheduler."""

from typing import Literal

from pydantic import PositiveInt

from typedseg.config.schedulers._base import _Momentum, _Named, _Scheduler


class _Step(_Scheduler):
    step_size: PositiveInt
    """Multiply by gamma every this many steps (counted from begin)."""
    gamma: float = 0.1
    """Multiplier applied every step_size steps."""


class StepLR(_Step):
    """Multiplies the lr by gamma every step_size steps: `lr_t = lr_0 * gamma**(t // step_size)`."""

    type: Literal["StepLR"] = "StepLR"


class StepMomentum(_Step, _Momentum):
    """Multiplies the momentum by gamma every step_size steps: `m_t = m_0 * gamma**(t // step_size)`."""

    type: Literal["StepMomentum"] = "StepMomentum"


class StepParamScheduler(_Step, _Named):
    """Multiplies the value `param_name` by gamma every step_size steps."""

    type: Literal["StepParamScheduler"] = "StepParamScheduler"
