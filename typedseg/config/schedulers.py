"""Parameter schedulers: MMEngine's `param_scheduler` list, one model per scheduler class.

Every MMEngine scheduler family X exists as `XLR` (the lr), `XMomentum` (the momentum, or `betas[0]` for
Adam-like optimizers) and `XParamScheduler` (any param-group value, named by `param_name`); OneCycle has no
momentum variant, and MMSegmentation adds `PolyLRRatio`. Names, argument names and defaults are MMEngine's. A
family's fields live in one private base; the three variants only add their `type` (and `param_name`).

MMEngine semantics worth knowing when reading these models (see docs and `rules/schedules.py`):
- each scheduler changes its value only inside its window `[begin, end)`, counted in epochs when `by_epoch` is
  true and in iterations otherwise; outside the window the value is held;
- the update is chainable: it multiplies the *current* value, so back-to-back windows hand the value over, and
  overlapping windows compound;
- step-indexed arguments (`milestones`, `step_size`, `T_max`, `periods`, `total_steps`) count from `begin`.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal, Union

from pydantic import Field, PositiveInt, SerializeAsAny, Tag, WithJsonSchema, model_validator

from typedseg.config.base import (
    USER_JSON_SCHEMA,
    USER_TAG,
    ConfigModel,
    Rules,
    Seq,
    UserConfig,
    discriminate,
    user_validator,
)
from typedseg.config.lazy import tags_of

UnitInterval = Annotated[float, Field(ge=0.0, le=1.0)]


def _check_window(rules: Rules, begin: int, end: int | None) -> None:
    if end is not None and end <= begin:
        rules.add(
            "schedule-empty-window",
            ("end",),
            f"end ({end}) must be greater than begin ({begin}): the window [begin, end) is empty.",
            f"Set end above {begin}, or leave it out to run to the end of training.",
        )


# ----------------------------------------------------------------------------------------------------
# Shared fields
# ----------------------------------------------------------------------------------------------------


class _Scheduler(ConfigModel):
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
    def _validate(self) -> _Scheduler:
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


# ----------------------------------------------------------------------------------------------------
# Families
# ----------------------------------------------------------------------------------------------------


class _Constant(_Scheduler):
    factor: UnitInterval = 1.0 / 3
    """Multiplier applied at begin and undone at end - 1."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if self.factor == 0:
            rules.add(
                "constant-factor-zero",
                ("factor",),
                "factor=0 sets the value to 0, and MMEngine divides by the factor to restore it at end - 1 "
                "(ZeroDivisionError).",
                "Use a small positive factor such as 1e-6.",
            )


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


class _Exponential(_Scheduler):
    gamma: float
    """Multiplier applied every step: `v_t = v_0 * gamma**t`."""


class _Step(_Scheduler):
    step_size: PositiveInt
    """Multiply by gamma every this many steps (counted from begin)."""
    gamma: float = 0.1
    """Multiplier applied every step_size steps."""


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


class _Poly(_Scheduler):
    eta_min: float = 0.0
    """Final value, reached at end - 1. Absolute: the same for every param group (PolyLRRatio has a ratio)."""
    power: float = 1.0
    """Power of the polynomial: `v_t = (v_0 - eta_min) * (1 - t/T)**power + eta_min`, T = end - begin - 1."""


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


