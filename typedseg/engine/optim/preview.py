"""The lr (and momentum) of every iteration of an experiment, computed without torch or the model.

The same schedulers the engine runs (`typedseg.engine.optim.schedulers`) step plain param-group dicts here, as
ParamSchedulerHook steps them during training: `by_epoch=False` ones after every iteration, the others after
every epoch (under an iteration loop, once at the very end, so never within the run).

Without the model the real param groups are unknown, so by default the preview steps one group per distinct
setting the config can give: group 0 is the optimizer's own values (MMEngine's `base_lr`), then one group per
`custom_keys` entry or `bias_lr_mult` with its own lr, or one per layer id of the lr-decay constructors; a
per-group `eta_max` / `min_value` list is refused there. Given the real groups (`real_groups`, which builds the
model and so imports torch: `typedseg schedule --param-groups`), it steps exactly the optimizer's groups plus
MMEngine's base-lr record. ReduceOnPlateau holds its value either way (no validation metrics here).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from typedseg.config.experiment import Experiment
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.optim import AmpOptimWrapper, OptimWrapper
from typedseg.config.optimizers import optimizer_lr
from typedseg.config.schedulers import SchedulerConfig
from typedseg.engine.optim.schedulers import PlainGroups, build_schedulers
from typedseg.problems import ConfigError, Problem


@dataclass(frozen=True)
class Curves:
    """Per preview group (label -> values per iteration); group 0 is the optimizer's own values."""

    labels: list[str]
    lr: list[list[float]]
    momentum: list[list[float]] | None
    max_iters: int
    iters_per_epoch: int | None
    epoch_based: bool

    def as_json(self) -> dict[str, Any]:
        """`{"lr": [group 0 per iteration], "momentum": [...], "groups": {label: {"lr": [...], ...}}, ...}`."""
        groups: dict[str, dict[str, list[float]]] = {}
        for index, label in enumerate(self.labels):
            groups[label] = {"lr": self.lr[index]}
            if self.momentum is not None:
                groups[label]["momentum"] = self.momentum[index]
        result: dict[str, Any] = {"lr": self.lr[0]}
        if self.momentum is not None:
            result["momentum"] = self.momentum[0]
        result |= {"groups": groups, "max_iters": self.max_iters, "iters_per_epoch": self.iters_per_epoch}
        return result


def preview_groups(cfg: OptimWrapper | AmpOptimWrapper) -> tuple[list[str], PlainGroups]:
    """Labels and plain param groups standing in for the optimizer's: its defaults, then each distinct lr."""
    defaults = {
        name: getattr(cfg.optimizer, name) for name in type(cfg.optimizer).model_fields if name != "type"
    }
    base_lr = optimizer_lr(cfg.optimizer)
    labels = ["optimizer"]
    groups: list[dict[str, Any]] = [dict(defaults)]
    paramwise = cfg.paramwise_cfg
    if paramwise is not None and base_lr is not None:
        if cfg.constructor in ("LearningRateDecayOptimizerConstructor", "LayerDecayOptimizerConstructor"):
            rate = paramwise.decay_rate if paramwise.decay_rate is not None else paramwise.layer_decay_rate
            depth = (paramwise.num_layers or 0) + 2
            for layer_id in range(depth):
                labels.append(f"layer_{layer_id}")
                groups.append({**defaults, "lr": base_lr * float(rate or 1.0) ** (depth - layer_id - 1)})
        else:
            for key, settings in sorted(paramwise.custom_keys.items()):
                lr = settings.lr if settings.lr is not None else base_lr * (settings.lr_mult or 0.0)
                if settings.lr is None and settings.lr_mult is None:
                    continue  # the optimizer's lr: group 0 already shows it
                labels.append(f"custom_keys[{key!r}]")
                groups.append({**defaults, "lr": lr})
            if paramwise.bias_lr_mult is not None:
                labels.append("bias")
                groups.append({**defaults, "lr": base_lr * paramwise.bias_lr_mult})
    return labels, PlainGroups(param_groups=groups, defaults=dict(defaults))


def real_groups(
    cfg: OptimWrapper | AmpOptimWrapper, groups: list[dict[str, Any]]
) -> tuple[list[str], PlainGroups]:
    """Labels and plain copies of the constructor's groups (without tensors), MMEngine's base-lr record last."""
    defaults = {
        name: getattr(cfg.optimizer, name) for name in type(cfg.optimizer).model_fields if name != "type"
    }
    plain = [
        {**defaults, **{k: v for k, v in group.items() if k not in ("params", "param_names")}}
        for group in groups
    ]
    labels = [str(group.get("group_name", index)) for index, group in enumerate(groups)]
    base = None
    if len(plain) > 1:
        base = dict(defaults)
        plain.append(base)
        labels.append("base")
    return labels, PlainGroups(param_groups=plain, defaults=dict(defaults), base_param_settings=base)


