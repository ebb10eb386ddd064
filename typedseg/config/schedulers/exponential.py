"""MMEngine's Exponential schedulers: ExponentialLR, ExponentialMomentum and ExponentialParamScheduler."""

from typing import Literal

from typedseg.config.schedulers._base import _Momentum, _Named, _Scheduler


class _Exponential(_Scheduler):
    gamma: float
    """Multiplier applied every step: `v_t = v_0 * gamma**t`."""


class ExponentialLR(_Exponential):
    """Multiplies the lr by gamma every step: `lr_t = lr_0 * gamma**t`."""

    type: Literal["ExponentialLR"] = "ExponentialLR"


class ExponentialMomentum(_Exponential, _Momentum):
    """Multiplies the momentum by gamma every step: `m_t = m_0 * gamma**t`."""

    type: Literal["ExponentialMomentum"] = "ExponentialMomentum"


class ExponentialParamScheduler(_Exponential, _Named):
    """Multiplies the value `param_name` by gamma every step: `v_t = v_0 * gamma**t`."""

    type: Literal["ExponentialParamScheduler"] = "ExponentialParamScheduler"
