"""Parameter schedulers with MMEngine 0.10.7's exact semantics, over plain param-group dicts (no torch here).

A scheduler only ever reads and writes the `param_groups` dicts of an optimizer (`lr`, `momentum`,
`initial_lr`, ...), so this one module serves both the training engine (the optimizer wrapper's groups) and
`typedseg schedule` (plain dicts standing in for them), which therefore never imports torch.

Semantics kept from MMEngine, on purpose:
- a scheduler steps once when built, then once per `step()`; it changes values only while its global step is
  inside `[begin, end)`, and `last_step` counts from 0 at `begin`;
- updates are *chained*: each step rescales the current group value, so back-to-back windows hand the value
  over and overlapping windows compound (MMEngine's recursive formulas, evaluated the same way);
- `initial_<param>` is set once per group and shared by every scheduler (OneCycle overwrites it);
- momentum schedulers write `betas[0]` for Adam-like optimizers.

The values live in the param groups, which the optimizer's state dict saves; a scheduler's own state is its
step counters (plus ReduceOnPlateau's best/bad-epoch counts), so resuming continues bit for bit.
"""

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, assert_never

from typedseg.config.schedulers import (
    ConstantLR,
    ConstantMomentum,
    ConstantParamScheduler,
    CosineAnnealingLR,
    CosineAnnealingMomentum,
    CosineAnnealingParamScheduler,
    CosineRestartLR,
    CosineRestartMomentum,
    CosineRestartParamScheduler,
    ExponentialLR,
    ExponentialMomentum,
    ExponentialParamScheduler,
    LinearLR,
    LinearMomentum,
    LinearParamScheduler,
    MultiStepLR,
    MultiStepMomentum,
    MultiStepParamScheduler,
    OneCycleLR,
    OneCycleParamScheduler,
    PolyLR,
    PolyLRRatio,
    PolyMomentum,
    PolyParamScheduler,
    ReduceOnPlateauLR,
    ReduceOnPlateauMomentum,
    ReduceOnPlateauParamScheduler,
    SchedulerConfig,
    StepLR,
    StepMomentum,
    StepParamScheduler,
    UserScheduler,
)
from typedseg.problems import ConfigError, Problem

Group = dict[str, Any]


class HasParamGroups(Protocol):
    """What a scheduler drives: an optimizer wrapper, or `PlainGroups` for a preview without torch."""

    @property
    def param_groups(self) -> list[Group]: ...

    @property
    def defaults(self) -> dict[str, Any]: ...


@dataclass
class PlainGroups:
    """Param groups as plain dicts (lr, momentum, betas...): what `typedseg schedule` steps without torch."""

    param_groups: list[Group]
    defaults: dict[str, Any] = field(default_factory=dict)
    base_param_settings: Group | None = None
    """MMEngine's base-lr record when there are several groups: also the last item of `param_groups`."""


