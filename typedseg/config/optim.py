"""MMEngine's `optim_wrapper`: OptimWrapper and AmpOptimWrapper, gradient clipping and paramwise settings.

Names and defaults are MMEngine's, so an MMEngine `optim_wrapper` dict validates as is: a missing `type` means
OptimWrapper, a `clip_grad` without `type` means norm clipping. `constructor` and `paramwise_cfg` sit in the
wrapper's dict as in MMEngine (its `build_optim_wrapper` pops them). Unlike MMEngine, an unknown key anywhere
(`norm_decay_mul`, `wd_mult`) is an error instead of a setting silently ignored. Cross-field rules live in
`typedseg.config.rules.optim`.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field

from typedseg.config.base import SCHEMA_MODE, ConfigModel, discriminate
from typedseg.config.lazy import LazyUnion, tagged_union, tags_of
from typedseg.config.unions import OptimizerConfig

NonNegative = Annotated[float, Field(ge=0)]


class ClipGradNorm(ConfigModel):
    """Clip the gradient norm (`torch.nn.utils.clip_grad_norm_`), over all parameter groups together.

    MMEngine's default form: a `clip_grad` dict without `type` is this one. The norm before clipping is logged
    as `train/grad_norm`.
    """

    type: Literal["norm"] = "norm"
    max_norm: Annotated[float, Field(gt=0)]
    """Gradients are scaled down so that their total norm is at most this."""
    norm_type: float = 2.0
    """Which p-norm (`inf` for the max norm)."""
    error_if_nonfinite: bool = False
    """Raise when the total norm is NaN or infinite, instead of clipping with it."""


class ClipGradValue(ConfigModel):
    """Clamp every gradient element to `[-clip_value, clip_value]` (`torch.nn.utils.clip_grad_value_`)."""

    type: Literal["value"] = "value"
    clip_value: Annotated[float, Field(gt=0)]
    """The largest absolute gradient value kept."""


_ClipGrads: TypeAlias = ClipGradNorm | ClipGradValue
if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    ClipGradConfig: TypeAlias = _ClipGrads
else:  # validated member by member: a config builds only the kinds it names (see LazyUnion.of)
    _TaggedClipGrads = tagged_union(_ClipGrads)
    _TaggedClipGradConfig = Annotated[
        _TaggedClipGrads, discriminate(tags_of(_TaggedClipGrads), default="norm")
    ]
    ClipGradConfig = (
        _TaggedClipGradConfig
        if SCHEMA_MODE
        else Annotated[Any, LazyUnion.of(_TaggedClipGradConfig, default="norm")]
    )
"""Gradient clipping; a dict without `type` is norm clipping (MMEngine's rule; any other type is refused)."""


class CustomKeyConfig(ConfigModel):
    """Settings for the parameters matched by one `paramwise_cfg.custom_keys` entry.

    MMEngine copies every key of this dict into the parameter group, so besides the multipliers an absolute
    `lr` or `weight_decay` can be given; a typo (`wd_mult`, `lr_mul`) would be copied there and silently
    ignored, which is why unknown keys are refused here.
    """

    lr_mult: NonNegative | None = None
    """The group's lr is the optimizer's lr times this (default 1)."""
    decay_mult: NonNegative | None = None
    """The group's weight decay is the optimizer's weight_decay times this (default 1); needs weight_decay."""
    lr: NonNegative | None = None
    """An absolute lr for the group (overrides lr_mult's result)."""
    weight_decay: NonNegative | None = None
    """An absolute weight decay for the group (overrides decay_mult's result)."""


DecayType = Literal["layer_wise", "stage_wise", "layer_wise_vit"]


class ParamwiseConfig(ConfigModel):
    """Per-parameter optimizer settings, read by the optimizer wrapper's `constructor`.

    With DefaultOptimWrapperConstructor (MMEngine), each parameter gets its own group:

    - `custom_keys` first: a key matches a parameter when it is a *substring* of the parameter's full name
      (`decode_head.conv_seg.weight`; so `'norm'` matches every name containing "norm", `'head'` matches
      both heads). Among matching keys the *longest* wins, ties going to the alphabetically first. A match
      applies that key's settings and **skips every rule below** for that parameter.
    - otherwise `bias_lr_mult` / `dcn_offset_lr_mult` set the lr, and the weight-decay rules apply as an
      if/elif chain, the first that fits wins: norm layers, then biases, then depthwise convs, then 1-D
      parameters.

    MMSegmentation's ForceDefaultOptimWrapperConstructor reads the same keys plus `force_default_settings`, which
    applies the bias/norm/depthwise/flat rules even to parameters a custom key matched (and it keeps frozen
    parameters in the optimizer). The mmseg LR-decay constructors read other keys:
    LearningRateDecayOptimizerConstructor needs `num_layers` and
    `decay_rate` (and takes `decay_type`); LayerDecayOptimizerConstructor needs `num_layers` and
    `layer_decay_rate`. Both ignore `custom_keys` and every `*_mult` key.
    """

    custom_keys: dict[str, CustomKeyConfig] = Field(default_factory=dict)
    """Substring of a parameter name -> settings for the parameters it matches (longest key wins)."""
    bias_lr_mult: NonNegative | None = None
    """lr multiplier for biases (not those of norm layers or DCN)."""
    bias_decay_mult: NonNegative | None = None
    """Weight-decay multiplier for biases (a norm layer's bias only when norm_decay_mult is unset)."""
    norm_decay_mult: NonNegative | None = None
    """Weight-decay multiplier for the weight and bias of BatchNorm, InstanceNorm, GroupNorm and LayerNorm."""
    dwconv_decay_mult: NonNegative | None = None
    """Weight-decay multiplier for depthwise convolutions (in_channels == groups)."""
    flat_decay_mult: NonNegative | None = None
    """Weight-decay multiplier for 1-D parameters (not DCN's)."""
    dcn_offset_lr_mult: NonNegative | None = None
    """lr multiplier for the offset conv of deformable convolutions."""
    bypass_duplicate: bool = False
    """Skip a parameter shared by several modules after its first occurrence (torch refuses duplicates)."""
    num_layers: Annotated[int, Field(gt=0)] | None = None
    """LR-decay constructors: the backbone's number of layers (e.g. 12)."""
    decay_rate: Annotated[float, Field(gt=0)] | None = None
    """LearningRateDecayOptimizerConstructor: each layer further from the head gets its lr times this."""
    decay_type: DecayType | None = None
    """LearningRateDecayOptimizerConstructor: per layer or per ConvNeXt stage; None means 'layer_wise'."""
    layer_decay_rate: Annotated[float, Field(gt=0)] | None = None
    """LayerDecayOptimizerConstructor (BEiT/MAE): the per-layer lr decay rate."""
    force_default_settings: bool | None = None
    """ForceDefaultOptimWrapperConstructor: apply the multiplier rules after a custom key matched, too."""


OptimWrapperConstructor = Literal[
    "DefaultOptimWrapperConstructor",
    "ForceDefaultOptimWrapperConstructor",
    "LearningRateDecayOptimizerConstructor",
    "LayerDecayOptimizerConstructor",
]


class _OptimWrapperBase(ConfigModel):
    optimizer: OptimizerConfig
    """The optimizer; its lr and weight_decay are the base values that paramwise_cfg scales."""
    accumulative_counts: Annotated[int, Field(gt=0)] = 1
    """Accumulate gradients over this many iterations before each step (the loss is divided by it)."""
    clip_grad: ClipGradConfig | None = None
    """Gradient clipping before each step; None for none."""
    constructor: OptimWrapperConstructor = "DefaultOptimWrapperConstructor"
    """How parameters are grouped: MMEngine's paramwise rules, or mmseg's layer-wise lr decay."""
    paramwise_cfg: ParamwiseConfig | None = None
    """Per-parameter settings read by `constructor`; None (or empty) puts all parameters in one group."""


class OptimWrapper(_OptimWrapperBase):
    """Full-precision training: backward, optional clipping, a step every `accumulative_counts` iterations."""

    type: Literal["OptimWrapper"] = "OptimWrapper"


class LossScaleConfig(ConfigModel):
    """The arguments of `torch.amp.GradScaler`: a dynamic loss scale with your own schedule."""

    init_scale: Annotated[float, Field(gt=0)] = 65536.0
    """The scale the first iteration uses (2**16)."""
    growth_factor: Annotated[float, Field(gt=1)] = 2.0
    """The scale is multiplied by this after `growth_interval` steps without inf/NaN gradients."""
    backoff_factor: Annotated[float, Field(gt=0, lt=1)] = 0.5
    """The scale is multiplied by this when a step finds inf/NaN gradients (that step is skipped)."""
    growth_interval: Annotated[int, Field(gt=0)] = 2000
    """Steps without inf/NaN gradients before the scale grows."""
    enabled: bool = True
    """False makes the scaler a no-op."""


class AmpOptimWrapper(_OptimWrapperBase):
    """Mixed-precision training: autocast in the forward pass, and a gradient scaler for float16.

    MMEngine requires an accelerator (CUDA, NPU, MLU, MUSA) to build it; typedseg also runs bfloat16 on CPU.
    """

    type: Literal["AmpOptimWrapper"] = "AmpOptimWrapper"
    loss_scale: Literal["dynamic"] | Annotated[float, Field(gt=0)] | LossScaleConfig = "dynamic"
    """'dynamic' (GradScaler's defaults), a fixed scale such as 512.0, or GradScaler's arguments."""
    dtype: Literal["float16", "bfloat16", "float32", "float64"] | None = None
    """The autocast dtype; None means float16."""
    use_fsdp: bool = False
    """Use the sharded gradient scaler (for FSDP models)."""


_OptimWrappers: TypeAlias = OptimWrapper | AmpOptimWrapper
if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    OptimWrapperConfig: TypeAlias = _OptimWrappers
else:  # validated member by member: a config builds only the kinds it names (see LazyUnion.of)
    _TaggedOptimWrappers = tagged_union(_OptimWrappers)
    _TaggedOptimWrapperConfig = Annotated[
        _TaggedOptimWrappers, discriminate(tags_of(_TaggedOptimWrappers), default="OptimWrapper")
    ]
    OptimWrapperConfig = (
        _TaggedOptimWrapperConfig
        if SCHEMA_MODE
        else Annotated[Any, LazyUnion.of(_TaggedOptimWrapperConfig, default="OptimWrapper")]
    )
"""MMEngine's `optim_wrapper`; a dict without `type` is an OptimWrapper (MMEngine's default)."""