class _ReduceOnPlateau(_Scheduler):
    monitor: str = "loss"
    """Validation metric to watch: a key the evaluator reports (MMEngine raises KeyError otherwise)."""
    rule: Literal["less", "greater"] = "less"
    """"less": reduce when the metric stops decreasing; "greater": when it stops increasing."""
    factor: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1
    """Multiplier applied on a plateau: `v = max(v * factor, min_value)`."""
    patience: Annotated[int, Field(ge=0)] = 10
    """Reduce after more than this many validations without improvement."""
    threshold: Annotated[float, Field(ge=0.0)] = 1e-4
    """Smallest change that counts as an improvement."""
    threshold_rule: Literal["rel", "abs"] = "rel"
    """Whether threshold is relative to the best value so far, or absolute."""
    cooldown: Annotated[int, Field(ge=0)] = 0
    """Validations to wait after a reduction before counting bad ones again."""
    min_value: float | Seq[float] = 0.0
    """Lower bound of the value (or one per param group)."""
    eps: Annotated[float, Field(ge=0.0)] = 1e-8
    """Reductions smaller than this are skipped."""

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        if not self.by_epoch:
            rules.add(
                "plateau-needs-by-epoch",
                ("by_epoch",),
                "ReduceOnPlateau is stepped with the validation metrics, and MMEngine only supports it with "
                "by_epoch=True.",
                "Set by_epoch=True (under an IterBasedTrainLoop it still reacts at every validation).",
            )
        if self.convert_to_iter_based:
            rules.add(
                "plateau-no-convert",
                ("convert_to_iter_based",),
                "ReduceOnPlateau reacts to validations, not to steps: it cannot be converted to iterations "
                "(MMEngine has no conversion for it and fails).",
                "Remove convert_to_iter_based.",
            )


# ----------------------------------------------------------------------------------------------------
# The schedulers
# ----------------------------------------------------------------------------------------------------


class ConstantLR(_Constant):
    """Multiplies the lr by `factor` from begin until end - 1, then restores it."""

    type: Literal["ConstantLR"] = "ConstantLR"


class ConstantMomentum(_Constant, _Momentum):
    """Multiplies the momentum by `factor` from begin until end - 1, then restores it."""

    type: Literal["ConstantMomentum"] = "ConstantMomentum"


class ConstantParamScheduler(_Constant, _Named):
    """Multiplies the value `param_name` by `factor` from begin until end - 1, then restores it."""

    type: Literal["ConstantParamScheduler"] = "ConstantParamScheduler"


class LinearLR(_Linear):
    """Scales the lr by a factor moving linearly from start_factor to end_factor: the usual warm-up."""

    type: Literal["LinearLR"] = "LinearLR"


class LinearMomentum(_Linear, _Momentum):
    """Scales the momentum by a factor moving linearly from start_factor to end_factor."""

    type: Literal["LinearMomentum"] = "LinearMomentum"


class LinearParamScheduler(_Linear, _Named):
    """Scales the value `param_name` by a factor moving linearly from start_factor to end_factor."""

    type: Literal["LinearParamScheduler"] = "LinearParamScheduler"


class ExponentialLR(_Exponential):
    """Multiplies the lr by gamma every step: `lr_t = lr_0 * gamma**t`."""

    type: Literal["ExponentialLR"] = "ExponentialLR"


class ExponentialMomentum(_Exponential, _Momentum):
    """Multiplies the momentum by gamma every step: `m_t = m_0 * gamma**t`."""

    type: Literal["ExponentialMomentum"] = "ExponentialMomentum"


class ExponentialParamScheduler(_Exponential, _Named):
    """Multiplies the value `param_name` by gamma every step: `v_t = v_0 * gamma**t`."""

    type: Literal["ExponentialParamScheduler"] = "ExponentialParamScheduler"


class StepLR(_Step):
    """Multiplies the lr by gamma every step_size steps: `lr_t = lr_0 * gamma**(t // step_size)`."""

    type: Literal["StepLR"] = "StepLR"


class StepMomentum(_Step, _Momentum):
    """Multiplies the momentum by gamma every step_size steps: `m_t = m_0 * gamma**(t // step_size)`."""

    type: Literal["StepMomentum"] = "StepMomentum"


class StepParamScheduler(_Step, _Named):
    """Multiplies the value `param_name` by gamma every step_size steps."""

    type: Literal["StepParamScheduler"] = "StepParamScheduler"


class MultiStepLR(_MultiStep):
    """Multiplies the lr by gamma at each milestone (counted from begin)."""

    type: Literal["MultiStepLR"] = "MultiStepLR"


class MultiStepMomentum(_MultiStep, _Momentum):
    """Multiplies the momentum by gamma at each milestone (counted from begin)."""

    type: Literal["MultiStepMomentum"] = "MultiStepMomentum"