class ParamScheduler:
    """One scheduler over one param-group key. Subclasses give the chained update in `_values` (or `_apply`)."""

    need_val_args = False
    """True for ReduceOnPlateau, which is also stepped with the validation metrics (MMEngine's attribute)."""

    def __init__(self, target: HasParamGroups, param: str, *, begin: int, end: int, by_epoch: bool) -> None:
        self._attach(target, param, begin=begin, end=end, by_epoch=by_epoch)
        self.last_step = -1
        self.global_step = -1
        self.step()

    def _attach(self, target: HasParamGroups, param: str, *, begin: int, end: int, by_epoch: bool) -> None:
        """Bind to the groups' `param` (momentum as `betas[0]` for Adam-like optimizers); record its initial values."""
        self.target = target
        self.by_epoch = by_epoch
        self.begin = begin
        self.end = end
        self.use_betas = False
        if param == "momentum":
            param = self._prepare_momentum(target)
        self.param = param
        for group in target.param_groups:
            group.setdefault(f"initial_{param}", group[param])
        self.base_values: list[float] = [group[f"initial_{param}"] for group in target.param_groups]

    def _prepare_momentum(self, target: HasParamGroups) -> str:
        # MMEngine's MomentumSchedulerMixin: SGD-like optimizers have `momentum`, Adam-like ones `betas`.
        if "momentum" in target.defaults:
            return "momentum"
        if "betas" in target.defaults:
            self.use_betas = True
            for group in target.param_groups:
                group["momentum"] = group["betas"][0]
            return "momentum"
        raise ConfigError(
            [
                Problem(
                    "momentum-unsupported",
                    (),
                    "a momentum scheduler needs an optimizer with `momentum` or `betas`; this one has neither.",
                    "Use an optimizer with momentum (SGD, Adam, ...), or remove the momentum scheduler.",
                )
            ]
        )

    def step(self) -> None:
        """Advance one step (an iteration, or an epoch when `by_epoch`), as MMEngine's ParamSchedulerHook does."""
        self.global_step += 1
        if self.begin <= self.global_step < self.end:
            self.last_step += 1
            self._apply(self.target.param_groups)
        if self.use_betas:
            self._sync_betas()

    def _apply(self, groups: list[Group]) -> None:
        """Write this step's values into the groups."""
        param = self.param
        for group, value in zip(groups, self._values(groups), strict=True):
            group[param] = value

    def _sync_betas(self) -> None:
        for group in self.target.param_groups:
            group["betas"] = (group["momentum"], group["betas"][1])

    def _values(self, groups: list[Group]) -> list[float]:
        raise NotImplementedError

    def _current(self, groups: list[Group]) -> list[float]:
        return [group[self.param] for group in groups]

    def state_dict(self) -> dict[str, Any]:
        """The step counters: everything that is not derived from the config or held by the optimizer."""
        return {"last_step": self.last_step, "global_step": self.global_step, "base_values": self.base_values}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.last_step = int(state["last_step"])
        self.global_step = int(state["global_step"])
        self.base_values = [float(value) for value in state["base_values"]]

    def get_last_value(self) -> list[float]:
        return self._current(self.target.param_groups)


class StepScheduler(ParamScheduler):
    """Multiply by gamma every `step_size` steps from begin."""

    def __init__(self, target: HasParamGroups, param: str, *, step_size: int, gamma: float, **window: Any):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(target, param, **window)

    def _values(self, groups: list[Group]) -> list[float]:
        if self.last_step == 0 or self.last_step % self.step_size != 0:
            return self._current(groups)
        return [value * self.gamma for value in self._current(groups)]


class MultiStepScheduler(ParamScheduler):
    """Multiply by gamma at each milestone (counted from begin; a repeated milestone applies it again)."""

    def __init__(
        self, target: HasParamGroups, param: str, *, milestones: Sequence[int], gamma: float, **window: Any
    ):
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(target, param, **window)

    def _values(self, groups: list[Group]) -> list[float]:
        count = self.milestones.get(self.last_step, 0)
        if count == 0:
            return self._current(groups)
        return [value * self.gamma**count for value in self._current(groups)]


class ConstantScheduler(ParamScheduler):
    """Multiply by factor at begin and divide it out again at end - 1."""

    def __init__(self, target: HasParamGroups, param: str, *, factor: float, **window: Any):
        self.factor = factor
        self.total_iters = window["end"] - window["begin"] - 1
        super().__init__(target, param, **window)

    def _values(self, groups: list[Group]) -> list[float]:
        if self.last_step == 0:
            return [value * self.factor for value in self._current(groups)]
        if self.last_step == self.total_iters:
            return [value * (1.0 / self.factor) for value in self._current(groups)]
        return self._current(groups)


class ExponentialScheduler(ParamScheduler):
    """Multiply by gamma every step after begin."""

    def __init__(self, target: HasParamGroups, param: str, *, gamma: float, **window: Any):
        self.gamma = gamma
        super().__init__(target, param, **window)

    def _values(self, groups: list[Group]) -> list[float]:
        if self.last_step == 0:
            return self._current(groups)
        return [value * self.gamma for value in self._current(groups)]


