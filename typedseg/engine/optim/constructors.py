"""Parameter groups from `paramwise_cfg`: MMEngine's DefaultOptimWrapperConstructor, MMSegmentation's
ForceDefaultOptimWrapperConstructor and its layer/stage-wise LearningRateDecayOptimizerConstructor.

The groups are MMEngine's, key for key, for the same model and settings (tests compare them with groups that
MMEngine built). One deliberate difference: a `custom_keys` entry that matches no parameter of the built model
is an error here (MMEngine ignores it, and the setting silently does nothing).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, assert_never

from torch import nn

from typedseg.config.optim import AmpOptimWrapper, OptimWrapper, ParamwiseConfig
from typedseg.config.optimizers import optimizer_lr, optimizer_weight_decay
from typedseg.problems import ConfigError, Problem

NORM_LAYERS = (
    nn.modules.batchnorm._BatchNorm,
    nn.modules.instancenorm._InstanceNorm,
    nn.GroupNorm,
    nn.LayerNorm,
)
"""The modules whose weight and bias `norm_decay_mult` scales (MMEngine's list)."""

ROOT = ("optim_wrapper", "paramwise_cfg")


@dataclass
class ParamGroupPlan:
    """The optimizer's param groups and, beside them, the parameter names of each (for tables and tests)."""

    groups: list[dict[str, Any]] = field(default_factory=list)
    names: list[list[str]] = field(default_factory=list)

    def add(self, group: dict[str, Any], names: list[str]) -> None:
        self.groups.append(group)
        self.names.append(names)


def build_param_groups(cfg: OptimWrapper | AmpOptimWrapper, model: nn.Module) -> ParamGroupPlan:
    """The param groups that `cfg.constructor` makes of `model`'s parameters with `cfg.paramwise_cfg`."""
    wrapped = getattr(model, "module", None)
    if isinstance(wrapped, nn.Module):  # a DistributedDataParallel wrapper, as MMEngine unwraps it
        model = wrapped
    paramwise = cfg.paramwise_cfg
    base_lr = optimizer_lr(cfg.optimizer)
    base_wd = optimizer_weight_decay(cfg.optimizer)
    match cfg.constructor:
        case "DefaultOptimWrapperConstructor" | "ForceDefaultOptimWrapperConstructor":
            if paramwise is None or paramwise == ParamwiseConfig():
                # MMEngine passes model.parameters() unchanged: one group, frozen parameters included.
                plan = ParamGroupPlan()
                named = list(model.named_parameters())
                plan.add({"params": [p for _, p in named]}, [name for name, _ in named])
                return plan
            check_custom_keys(paramwise, model)
            force = cfg.constructor == "ForceDefaultOptimWrapperConstructor"
            return DefaultGrouping(paramwise, base_lr, base_wd, force=force).plan(model)
        case "LearningRateDecayOptimizerConstructor":
            assert (
                paramwise is not None
                and paramwise.num_layers is not None
                and paramwise.decay_rate is not None
            )
            decay_type = paramwise.decay_type or "layer_wise"
            return layer_decay_groups(
                model, paramwise.num_layers, paramwise.decay_rate, decay_type, base_lr, base_wd
            )
        case "LayerDecayOptimizerConstructor":
            assert paramwise is not None and paramwise.num_layers is not None
            assert paramwise.layer_decay_rate is not None
            rate = paramwise.layer_decay_rate
            return layer_decay_groups(model, paramwise.num_layers, rate, "layer_wise_vit", base_lr, base_wd)
        case _:
            assert_never(cfg.constructor)


def full_names(module: nn.Module, prefix: str = "") -> Iterator[tuple[str, nn.Module, str, nn.Parameter]]:
    """(MMEngine's matching name `prefix.name`, owning module, local name, parameter), in MMEngine's order."""
    for name, param in module.named_parameters(recurse=False):
        yield f"{prefix}.{name}", module, name, param
    for child_name, child in module.named_children():
        yield from full_names(child, f"{prefix}.{child_name}" if prefix else child_name)


def check_custom_keys(paramwise: ParamwiseConfig, model: nn.Module) -> None:
    """A custom key that is a substring of no parameter name would silently do nothing: refuse it."""
    names = [name for name, _, _, _ in full_names(model)]
    problems = [
        Problem(
            "custom-key-unmatched",
            (*ROOT, "custom_keys", key),
            f"custom_keys[{key!r}] matches no parameter of the model ({len(names)} parameters; e.g. "
            f"{', '.join(name.lstrip('.') for name in names[:3])}): its settings would apply to nothing.",
            "Keys match as substrings of full parameter names such as 'backbone.stages.0.0.weight'; "
            "fix the spelling, or remove the key.",
        )
        for key in paramwise.custom_keys
        if not any(key in name for name in names)
    ]
    if problems:
        raise ConfigError(problems)


class DefaultGrouping:
    """MMEngine's add_params: one group per parameter tensor, custom keys first, then the multiplier rules."""

    def __init__(
        self, paramwise: ParamwiseConfig, base_lr: float | None, base_wd: float | None, *, force: bool
    ):
        self.cfg = paramwise
        self.base_lr = base_lr
        self.base_wd = base_wd
        self.force = force  # ForceDefault: multiplier rules after a custom key too, frozen parameters kept
        # Longest key first; among equal lengths, alphabetical (a stable sort of the sorted keys).
        self.keys = sorted(sorted(paramwise.custom_keys), key=len, reverse=True)

    def plan(self, model: nn.Module) -> ParamGroupPlan:
        plan = ParamGroupPlan()
        seen: set[int] = set()
        for full_name, module, name, param in full_names(model):
            if self.cfg.bypass_duplicate and id(param) in seen:
                continue
            seen.add(id(param))
            group: dict[str, Any] = {"params": [param]}
            if not param.requires_grad:
                if self.force:
                    plan.add(group, [full_name.lstrip(".")])
                continue
            matched = self._custom(full_name, group)
            if not matched or self.force:
                self._defaults(module, name, param, group)
            plan.add(group, [full_name.lstrip(".")])
        return plan

    def _custom(self, full_name: str, group: dict[str, Any]) -> bool:
        for key in self.keys:
            if key in full_name:
                settings = self.cfg.custom_keys[key]
                group["lr"] = _times(self.base_lr, 1.0 if settings.lr_mult is None else settings.lr_mult)
                if self.base_wd is not None:
                    decay_mult = 1.0 if settings.decay_mult is None else settings.decay_mult
                    group["weight_decay"] = self.base_wd * decay_mult
                # MMEngine copies every key of the entry into the group (an absolute lr/weight_decay wins).
                group.update(settings.model_dump(exclude_none=True))
                return True
        return False

    def _defaults(self, module: nn.Module, name: str, param: nn.Parameter, group: dict[str, Any]) -> None:
        cfg = self.cfg
        is_norm = isinstance(module, NORM_LAYERS)
        is_dwconv = isinstance(module, nn.Conv2d) and module.in_channels == module.groups
        # typedseg has no deformable convolutions, so MMEngine's DCN exceptions (and dcn_offset_lr_mult) never
        # apply, as in MMEngine without mmcv-full.
        if name == "bias" and not is_norm and cfg.bias_lr_mult is not None:
            group["lr"] = _times(self.base_lr, cfg.bias_lr_mult)
        if self.base_wd is None:
            return
        if is_norm and cfg.norm_decay_mult is not None:
            group["weight_decay"] = self.base_wd * cfg.norm_decay_mult
        elif name == "bias" and cfg.bias_decay_mult is not None:
            group["weight_decay"] = self.base_wd * cfg.bias_decay_mult
        elif is_dwconv and cfg.dwconv_decay_mult is not None:
            group["weight_decay"] = self.base_wd * cfg.dwconv_decay_mult
        elif param.ndim == 1 and cfg.flat_decay_mult is not None:
            group["weight_decay"] = self.base_wd * cfg.flat_decay_mult


def _times(base: float | None, mult: float) -> float:
    if base is None:  # only a user's optimizer can lack an lr
        raise ValueError("an lr multiplier is set in paramwise_cfg, but the optimizer has no lr to multiply")
    return base * mult


def layer_decay_groups(
    model: nn.Module,
    num_layers: int,
    decay_rate: float,
    decay_type: str,
    base_lr: float | None,
    base_wd: float | None,
) -> ParamGroupPlan:
    """MMSegmentation's LearningRateDecayOptimizerConstructor: groups `layer_<id>_<decay|no_decay>`."""
    backbone = type(getattr(model, "backbone", None)).__name__
    convnext = "ConvNeXt" in backbone
    vit = "BEiT" in backbone or "MAE" in backbone
    if not (convnext or (vit and "layer_wise" in decay_type)):
        raise ConfigError(
            [
                Problem(
                    "layer-decay-backbone",
                    (*ROOT, "decay_type"),
                    f"LearningRateDecayOptimizerConstructor assigns layer ids for ConvNeXt (layer- or stage-wise) "
                    f"and BEiT/MAE (layer-wise) backbones; this model's backbone is {backbone} "
                    f"with decay_type={decay_type!r}.",
                    "Use DefaultOptimWrapperConstructor with custom_keys (e.g. {'backbone': lr_mult=0.1}), "
                    "or a backbone it supports.",
                )
            ]
        )
    if base_lr is None:  # only a user's optimizer can lack an lr
        raise ValueError("layer-wise lr decay scales the optimizer's lr, and this optimizer has none")
    depth = num_layers + 2
    by_name: dict[str, dict[str, Any]] = {}
    plan = ParamGroupPlan()
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        weight_decay: float | None
        if param.ndim == 1 or name.endswith(".bias") or name in ("pos_embed", "cls_token"):
            kind, weight_decay = "no_decay", 0.0
        else:
            kind, weight_decay = "decay", base_wd
        if "layer_wise" in decay_type:
            layer_id = convnext_layer_id(name, num_layers) if convnext else vit_layer_id(name, depth)
        else:
            layer_id = convnext_stage_id(name, depth)
        group_name = f"layer_{layer_id}_{kind}"
        if group_name not in by_name:
            scale = decay_rate ** (depth - layer_id - 1)
            by_name[group_name] = {
                "weight_decay": weight_decay,
                "params": [],
                "param_names": [],
                "lr_scale": scale,
                "group_name": group_name,
                "lr": scale * base_lr,
            }
            plan.add(by_name[group_name], by_name[group_name]["param_names"])
        by_name[group_name]["params"].append(param)
        by_name[group_name]["param_names"].append(name)
    return plan


_TOKENS = ("backbone.cls_token", "backbone.mask_token", "backbone.pos_embed")


def convnext_layer_id(name: str, max_layer_id: int) -> int:
    """Layer-wise ids of ConvNeXt: stem 0, stage 0 -> 1, stage 1 -> 2, stage 2 block b -> 3 + b // 3, ..."""
    if name in _TOKENS:
        return 0
    parts = name.split(".")
    if name.startswith("backbone.downsample_layers"):
        return {0: 0, 1: 2, 2: 3}.get(int(parts[2]), max_layer_id)
    if name.startswith("backbone.stages"):
        stage, block = int(parts[2]), int(parts[3])
        return {0: 1, 1: 2, 2: 3 + block // 3}.get(stage, max_layer_id)
    return max_layer_id + 1


def convnext_stage_id(name: str, max_stage_id: int) -> int:
    """Stage-wise ids of ConvNeXt: stem and downsamples 0, stage i -> i + 1, everything else the top."""
    if name in _TOKENS or name.startswith("backbone.downsample_layers"):
        return 0
    if name.startswith("backbone.stages"):
        return int(name.split(".")[2]) + 1
    return max_stage_id - 1


def vit_layer_id(name: str, max_layer_id: int) -> int:
    """Layer-wise ids of BEiT/MAE: tokens and patch embedding 0, transformer layer i -> i + 1."""
    if name in _TOKENS or name.startswith("backbone.patch_embed"):
        return 0
    if name.startswith("backbone.layers"):
        return int(name.split(".")[2]) + 1
    return max_layer_id - 1


@dataclass(frozen=True)
class GroupRow:
    """One line of a param-group table: groups with the same lr and weight decay, merged."""

    pattern: str
    """The parameters' longest common dotted prefix (`backbone.*`), or the one name."""
    lr: float
    weight_decay: float
    count: int
    """How many parameter tensors."""


def param_group_rows(groups: list[dict[str, Any]], names: list[list[str]]) -> list[GroupRow]:
    """The optimizer's groups (with torch's defaults filled in) as table rows, merged by (lr, weight_decay)."""
    merged: dict[tuple[float, float], list[str]] = {}
    for group, group_names in zip(groups, names, strict=True):
        key = (float(group["lr"]), float(group.get("weight_decay", 0.0)))
        merged.setdefault(key, []).extend(group_names)
    return [GroupRow(_pattern(found), lr, wd, len(found)) for (lr, wd), found in merged.items()]


def _pattern(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    parts = [name.split(".") for name in names]
    common: list[str] = []
    for pieces in zip(*parts, strict=False):
        if len(set(pieces)) != 1:
            break
        common.append(pieces[0])
    return ".".join([*common, "*"]) if common else "*"
