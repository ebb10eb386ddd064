"""What every parameter scheduler shares: the window, how it is stepped, the rules on both; a user's base."""

from typing import Annotated, Union

from pydantic import Field, PositiveInt, model_validator

from typedseg.config.base import ConfigModel, Rules, UserConfig

UnitInterval = Annotated[float, Field(ge=0.0, le=1.0)]


def _check_window(rules: Rules, begin: int, end: int | None) -> None:
    if end is not None and end <= begin:
        rules.add(
            "schedule-empty-window",
            ("end",),
            f"end ({end}) must be greater than begin ({begin}): the window [begin, end) is empty.",
            f"Set end above {begin}, or leave it out to run to the end of training.",
        )


class _Questions:
    """What the schedule rules ask of any scheduler, ours or a user's; a family answers by overriding.

    (Asked of the object, so the rules never import a family to ask "is this a PolyLR?".)"""

    def absolute_eta_min(self) -> float | None:
        """The absolute final value of a decaying schedule; None when it has none or uses a ratio."""
        return None

    def decays_to_eta_min(self) -> bool:
        """Its last scheduled value is eta_min (Poly), which the rules name in messages."""
        return False

    def steps_on_validation(self) -> bool:
        """It is stepped by validation results (ReduceOnPlateau), not by the clock."""
        return False

    def monitored_metric(self) -> str | None:
        """The metric it reads at each validation, if any."""
        return None

    def milestone_steps(self) -> tuple[int, ...]:
        """Step-indexed milestones, counted from begin."""
        return ()

    def total_steps_limit(self) -> int | None:
        """The number of steps after which MMEngine refuses to step it, if it has one (OneCycle)."""
        return None


class _Scheduler(_Questions, ConfigModel):
    """Fields every MMEngine parameter scheduler shares: its window and how it is stepped."""

    type: str
    """MMEngine's class name of this scheduler."""
    begin: Annotated[int, Field(ge=0)] = 0
    """First step (epoch or iteration, per `by_epoch`) at which this scheduler changes the value."""
    end: PositiveInt | None = None
    """Step at which it stops, exclusive. None: the end of training. This is typedseg's explicit form of
    leaving `end` out in MMEngine, where the Runner fills in max_epochs/max_iters (and, under an iteration
    loop, a by_epoch scheduler gets end=1). An explicit end does not follow later changes of the run
    length."""
    by_epoch: bool = True
    """Count begin/end (and step-indexed arguments) in epochs; False: in iterations."""
    convert_to_iter_based: bool = False
    """Give begin/end in epochs but step every iteration: MMEngine multiplies them (and milestones, step_size,
    T_max, periods, total_steps) by the epoch length. Requires by_epoch=True."""
    verbose: bool = False
    """Log every value change."""
    chained: bool = False
    """typedseg only: this window intentionally overlaps earlier ones, so its factor compounds with theirs
    (MMEngine multiplies overlapping schedulers). It silences the schedule-overlap rule; nothing else."""

    @property
    def param(self) -> str:
        """The param-group value it writes: "lr", "momentum", or a ParamScheduler's `param_name`."""
        return "lr"

    @model_validator(mode="after")
    def _validate(self) -> "_Scheduler":
        rules = Rules()
        self._check(rules)
        rules.raise_if_any()
        return self

    def _check(self, rules: Rules) -> None:
        """Add this model's rule violations to `rules` (families extend it, so every problem is reported)."""
        _check_window(rules, self.begin, self.end)
        if self.convert_to_iter_based and not self.by_epoch:
            rules.add(
                "convert-needs-by-epoch",
                ("convert_to_iter_based",),
                "convert_to_iter_based=True converts an epoch-based window to iterations, "
                "but this scheduler already has by_epoch=False.",
                "Remove convert_to_iter_based (begin/end are already iterations), "
                "or set by_epoch=True and give begin/end in epochs.",
            )


class _Momentum(_Scheduler):
    """The XMomentum variants: they schedule `momentum` (`betas[0]` for Adam-like optimizers)."""

    @property
    def param(self) -> str:
        return "momentum"


class _Named(_Scheduler):
    """The XParamScheduler variants: they schedule the param-group value named by `param_name`."""

    param_name: str
    """The param-group key to schedule, e.g. "lr", "momentum", "weight_decay"."""

    @property
    def param(self) -> str:
        return self.param_name


def _check_eta_min_pair(
    rules: Rules, eta_min: float | None, eta_min_ratio: float | None, exactly_one: bool
) -> None:
    if eta_min is not None and eta_min_ratio is not None:
        rules.add(
            "eta-min-conflict",
            ("eta_min",),
            f"both eta_min ({eta_min}) and eta_min_ratio ({eta_min_ratio}) are set; "
            "the final value is one or the other.",
            "Keep eta_min for one absolute value for every param group, or eta_min_ratio to scale each "
            "group's own initial value; remove the other.",
        )
    elif exactly_one and eta_min is None and eta_min_ratio is None:
        rules.add(
            "eta-min-missing",
            (),
            "CosineRestart needs eta_min or eta_min_ratio; MMEngine has no default and fails with "
            "AssertionError.",
            "Set eta_min=0.0, or eta_min_ratio to scale each param group's own initial value.",
        )


class UserScheduler(_Questions, UserConfig):
    """Base for a user's own scheduler config; its window fields let typedseg check it against the others."""

    param_name: str = "lr"
    """The param-group key this scheduler writes."""
    begin: Annotated[int, Field(ge=0)] = 0
    """First step (epoch or iteration, per `by_epoch`) at which it changes the value."""
    end: PositiveInt | None = None
    """Step at which it stops, exclusive. None: the end of training."""
    by_epoch: bool = True
    """Count begin/end in epochs and step once per epoch; False: in iterations."""
    chained: bool = False
    """This window intentionally overlaps earlier ones (its effect compounds with theirs)."""

    @property
    def param(self) -> str:
        """The param-group value this scheduler writes."""
        return self.param_name

    @model_validator(mode="after")
    def _validate_window(self) -> "UserScheduler":
        rules = Rules()
        _check_window(rules, self.begin, self.end)
        rules.raise_if_any()
        return self


SchedulerLike = Union[_Scheduler, UserScheduler]
"""Any scheduler config, ours or a user's: what the schedule rules and the engine accept."""
