"""MMEngine's OneCycle schedulers: OneCycleLR and OneCycleParamScheduler (there is no momentum variant)."""

from typing import Annotated, Literal

from pydantic import Field, PositiveInt

from typedseg.config.base import Rules, Seq
from typedseg.config.schedulers._base import UnitInterval, _Named, _Scheduler


class _OneCycle(_Scheduler):
    eta_max: float | Seq[float] = 0.0
    """Peak value, absolute (or one per param group). OneCycle ignores the optimizer's value: it starts at
    eta_max / div_factor."""
    total_steps: PositiveInt | None = None
    """Length of the cycle in steps. None: end - begin. MMEngine raises if stepped past it."""
    pct_start: UnitInterval = 0.3
    """Fraction of the cycle spent rising to eta_max."""
    anneal_strategy: Literal["cos", "linear"] = "cos"
    """Shape of the rise and the fall."""
    div_factor: Annotated[float, Field(gt=0.0)] = 25.0
    """Start value = eta_max / div_factor."""
    final_div_factor: Annotated[float, Field(gt=0.0)] = 1e4
    """Final value = start value / final_div_factor."""
    three_phase: bool = False
    """Rise, fall back to the start value, then anneal to the final value (the original paper's shape)."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        peaks = (self.eta_max,) if isinstance(self.eta_max, (int, float)) else self.eta_max
        if any(peak <= 0 for peak in peaks):
            rules.add(
                "onecycle-eta-max",
                ("eta_max",),
                f"eta_max must be positive; got {self.eta_max}. OneCycle ignores the optimizer's lr and "
                "schedules from eta_max alone, so eta_max=0 (MMEngine's default) trains with lr 0.",
                "Set eta_max to the peak learning rate, e.g. eta_max=0.01.",
            )

    def total_steps_limit(self) -> int | None:
        return self.total_steps


class OneCycleLR(_OneCycle):
    """The 1cycle policy: the lr rises from eta_max/div_factor to eta_max, then anneals far below that."""

    type: Literal["OneCycleLR"] = "OneCycleLR"


class OneCycleParamScheduler(_OneCycle, _Named):
    """The 1cycle policy under its generic name; MMEngine only supports it for param_name="lr"."""

    type: Literal["OneCycleParamScheduler"] = "OneCycleParamScheduler"

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if self.param_name != "lr":
            rules.add(
                "onecycle-param-name",
                ("param_name",),
                f"OneCycle only schedules the lr; got param_name={self.param_name!r} "
                "(MMEngine asserts this).",
                'Use param_name="lr" (or OneCycleLR), or another scheduler family for this value.',
            )