class LinearScheduler(ParamScheduler):
    """Scale by a factor moving linearly from start_factor (at begin) to end_factor (at end - 1)."""

    def __init__(
        self, target: HasParamGroups, param: str, *, start_factor: float, end_factor: float, **window: Any
    ):
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = window["end"] - window["begin"] - 1
        super().__init__(target, param, **window)

    def _values(self, groups: list[Group]) -> list[float]:
        if self.last_step == 0:
            return [value * self.start_factor for value in self._current(groups)]
        delta = self.end_factor - self.start_factor
        ratio = 1.0 + delta / (self.total_iters * self.start_factor + (self.last_step - 1) * delta)
        return [value * ratio for value in self._current(groups)]


class PolyScheduler(ParamScheduler):
    """Polynomial decay to eta_min at end - 1; `eta_min_ratio` (mmseg's PolyLRRatio) scales each group's base."""

    def __init__(
        self,
        target: HasParamGroups,
        param: str,
        *,
        eta_min: float,
        power: float,
        eta_min_ratio: float | None = None,
        **window: Any,
    ):
        self.eta_min = eta_min
        self.eta_min_ratio = eta_min_ratio
        self.power = power
        self.total_iters = window["end"] - window["begin"] - 1
        super().__init__(target, param, **window)

    def _apply(self, groups: list[Group]) -> None:
        # In place, without a list of values: the common schedule of segmentation runs, stepped every iteration.
        if self.last_step == 0:
            return
        ratio = (1 - 1 / (self.total_iters - self.last_step + 1)) ** self.power
        param, eta_min, eta_min_ratio = self.param, self.eta_min, self.eta_min_ratio
        if eta_min_ratio is None:
            for group in groups:
                group[param] = (group[param] - eta_min) * ratio + eta_min
            return
        for base, group in zip(self.base_values, groups, strict=True):
            group[param] = (group[param] - base * eta_min_ratio) * ratio + base * eta_min_ratio


class CosineAnnealingScheduler(ParamScheduler):
    """Cosine from the entry value towards eta_min over T_max steps (PyTorch's chained form, periodic)."""

    def __init__(
        self,
        target: HasParamGroups,
        param: str,
        *,
        t_max: int | None,
        eta_min: float | None,
        eta_min_ratio: float | None,
        **window: Any,
    ):
        self.t_max = t_max or (window["end"] - window["begin"])
        self.eta_min = 0.0 if eta_min is None and eta_min_ratio is None else eta_min
        self.eta_min_ratio = eta_min_ratio
        super().__init__(target, param, **window)

    def _eta_min(self, base: float) -> float:
        return base * self.eta_min_ratio if self.eta_min_ratio is not None else float(self.eta_min or 0.0)

    def _values(self, groups: list[Group]) -> list[float]:
        t, period = self.last_step, self.t_max
        if t == 0:
            return self._current(groups)
        pairs = zip(self.base_values, self._current(groups), strict=True)
        if (t - 1 - period) % (2 * period) == 0:
            return [
                value + (base - self._eta_min(base)) * (1 - math.cos(math.pi / period)) / 2
                for base, value in pairs
            ]
        ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
        return [ratio * (value - self._eta_min(base)) + self._eta_min(base) for base, value in pairs]


class CosineRestartScheduler(ParamScheduler):
    """Cosine cycles of `periods` steps; each restart jumps to base * weight; held after the last cycle."""

    def __init__(
        self,
        target: HasParamGroups,
        param: str,
        *,
        periods: Sequence[int],
        restart_weights: Sequence[float],
        eta_min: float | None,
        eta_min_ratio: float | None,
        **window: Any,
    ):
        self.periods = list(periods)
        self.restart_weights = list(restart_weights)
        self.eta_min = eta_min
        self.eta_min_ratio = eta_min_ratio
        self.cumulative_periods = [sum(self.periods[: i + 1]) for i in range(len(self.periods))]
        super().__init__(target, param, **window)

    def _values(self, groups: list[Group]) -> list[float]:
        index = next((i for i, end in enumerate(self.cumulative_periods) if self.last_step < end), None)
        if index is None:
            return self._current(groups)
        weight = self.restart_weights[index]
        restart = 0 if index == 0 else self.cumulative_periods[index - 1]
        period = self.periods[index]
        t = self.last_step - restart
        values = []
        for base, value in zip(self.base_values, self._current(groups), strict=True):
            eta_min = float(self.eta_min or 0.0) if self.eta_min_ratio is None else base * self.eta_min_ratio
            if t == 0:
                values.append(base * weight)
            else:
                ratio = (1 + math.cos(math.pi * t / period)) / (1 + math.cos(math.pi * (t - 1) / period))
                values.append(ratio * (value - eta_min) + eta_min)
        return values