class MultiStepParamScheduler(_MultiStep, _Named):
    """Multiplies the value `param_name` by gamma at each milestone (counted from begin)."""

    type: Literal["MultiStepParamScheduler"] = "MultiStepParamScheduler"


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


class PolyMomentum(_Poly, _Momentum):
    """Polynomial decay of the momentum to eta_min: `m_t = (m_0 - eta_min) * (1 - t/T)**power + eta_min`."""

    type: Literal["PolyMomentum"] = "PolyMomentum"


class PolyParamScheduler(_Poly, _Named):
    """Polynomial decay of the value `param_name` to eta_min (see PolyLR)."""

    type: Literal["PolyParamScheduler"] = "PolyParamScheduler"


class CosineAnnealingLR(_CosineAnnealing):
    """Cosine decay of the lr: `lr_t = eta_min + (lr_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2`."""

    type: Literal["CosineAnnealingLR"] = "CosineAnnealingLR"


class CosineAnnealingMomentum(_CosineAnnealing, _Momentum):
    """Cosine decay of the momentum: `m_t = eta_min + (m_0 - eta_min) * (1 + cos(pi * t / T_max)) / 2`."""

    type: Literal["CosineAnnealingMomentum"] = "CosineAnnealingMomentum"


class CosineAnnealingParamScheduler(_CosineAnnealing, _Named):
    """Cosine decay of the value `param_name` to eta_min (see CosineAnnealingLR)."""

    type: Literal["CosineAnnealingParamScheduler"] = "CosineAnnealingParamScheduler"


class CosineRestartLR(_CosineRestart):
    """Cosine decay of the lr in cycles of `periods` steps, restarting at initial lr * weight (SGDR)."""

    type: Literal["CosineRestartLR"] = "CosineRestartLR"


class CosineRestartMomentum(_CosineRestart, _Momentum):
    """Cosine decay of the momentum in cycles of `periods` steps, restarting at initial value * weight."""

    type: Literal["CosineRestartMomentum"] = "CosineRestartMomentum"


class CosineRestartParamScheduler(_CosineRestart, _Named):
    """Cosine decay of the value `param_name` in cycles of `periods` steps, with weighted restarts."""

    type: Literal["CosineRestartParamScheduler"] = "CosineRestartParamScheduler"


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


class ReduceOnPlateauLR(_ReduceOnPlateau):
    """Multiplies the lr by `factor` when the monitored validation metric stops improving."""

    type: Literal["ReduceOnPlateauLR"] = "ReduceOnPlateauLR"


class ReduceOnPlateauMomentum(_ReduceOnPlateau, _Momentum):
    """Multiplies the momentum by `factor` when the monitored validation metric stops improving."""

    type: Literal["ReduceOnPlateauMomentum"] = "ReduceOnPlateauMomentum"


class ReduceOnPlateauParamScheduler(_ReduceOnPlateau, _Named):
    """Multiplies the value `param_name` by `factor` when the monitored validation metric stops improving."""

    type: Literal["ReduceOnPlateauParamScheduler"] = "ReduceOnPlateauParamScheduler"


# ----------------------------------------------------------------------------------------------------
# A user's own scheduler
# ----------------------------------------------------------------------------------------------------


class UserScheduler(UserConfig):
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
    def _validate_window(self) -> UserScheduler:
        rules = Rules()
        _check_window(rules, self.begin, self.end)
        rules.raise_if_any()
        return self


SchedulerLike = Union[_Scheduler, UserScheduler]
"""Any scheduler config, ours or a user's: what the schedule rules and the engine accept."""

# ----------------------------------------------------------------------------------------------------
# Unions
# ----------------------------------------------------------------------------------------------------

LRSchedulerConfig = Annotated[
    Union[
        ConstantLR,
        LinearLR,
        ExponentialLR,
        StepLR,
        MultiStepLR,
        PolyLR,
        PolyLRRatio,
        CosineAnnealingLR,
        CosineRestartLR,
        OneCycleLR,
        ReduceOnPlateauLR,
    ],
    Field(discriminator="type"),
]
"""A scheduler of the learning rate."""

