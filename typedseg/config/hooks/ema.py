"""MMEngine's EMAHook: an exponential moving average of the weights, swapped in for validation."""

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import Field, model_validator

from typedseg.config.base import ConfigModel, Rules
from typedseg.config.hooks._shared import Priority, TrainLoop, _Hook
from typedseg.config.loops import IterBasedTrainLoop
from typedseg.problems import Problem

EMAType = Literal["ExponentialMovingAverage", "MomentumAnnealingEMA", "StochasticWeightAverage"]


class EMAHook(ConfigModel, _Hook):
    """Keeps a moving average of the weights after each train iteration; validates, tests and saves with it.

    `momentum` follows MMEngine's convention: it is the weight of the NEW value (`avg = (1-momentum)*avg +
    momentum*param`), that is 1 - decay. An EMA "decay of 0.9998" is `momentum=0.0002`.
    """

    type: Literal["EMAHook"] = "EMAHook"
    """MMEngine's registry name of this hook."""
    ema_type: EMAType = "ExponentialMovingAverage"
    """The averaging: exponential, exponential with an annealed momentum, or uniform (SWA)."""
    strict_load: bool = False
    """Require the averaged weights in a checkpoint to match the model's keys exactly."""
    begin_iter: Annotated[int, Field(ge=0)] = 0
    """Start averaging at this iteration (before, the average copies the weights). Not with begin_epoch."""
    begin_epoch: Annotated[int, Field(ge=0)] = 0
    """Start averaging in this epoch (1-based; 0: from the start). Not with `begin_iter`."""
    momentum: Annotated[float, Field(gt=0, lt=1)] = 0.0002
    """Weight of the new weights in each update, i.e. 1 - decay (MMEngine's convention). Not for SWA."""
    interval: Annotated[int, Field(gt=0)] = 1
    """Update the average every this many iterations."""
    update_buffers: bool = False
    """Also average buffers (BatchNorm statistics); otherwise they are copied."""
    gamma: Annotated[int, Field(gt=0)] | None = None
    """MomentumAnnealingEMA only: momentum is max(momentum, gamma / (gamma + steps)); 100 when left out."""
    priority: Priority = "NORMAL"
    """When it runs among the hooks of a stage (lower first); MMEngine's default for it is NORMAL (50)."""

    def second_copy(self) -> str | None:
        return "two averages would swap their weights in and out of the model around each validation"

    def check_run(self, loop: TrainLoop | None, metrics: Sequence[str] | None) -> list[Problem]:
        if loop is None:
            return []
        if self.begin_epoch and isinstance(loop, IterBasedTrainLoop):
            return [
                Problem(
                    "hook-by-epoch-mismatch",
                    ("begin_epoch",),
                    f"begin_epoch={self.begin_epoch} counts epochs, but IterBasedTrainLoop runs its "
                    f"{loop.max_iters} iterations as one epoch.",
                    "Use begin_iter to start averaging at an iteration.",
                )
            ]
        begin, name = (
            (self.begin_epoch, "begin_epoch") if self.begin_epoch else (self.begin_iter, "begin_iter")
        )
        counts_like_loop = name == "begin_epoch" or not loop.by_epoch
        if counts_like_loop and begin > loop.length:
            return [
                Problem(
                    "starts-after-run",
                    (name,),
                    f"{name}={begin} is after the end of the run ({loop.length} {loop.unit}): "
                    "the model would never be averaged.",
                    f"Use a {name} below {loop.length}.",
                )
            ]
        return []

    @property
    def resolved_gamma(self) -> int | None:
        """The averaged model's `gamma`: the given one, else 100 for MomentumAnnealingEMA; None for others."""
        if self.ema_type != "MomentumAnnealingEMA":
            return None
        return 100 if self.gamma is None else self.gamma

    @model_validator(mode="after")
    def _check(self) -> "EMAHook":
        rules = Rules()
        if self.begin_iter and self.begin_epoch:
            rules.add(
                "ema-begin-both",
                ("begin_epoch",),
                f"begin_iter={self.begin_iter} and begin_epoch={self.begin_epoch} are both set.",
                "Keep begin_iter (iteration loops) or begin_epoch (epoch loops), not both.",
            )
        if self.gamma is not None and self.ema_type != "MomentumAnnealingEMA":
            rules.add(
                "unused-setting",
                ("gamma",),
                f"gamma={self.gamma} is for MomentumAnnealingEMA only; ema_type is {self.ema_type}.",
                "Set ema_type='MomentumAnnealingEMA', or remove gamma.",
            )
        # Against the default, not `model_fields_set`: a dumped config (every field written) must reload.
        default_momentum = type(self).model_fields["momentum"].default
        if self.ema_type == "StochasticWeightAverage" and self.momentum != default_momentum:
            rules.add(
                "unused-setting",
                ("momentum",),
                f"momentum={self.momentum} has no effect: StochasticWeightAverage weighs updates equally.",
                "Remove momentum, or choose an exponential ema_type.",
            )
        rules.raise_if_any()
        return self