class OneCycleScheduler(ParamScheduler):
    """The 1cycle policy: not chained; it sets initial/max/min values in each group and anneals between them."""

    def __init__(
        self,
        target: HasParamGroups,
        param: str,
        *,
        eta_max: float | Sequence[float],
        total_steps: int | None,
        pct_start: float,
        anneal_strategy: str,
        div_factor: float,
        final_div_factor: float,
        three_phase: bool,
        **window: Any,
    ):
        self.total_steps = total_steps if total_steps is not None else window["end"] - window["begin"]
        self.cosine = anneal_strategy == "cos"
        initial, peak, low = f"initial_{param}", f"max_{param}", f"min_{param}"
        if three_phase:
            self.phases = [
                (float(pct_start * self.total_steps) - 1, initial, peak),
                (float(2 * pct_start * self.total_steps) - 2, peak, initial),
                (float(self.total_steps - 1), initial, low),
            ]
        else:
            self.phases = [
                (float(pct_start * self.total_steps) - 1, initial, peak),
                (float(self.total_steps - 1), peak, low),
            ]
        groups = target.param_groups
        peaks = list(eta_max) if isinstance(eta_max, Sequence) else [eta_max] * len(groups)
        if len(peaks) != len(groups):
            raise ConfigError(
                [
                    Problem(
                        "onecycle-eta-max",
                        ("eta_max",),
                        f"eta_max has {len(peaks)} values but the optimizer has {len(groups)} param groups.",
                        "Give one eta_max, or one per param group.",
                    )
                ]
            )
        for group, top in zip(groups, peaks, strict=True):
            group[initial] = top / div_factor
            group[peak] = top
            group[low] = group[initial] / final_div_factor
        super().__init__(target, param, **window)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.cosine:
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def _values(self, groups: list[Group]) -> list[float]:
        t = self.last_step
        if t > self.total_steps:
            raise ValueError(f"OneCycle stepped {t + 1} times; its total_steps is {self.total_steps}")
        values = []
        for group in groups:
            start_step = 0.0
            for index, (end_step, start_key, end_key) in enumerate(self.phases):
                if t <= end_step or index == len(self.phases) - 1:
                    pct = (t - start_step) / (end_step - start_step)
                    values.append(self._anneal(group[start_key], group[end_key], pct))
                    break
                start_step = end_step
        return values


