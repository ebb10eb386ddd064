"""MMEngine's CosineRestart schedulers: CosineRestartLR, CosineRestartMomentum and CosineRestartParamScheduler."""

from typing import Annotated, Literal

from pydantic import Field, PositiveInt

from typedseg.config.base import Rules, Seq
from typedseg.config.schedulers._base import _check_eta_min_pair, _Momentum, _Named, _Scheduler


class _CosineRestart(_Scheduler):
    periods: Seq[PositiveInt]
    """Length of each cosine cycle, in steps; after their sum the value is held."""
    restart_weights: Seq[float] = (1.0,)
    """At each restart the value jumps to initial value * weight; one weight per period."""
    eta_min: float | None = None
    """Value each cycle anneals to, absolute for every param group. Exactly one of eta_min/eta_min_ratio."""
    eta_min_ratio: Annotated[float, Field(ge=0.0)] | None = None
    """Value each cycle anneals to, as a ratio of each group's initial value. Excludes eta_min."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        _check_eta_min_pair(rules, self.eta_min, self.eta_min_ratio, exactly_one=True)
        if len(self.restart_weights) != len(self.periods):
            rules.add(
                "restart-weights-length",
                ("restart_weights",),
                f"restart_weights has {len(self.restart_weights)} entries but periods has "
                f"{len(self.periods)}; MMEngine needs one weight per period.",
                f"Give {len(self.periods)} weights, e.g. restart_weights={[1.0] * len(self.periods)}.",
            )

    def absolute_eta_min(self) -> float | None:
        return self.eta_min


class CosineRestartLR(_CosineRestart):
    """Cosine decay of the lr in cycles of `periods` steps, restarting at initial lr * weight (SGDR)."""

    type: Literal["CosineRestartLR"] = "CosineRestartLR"


class CosineRestartMomentum(_CosineRestart, _Momentum):
    """Cosine decay of the momentum in cycles of `periods` steps, restarting at initial value * weight."""

    type: Literal["CosineRestartMomentum"] = "CosineRestartMomentum"


class CosineRestartParamScheduler(_CosineRestart, _Named):
    """Cosine decay of the value `param_name` in cycles of `periods` steps, with weighted restarts."""

    type: Literal["CosineRestartParamScheduler"] = "CosineRestartParamScheduler"