def compute_curves(
    experiment: Experiment,
    *,
    iters_per_epoch: int | None,
    groups: tuple[list[str], PlainGroups] | None = None,
) -> Curves:
    """Step the experiment's schedulers over its whole run and record every group's values.

    `groups`: the real param groups (`real_groups`); by default, the groups the config alone tells.
    """
    train, wrapper = experiment.train_cfg, experiment.optim_wrapper
    if train is None or wrapper is None:
        raise ConfigError(
            [
                Problem(
                    "nothing-to-schedule",
                    ("train_cfg",) if train is None else ("optim_wrapper",),
                    "this experiment does not train (no train_cfg or optim_wrapper): there is no schedule to show.",
                    "Set train_cfg and optim_wrapper (and train_dataloader) to train.",
                )
            ]
        )
    return section_curves(
        experiment.param_scheduler, wrapper, train, iters_per_epoch=iters_per_epoch, groups=groups
    )


def section_curves(
    param_scheduler: Sequence[SchedulerConfig],
    wrapper: OptimWrapper | AmpOptimWrapper,
    train: IterBasedTrainLoop | EpochBasedTrainLoop,
    *,
    iters_per_epoch: int | None,
    groups: tuple[list[str], PlainGroups] | None = None,
) -> Curves:
    """`compute_curves` from the three sections it reads (no cross-field rules needed)."""
    epoch_based = isinstance(train, EpochBasedTrainLoop)
    if groups is None:
        _refuse_per_group_lists(param_scheduler)
    if isinstance(train, IterBasedTrainLoop):
        max_iters, max_epochs = train.max_iters, None
    else:
        if iters_per_epoch is None:
            raise ConfigError([_needs_iters_per_epoch(("train_cfg", "max_epochs"), "an epoch-based loop")])
        max_iters, max_epochs = train.max_epochs * iters_per_epoch, train.max_epochs
    labels, target = preview_groups(wrapper) if groups is None else groups
    schedulers = build_schedulers(
        param_scheduler,
        target,
        iters_per_epoch=iters_per_epoch,
        max_iters=max_iters,
        max_epochs=max_epochs,
    )
    count = len(target.param_groups)
    has_momentum = any("momentum" in group or "betas" in group for group in target.param_groups)
    lr: list[list[float]] = [[] for _ in range(count)]
    momentum: list[list[float]] = [[] for _ in range(count)]
    for iteration in range(max_iters):
        for index, group in enumerate(target.param_groups):
            lr[index].append(float(group["lr"]))
            if has_momentum:
                momentum[index].append(
                    float(group["betas"][0] if "betas" in group else group.get("momentum", 0.0))
                )
        for scheduler in schedulers:
            if not scheduler.by_epoch:
                scheduler.step()
        if epoch_based and iters_per_epoch is not None and (iteration + 1) % iters_per_epoch == 0:
            for scheduler in schedulers:
                if scheduler.by_epoch:
                    scheduler.step()
    return Curves(
        labels=labels,
        lr=lr,
        momentum=momentum if has_momentum else None,
        max_iters=max_iters,
        iters_per_epoch=iters_per_epoch,
        epoch_based=epoch_based,
    )


def _needs_iters_per_epoch(path: tuple[str | int, ...], what: str) -> Problem:
    return Problem(
        "iters-per-epoch-unknown",
        path,
        f"{what} counts epochs, and the number of iterations per epoch (len(train_dataloader)) is not known "
        "without loading the data.",
        "Pass --iters-per-epoch N.",
    )


def _refuse_per_group_lists(param_scheduler: Sequence[SchedulerConfig]) -> None:
    problems = []
    for index, cfg in enumerate(param_scheduler):
        for name in ("eta_max", "min_value"):
            value = getattr(cfg, name, None)
            if isinstance(value, Sequence) and not isinstance(value, str):
                problems.append(
                    Problem(
                        "preview-needs-model",
                        ("param_scheduler", index, name),
                        f"{name} gives one value per param group, and the param groups are only known once the "
                        "model is built; the preview cannot show them.",
                        f"Preview the real groups with --param-groups (builds the model), or give a single {name}.",
                    )
                )
    if problems:
        raise ConfigError(problems)