class ReduceOnPlateauScheduler(ParamScheduler):
    """Multiply by factor when the monitored metric stops improving.

    As in MMEngine, `step()` without metrics (after every train epoch) counts the epoch for the begin/end
    window, and `step(metrics)` (after every validation) reacts to the monitored value.
    """

    need_val_args = True

    def __init__(
        self,
        target: HasParamGroups,
        param: str,
        *,
        monitor: str,
        rule: str,
        factor: float,
        patience: int,
        threshold: float,
        threshold_rule: str,
        cooldown: int,
        min_value: float | Sequence[float],
        eps: float,
        begin: int,
        end: int,
        by_epoch: bool,
    ):
        self._attach(target, param, begin=begin, end=end, by_epoch=by_epoch)
        self.last_step = -1
        self.global_step = 0  # MMEngine's plateau scheduler does not step when built (no super().__init__)
        self.monitor, self.rule, self.factor = monitor, rule, factor
        self.patience, self.cooldown, self.eps = patience, cooldown, eps
        self.threshold, self.threshold_rule = threshold, threshold_rule
        groups = len(target.param_groups)
        if isinstance(min_value, Sequence):
            self.min_values = list(min_value)
            if (
                len(self.min_values) == groups - 1
                and getattr(target, "base_param_settings", None) is not None
            ):
                self.min_values.append(self.min_values[-1])  # MMEngine: the wrapper's base-lr record
        else:
            self.min_values = [min_value] * groups
        self.worst = float(int(1e9)) if rule == "less" else float(-int(1e9))
        self.best = self.worst
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: Mapping[str, float] | None = None) -> None:
        """Without metrics (after a train epoch): count the epoch. With metrics (after validation): react."""
        if metrics is None:
            self.global_step += 1
            return
        if not self.begin <= self.global_step < self.end:
            return
        self.last_step += 1
        if self.monitor not in metrics:
            raise ConfigError(
                [
                    Problem(
                        "plateau-monitor-unknown",
                        ("monitor",),
                        f"ReduceOnPlateau monitors {self.monitor!r}, which the validation did not report "
                        f"(it reported {sorted(metrics)}).",
                        "Set monitor to one of the reported metric names.",
                    )
                ]
            )
        metric = metrics[self.monitor]
        if self._is_better(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, floor in zip(self.target.param_groups, self.min_values, strict=True):
                value = max(float(group[self.param]) * self.factor, floor)
                if group[self.param] - value > self.eps:
                    group[self.param] = value
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        if self.use_betas:
            self._sync_betas()

    def _is_better(self, value: float) -> bool:
        if self.rule == "less":
            bound = (
                self.best * (1.0 - self.threshold)
                if self.threshold_rule == "rel"
                else self.best - self.threshold
            )
            return value < bound
        bound = (
            self.best * (self.threshold + 1.0) if self.threshold_rule == "rel" else self.best + self.threshold
        )
        return value > bound

    def state_dict(self) -> dict[str, Any]:
        return {
            **super().state_dict(),
            "best": self.best,
            "cooldown_counter": self.cooldown_counter,
            "num_bad_epochs": self.num_bad_epochs,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self.best = float(state["best"])
        self.cooldown_counter = int(state["cooldown_counter"])
        self.num_bad_epochs = int(state["num_bad_epochs"])


@dataclass(frozen=True)
class Steps:
    """How the run counts: resolves a scheduler's default `end` and converts epochs to iterations."""

    iters_per_epoch: int | None
    max_iters: int
    max_epochs: int | None

    def window(self, cfg: Any, index: int) -> tuple[int, int, bool, int]:
        """(begin, end, by_epoch, multiplier for step-indexed arguments), MMEngine's defaults and conversion."""
        if cfg.end is not None:
            end = cfg.end
        elif cfg.by_epoch:
            end = (
                self.max_epochs if self.max_epochs is not None else 1
            )  # MMEngine: an iteration loop has 1 epoch
        else:
            end = self.max_iters
        if not getattr(cfg, "convert_to_iter_based", False):
            return cfg.begin, end, cfg.by_epoch, 1
        if self.iters_per_epoch is None:
            raise ConfigError(
                [
                    Problem(
                        "iters-per-epoch-unknown",
                        ("param_scheduler", index, "convert_to_iter_based"),
                        "convert_to_iter_based needs the number of iterations per epoch, which is not known here.",
                        "Pass --iters-per-epoch N (typedseg schedule), or build the train dataloader first.",
                    )
                ]
            )
        length = self.iters_per_epoch
        return int(cfg.begin * length), int(end * length), False, length


def build_scheduler(
    cfg: SchedulerConfig, target: HasParamGroups, steps: Steps, index: int = 0
) -> ParamScheduler:
    """One scheduler config -> the scheduler stepping `target`'s param groups (built = stepped once)."""
    if isinstance(cfg, UserScheduler):
        built = cfg.build(target)
        if not isinstance(built, ParamScheduler):
            raise TypeError(
                f"{type(cfg).__name__}.build() must return a typedseg ParamScheduler, got {built!r}"
            )
        return built
    begin, end, by_epoch, scale = steps.window(cfg, index)
    window: dict[str, Any] = {"begin": begin, "end": end, "by_epoch": by_epoch}
    param = cfg.param
    match cfg:
        case ConstantLR() | ConstantMomentum() | ConstantParamScheduler():
            return ConstantScheduler(target, param, factor=cfg.factor, **window)
        case LinearLR() | LinearMomentum() | LinearParamScheduler():
            return LinearScheduler(
                target, param, start_factor=cfg.start_factor, end_factor=cfg.end_factor, **window
            )
        case ExponentialLR() | ExponentialMomentum() | ExponentialParamScheduler():
            return ExponentialScheduler(target, param, gamma=cfg.gamma, **window)
        case StepLR() | StepMomentum() | StepParamScheduler():
            return StepScheduler(target, param, step_size=cfg.step_size * scale, gamma=cfg.gamma, **window)
        case MultiStepLR() | MultiStepMomentum() | MultiStepParamScheduler():
            milestones = [milestone * scale for milestone in cfg.milestones]
            return MultiStepScheduler(target, param, milestones=milestones, gamma=cfg.gamma, **window)
        case PolyLRRatio():
            return PolyScheduler(
                target, param, eta_min=cfg.eta_min, power=cfg.power, eta_min_ratio=cfg.eta_min_ratio, **window
            )
        case PolyLR() | PolyMomentum() | PolyParamScheduler():
            return PolyScheduler(target, param, eta_min=cfg.eta_min, power=cfg.power, **window)
        case CosineAnnealingLR() | CosineAnnealingMomentum() | CosineAnnealingParamScheduler():
            t_max = None if cfg.T_max is None else cfg.T_max * scale
            return CosineAnnealingScheduler(
                target, param, t_max=t_max, eta_min=cfg.eta_min, eta_min_ratio=cfg.eta_min_ratio, **window
            )
        case CosineRestartLR() | CosineRestartMomentum() | CosineRestartParamScheduler():
            return CosineRestartScheduler(
                target,
                param,
                periods=[period * scale for period in cfg.periods],
                restart_weights=cfg.restart_weights,
                eta_min=cfg.eta_min,
                eta_min_ratio=cfg.eta_min_ratio,
                **window,
            )
        case OneCycleLR() | OneCycleParamScheduler():
            return OneCycleScheduler(
                target,
                param,
                eta_max=cfg.eta_max,
                total_steps=None if cfg.total_steps is None else cfg.total_steps * scale,
                pct_start=cfg.pct_start,
                anneal_strategy=cfg.anneal_strategy,
                div_factor=cfg.div_factor,
                final_div_factor=cfg.final_div_factor,
                three_phase=cfg.three_phase,
                **window,
            )
        case ReduceOnPlateauLR() | ReduceOnPlateauMomentum() | ReduceOnPlateauParamScheduler():
            return ReduceOnPlateauScheduler(
                target,
                param,
                monitor=cfg.monitor,
                rule=cfg.rule,
                factor=cfg.factor,
                patience=cfg.patience,
                threshold=cfg.threshold,
                threshold_rule=cfg.threshold_rule,
                cooldown=cfg.cooldown,
                min_value=cfg.min_value,
                eps=cfg.eps,
                **window,
            )
        case _:
            assert_never(cfg)


def build_schedulers(
    cfgs: Sequence[SchedulerConfig],
    optim_wrapper: HasParamGroups,
    *,
    iters_per_epoch: int | None,
    max_iters: int,
    max_epochs: int | None,
) -> list[ParamScheduler]:
    """The `param_scheduler` list -> schedulers over the wrapper's param groups, built in order (as MMEngine).

    `max_epochs` is None under an iteration loop (a by_epoch scheduler without `end` then gets end=1, as in
    MMEngine). Step the `by_epoch=False` ones after every train iteration, the others after every train epoch,
    and ReduceOnPlateau's `step(metrics)` after every validation.
    """
    steps = Steps(iters_per_epoch=iters_per_epoch, max_iters=max_iters, max_epochs=max_epochs)
    schedulers = []
    for index, cfg in enumerate(cfgs):
        try:
            schedulers.append(build_scheduler(cfg, optim_wrapper, steps, index))
        except ConfigError as error:  # a scheduler's own problems: place them under its list item
            here = ("param_scheduler", index)
            raise ConfigError(
                [p if p.path[:1] == ("param_scheduler",) else p.under(here) for p in error.problems]
            ) from None
    return schedulers
