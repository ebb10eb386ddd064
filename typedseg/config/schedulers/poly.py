"""MMEngine's Poly schedulers (PolyLR, PolyMomentum, PolyParamScheduler) and MMSegmentation's PolyLRRatio."""

from typing import Annotated, Literal

from pydantic import Field

from typedseg.config.base import Rules
from typedseg.config.schedulers._base import _check_eta_min_pair, _Momentum, _Named, _Scheduler


class _Poly(_Scheduler):
    eta_min: float = 0.0
    """Final value, reached at end - 1. Absolute: the same for every param group (PolyLRRatio has a ratio)."""
    power: float = 1.0
    """Power of the polynomial: `v_t = (v_0 - eta_min) * (1 - t/T)**power + eta_min`, T = end - begin - 1."""

    def absolute_eta_min(self) -> float | None:
        return self.eta_min

    def decays_to_eta_min(self) -> bool:
        return True


class PolyLR(_Poly):
    """Polynomial decay of the lr to eta_min: `lr_t = (lr_0 - eta_min) * (1 - t/T)**power + eta_min`."""

    type: Literal["PolyLR"] = "PolyLR"


class PolyLRRatio(_Poly):
    """MMSegmentation's PolyLR whose final lr can be a ratio of each param group's initial lr."""

    type: Literal["PolyLRRatio"] = "PolyLRRatio"
    eta_min_ratio: Annotated[float, Field(ge=0.0)] | None = None
    """Final lr as a ratio of each group's initial lr (keeps lr_mult ratios); when set, eta_min is unused."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        # eta_min's default (0.0) stands for "not set": a resolved dump writes it, and must load back.
        eta_min = self.eta_min if self.eta_min != 0.0 else None
        _check_eta_min_pair(rules, eta_min, self.eta_min_ratio, exactly_one=False)

    def absolute_eta_min(self) -> float | None:
        return None if self.eta_min_ratio is not None else self.eta_min


class PolyMomentum(_Poly, _Momentum):
    """Polynomial decay of the momentum to eta_min: `m_t = (m_0 - eta_min) * (1 - t/T)**power + eta_min`."""

    type: Literal["PolyMomentum"] = "PolyMomentum"


class PolyParamScheduler(_Poly, _Named):
    """Polynomial decay of the value `param_name` to eta_min (see PolyLR)."""

    type: Literal["PolyParamScheduler"] = "PolyParamScheduler"