MomentumSchedulerConfig = Annotated[
    Union[
        ConstantMomentum,
        LinearMomentum,
        ExponentialMomentum,
        StepMomentum,
        MultiStepMomentum,
        PolyMomentum,
        CosineAnnealingMomentum,
        CosineRestartMomentum,
        ReduceOnPlateauMomentum,
    ],
    Field(discriminator="type"),
]
"""A scheduler of the momentum (or `betas[0]`)."""

ParamSchedulerConfig = Annotated[
    Union[
        ConstantParamScheduler,
        LinearParamScheduler,
        ExponentialParamScheduler,
        StepParamScheduler,
        MultiStepParamScheduler,
        PolyParamScheduler,
        CosineAnnealingParamScheduler,
        CosineRestartParamScheduler,
        OneCycleParamScheduler,
        ReduceOnPlateauParamScheduler,
    ],
    Field(discriminator="type"),
]
"""A scheduler of any param-group value, named by `param_name`."""

_TaggedSchedulers = Union[
    Annotated[ConstantLR, Tag("ConstantLR")],
    Annotated[ConstantMomentum, Tag("ConstantMomentum")],
    Annotated[ConstantParamScheduler, Tag("ConstantParamScheduler")],
    Annotated[LinearLR, Tag("LinearLR")],
    Annotated[LinearMomentum, Tag("LinearMomentum")],
    Annotated[LinearParamScheduler, Tag("LinearParamScheduler")],
    Annotated[ExponentialLR, Tag("ExponentialLR")],
    Annotated[ExponentialMomentum, Tag("ExponentialMomentum")],
    Annotated[ExponentialParamScheduler, Tag("ExponentialParamScheduler")],
    Annotated[StepLR, Tag("StepLR")],
    Annotated[StepMomentum, Tag("StepMomentum")],
    Annotated[StepParamScheduler, Tag("StepParamScheduler")],
    Annotated[MultiStepLR, Tag("MultiStepLR")],
    Annotated[MultiStepMomentum, Tag("MultiStepMomentum")],
    Annotated[MultiStepParamScheduler, Tag("MultiStepParamScheduler")],
    Annotated[PolyLR, Tag("PolyLR")],
    Annotated[PolyLRRatio, Tag("PolyLRRatio")],
    Annotated[PolyMomentum, Tag("PolyMomentum")],
    Annotated[PolyParamScheduler, Tag("PolyParamScheduler")],
    Annotated[CosineAnnealingLR, Tag("CosineAnnealingLR")],
    Annotated[CosineAnnealingMomentum, Tag("CosineAnnealingMomentum")],
    Annotated[CosineAnnealingParamScheduler, Tag("CosineAnnealingParamScheduler")],
    Annotated[CosineRestartLR, Tag("CosineRestartLR")],
    Annotated[CosineRestartMomentum, Tag("CosineRestartMomentum")],
    Annotated[CosineRestartParamScheduler, Tag("CosineRestartParamScheduler")],
    Annotated[OneCycleLR, Tag("OneCycleLR")],
    Annotated[OneCycleParamScheduler, Tag("OneCycleParamScheduler")],
    Annotated[ReduceOnPlateauLR, Tag("ReduceOnPlateauLR")],
    Annotated[ReduceOnPlateauMomentum, Tag("ReduceOnPlateauMomentum")],
    Annotated[ReduceOnPlateauParamScheduler, Tag("ReduceOnPlateauParamScheduler")],
    Annotated[
        SerializeAsAny[UserScheduler],
        user_validator(UserScheduler),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]


SCHEDULER_TYPES = tags_of(_TaggedSchedulers)
"""Every built-in scheduler `type` (MMEngine's and MMSegmentation's class names)."""

SchedulerConfig = Annotated[_TaggedSchedulers, discriminate(SCHEDULER_TYPES)]
"""Any scheduler: ours by MMEngine's `type`, a user's `UserScheduler` subclass by its dotted path."""
