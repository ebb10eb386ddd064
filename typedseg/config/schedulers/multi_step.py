"""MMEngine's MultiStep schedulers: MultiStepLR, MultiStepMomentum and MultiStepParamScheduler."""

from itertools import pairwise
from typing import Literal

from typedseg.config.base import Rules, Seq
from typedseg.config.schedulers._base import _Momentum, _Named, _Scheduler


class _MultiStep(_Scheduler):
    milestones: Seq[int]
    """Steps, counted from begin, at which the value is multiplied by gamma."""
    gamma: float = 0.1
    """Multiplier applied at each milestone."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        for index, milestone in enumerate(self.milestones):
            if milestone < 0:
                rules.add(
                    "milestone-negative",
                    ("milestones", index),
                    f"milestone {milestone} is negative: milestones count steps from begin, "
                    "so it never fires.",
                    "Use milestones of 0 or more, counted from begin.",
                )
        if any(b <= a for a, b in pairwise(self.milestones)):
            rules.add(
                "milestones-not-increasing",
                ("milestones",),
                f"milestones must increase; got {list(self.milestones)}.",
                "List them in increasing order. A repeated milestone applies gamma twice in MMEngine: "
                "write gamma**2 instead if that is what you want.",
            )

    def milestone_steps(self) -> tuple[int, ...]:
        return tuple(self.milestones)


class MultiStepLR(_MultiStep):
    """Multiplies the lr by gamma at each milestone (counted from begin)."""

    type: Literal["MultiStepLR"] = "MultiStepLR"


class MultiStepMomentum(_MultiStep, _Momentum):
    """Multiplies the momentum by gamma at each milestone (counted from begin)."""

    type: Literal["MultiStepMomentum"] = "MultiStepMomentum"


class MultiStepParamScheduler(_MultiStep, _Named):
    """Multiplies the value `param_name` by gamma at each milestone (counted from begin)."""

    type: Literal["MultiStepParamScheduler"] = "MultiStepParamScheduler"
