"""MMEngine's cosine annealing schedulers: CosineAnnealingLR, CosineAnnealingMomentum, CosineAnnealingParamScheduler."""

from typing import Annotated, Literal

from pydantic import Field, PositiveInt

from typedseg.config.base import Rules
from typedseg.config.schedulers._base import _check_eta_min_pair, _Momentum, _Named, _Scheduler


class _CosineAnnealing(_Scheduler):
    T_max: PositiveInt | None = None
    """Half-period of the cosine, in steps. None: end - begin (so eta_min is approached but not reached in the
    window)."""
    eta_min: float | None = None
    """Final value, absolute for every param group. None with eta_min_ratio None: 0."""
    eta_min_ratio: Annotated[float, Field(ge=0.0)] | None = None
    """Final value as a ratio of each group's initial value; excludes eta_min."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        _check_eta_min_pair(rules, self.eta_min, self.eta_min_ratio, exactly_one=False)

    def absolute_eta_min(self) -> float | None:
        return self.eta_min


class CosineAnnealingLR(_CosineAnnealing):
    """Cosine decay of the lr: `lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2`."""

    type: Literal["CosineAnnealingLR"] = "CosineAnnealingLR"


class CosineAnnealingMomentum(_CosineAnnealing, _Momentum):
    """Cosine decay of the momentum: `m_t = eta_min + (m_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2`."""

    type: Literal["CosineAnnealingMomentum"] = "CosineAnnealingMomentum"


class CosineAnnealingParamScheduler(_CosineAnnealing, _Named):
    """Cosine decay of the value `param_name` to eta_min (see CosineAnnealingLR)."""

    type: Literal["CosineAnnealingParamScheduler"] = "CosineAnnealingParamScheduler"
