"""Rules across `optim_wrapper`'s fields: paramwise settings against the optimizer and the constructor.

MMEngine and mmseg either raise on these only when the wrapper is built (decay multipliers without weight
decay, missing lr-decay settings) or silently ignore them (custom_keys given to an lr-decay constructor, mmseg
#1623). Every problem is reported at once, with its path from the experiment root.
"""

from __future__ import annotations

from typedseg.config.optim import AmpOptimWrapper, OptimWrapperConfig, ParamwiseConfig
from typedseg.problems import Path, Problem

ROOT: Path = ("optim_wrapper",)
PARAMWISE: Path = (*ROOT, "paramwise_cfg")

_DEFAULT = "DefaultOptimWrapperConstructor"
_LR_DECAY = "LearningRateDecayOptimizerConstructor"
_LAYER_DECAY = "LayerDecayOptimizerConstructor"
_FORCE_DEFAULT = "ForceDefaultOptimWrapperConstructor"
_DECAY_MULTS = ("bias_decay_mult", "norm_decay_mult", "dwconv_decay_mult")
"""The multipliers MMEngine refuses without a weight decay (`flat_decay_mult` it does not check)."""
_DEFAULT_ONLY = ("bias_lr_mult", *_DECAY_MULTS, "flat_decay_mult", "dcn_offset_lr_mult")
_DECAY_KEYS = ("num_layers", "decay_rate", "decay_type", "layer_decay_rate")
_REQUIRED = {_LR_DECAY: ("num_layers", "decay_rate"), _LAYER_DECAY: ("num_layers", "layer_decay_rate")}
_OVERWRITTEN_BY_LAYER_DECAY = ("decay_rate", "decay_type")


def check_optim(optim_wrapper: OptimWrapperConfig | None) -> list[Problem]:
    """Every problem between the optimizer, `constructor` and `paramwise_cfg`."""
    if optim_wrapper is None:
        return []
    paramwise = optim_wrapper.paramwise_cfg or ParamwiseConfig()
    constructor = optim_wrapper.constructor
    if constructor in (_DEFAULT, _FORCE_DEFAULT):
        from typedseg.config.optimizers import optimizer_weight_decay  # loaded already: the optimizer is one

        problems = _check_default(paramwise, optimizer_weight_decay(optim_wrapper.optimizer), constructor)
        if constructor == _DEFAULT and paramwise.force_default_settings is not None:
            problems.append(
                Problem(
                    "constructor-ignores-setting",
                    (*PARAMWISE, "force_default_settings"),
                    "DefaultOptimWrapperConstructor ignores paramwise_cfg.force_default_settings.",
                    f"Set constructor='{_FORCE_DEFAULT}', or remove force_default_settings.",
                )
            )
        return problems
    problems = _check_lr_decay(paramwise, constructor)
    if paramwise.force_default_settings is not None:
        problems.append(
            Problem(
                "constructor-ignores-setting",
                (*PARAMWISE, "force_default_settings"),
                f"{constructor} ignores paramwise_cfg.force_default_settings.",
                f"Set constructor='{_FORCE_DEFAULT}', or remove force_default_settings.",
            )
        )
    return problems


def _check_default(paramwise: ParamwiseConfig, weight_decay: float | None, constructor: str) -> list[Problem]:
    problems = [
        Problem(
            "constructor-ignores-setting",
            (*PARAMWISE, key),
            f"{constructor} ignores paramwise_cfg.{key}; lr-decay constructors read it.",
            f"Set constructor='{_LAYER_DECAY if key == 'layer_decay_rate' else _LR_DECAY}', or remove {key}.",
        )
        for key in _DECAY_KEYS
        if getattr(paramwise, key) is not None
    ]
    if weight_decay:
        return problems
    reason = "the optimizer has no weight_decay" if weight_decay is None else "its weight_decay is 0"
    multipliers: list[tuple[Path, str]] = [
        ((*PARAMWISE, key), key) for key in _DECAY_MULTS if getattr(paramwise, key) is not None
    ]
    multipliers += [
        ((*PARAMWISE, "custom_keys", name, "decay_mult"), f"custom_keys['{name}'].decay_mult")
        for name, custom in paramwise.custom_keys.items()
        if custom.decay_mult is not None
    ]
    problems += [
        Problem(
            "decay-mult-without-weight-decay",
            path,
            f"paramwise_cfg.{what} scales the optimizer's weight_decay, but {reason}: it has no effect "
            "(MMEngine raises ValueError at build when weight_decay is not set).",
            "Set the optimizer's weight_decay (e.g. 0.0005 for SGD, 0.05 for AdamW), or drop the multiplier.",
        )
        for path, what in multipliers
    ]
    return problems


def _check_lr_decay(paramwise: ParamwiseConfig, constructor: str) -> list[Problem]:
    problems = [
        Problem(
            "constructor-missing-setting",
            (*PARAMWISE, key),
            f"{constructor} needs paramwise_cfg.{key}.",
            "mmseg's ConvNeXt configs use num_layers=12, decay_rate=0.9, decay_type='stage_wise'; "
            "BEiT/MAE configs use num_layers=12, layer_decay_rate=0.9 (0.65 for MAE).",
        )
        for key in _REQUIRED[constructor]
        if getattr(paramwise, key) is None
    ]
    ignored = [key for key in _DEFAULT_ONLY if getattr(paramwise, key) is not None]
    if paramwise.custom_keys:
        ignored.insert(0, "custom_keys")
    if paramwise.bypass_duplicate:
        ignored.append("bypass_duplicate")
    if constructor == _LR_DECAY and paramwise.layer_decay_rate is not None:
        ignored.append("layer_decay_rate")
    problems += [
        Problem(
            "constructor-ignores-setting",
            (*PARAMWISE, key),
            f"{constructor} ignores paramwise_cfg.{key} (mmseg #1623): it sets each group's lr from the "
            "layer decay alone.",
            "Remove it, or use constructor='DefaultOptimWrapperConstructor' to get custom_keys and the "
            "*_mult rules (without layer-wise decay).",
        )
        for key in ignored
    ]
    if constructor == _LAYER_DECAY:
        problems += [
            Problem(
                "constructor-ignores-setting",
                (*PARAMWISE, key),
                f"LayerDecayOptimizerConstructor overwrites paramwise_cfg.{key} (with layer_decay_rate and "
                "'layer_wise_vit').",
                f"Remove {key}, or use constructor='{_LR_DECAY}' with decay_rate and decay_type.",
            )
            for key in _OVERWRITTEN_BY_LAYER_DECAY
            if getattr(paramwise, key) is not None
        ]
    return problems


def check_optim_runtime(optim_wrapper: OptimWrapperConfig | None, *, cuda_available: bool) -> list[Problem]:
    """Problems that depend on the machine: checked once at the start of a run, before the first iteration."""
    if not isinstance(optim_wrapper, AmpOptimWrapper) or cuda_available:
        return []
    if optim_wrapper.dtype not in (None, "float16"):
        return []
    return [
        Problem(
            "amp-float16-needs-cuda",
            (*ROOT, "dtype"),
            "AmpOptimWrapper with float16 (the default dtype) needs a CUDA GPU, and none is available: "
            "float16 autocast and its gradient scaler do not run on CPU (MMEngine asserts an accelerator).",
            "On CPU set dtype='bfloat16' (autocast runs there, no loss scaling needed), or use "
            "type='OptimWrapper' for full precision; or run on a machine with a GPU.",
        )
    ]
