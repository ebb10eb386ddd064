"""Layer configs every model component takes: `norm_cfg`, `act_cfg`, `conv_cfg` and `init_cfg`.

MMCV builds these from dicts (`build_norm_layer`, `build_activation_layer`, `build_conv_layer`) and MMEngine's
`initialize` runs the `init_cfg`s; the `type` of each model is their registry name, the other fields the
arguments the built layer or initializer takes, with its defaults. A key MMCV would hand to a layer that has no
such argument (a TypeError when the model is built, hours into a job's queue) is refused here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, Union, cast

from pydantic import (
    Discriminator,
    Field,
    PositiveFloat,
    PositiveInt,
    Tag,
    TypeAdapter,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)

from typedseg.config.base import SCHEMA_MODE, ConfigModel, Rules, Seq
from typedseg.config.lazy import LazyUnion

M = TypeVar("M", bound=ConfigModel)


def default(cls: type[M], **values: Any) -> M:
    """A field's default object, built without validation: no validator is built while typedseg is imported,
    and the object carries no call site. Values must be what validation would store (tuples for sequences);
    tests/config/models check every default against its validated form."""
    return cast(M, cls.model_construct(**values))


def one_or_many(member: Any) -> WrapValidator:
    """For a field typed `X | Seq[X]` (MMEngine takes one dict or a list): validate a list or tuple as `Seq[X]`
    and anything else as `X`, so an error is reported once, against the form that was written.

    Use as `Annotated[X | Seq[X], one_or_many(X)]`; the value keeps its form (one object, or a tuple).
    """
    adapters: dict[bool, TypeAdapter[Any]] = {}

    def validate(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
        many = isinstance(value, (list, tuple))
        adapter = adapters.get(many)
        if adapter is None:
            adapter = adapters[many] = TypeAdapter(Seq[member] if many else member)
        if info.mode == "json":  # keep JSON mode's rules (arrays fill tuple fields) for the member too
            return adapter.validate_json(json.dumps(value))
        return adapter.validate_python(value)

    return WrapValidator(validate)


InterpolateMode = Literal["nearest", "bilinear", "bicubic", "area"]
"""`F.interpolate` modes for (N, C, H, W) maps."""

# ----------------------------------------------------------------------------------------------------
# Normalization layers (norm_cfg)
# ----------------------------------------------------------------------------------------------------


class _Norm(ConfigModel):
    """Fields of every norm_cfg: MMCV pops `requires_grad` and passes the rest to the layer."""

    type: str
    """MMCV's registry name of the normalization layer."""
    requires_grad: bool = True
    """Train the layer's affine parameters; False freezes them (MMCV sets `requires_grad` on each)."""
    eps: PositiveFloat = 1e-5
    """Added to the variance for numerical stability (MMCV's default, as torch's)."""


class _BatchNorm(_Norm):
    momentum: Annotated[float, Field(ge=0.0, le=1.0)] | None = 0.1
    """Weight of the current batch in the running statistics; None: a cumulative average."""
    affine: bool = True
    """Learn a per-channel scale and shift."""
    track_running_stats: bool = True
    """Keep running mean/variance for evaluation; False normalizes with batch statistics in eval too."""


class BN(_BatchNorm):
    """Batch normalization (`nn.BatchNorm2d`), statistics per process."""

    type: Literal["BN"] = "BN"
    """MMCV's registry name: `nn.BatchNorm2d`."""


class BN2d(_BatchNorm):
    """Batch normalization under its explicit name (`nn.BatchNorm2d`, the same layer as BN)."""

    type: Literal["BN2d"] = "BN2d"
    """MMCV's registry name: `nn.BatchNorm2d`."""


class SyncBN(_BatchNorm):
    """Batch normalization with statistics synchronized across processes (`nn.SyncBatchNorm`)."""

    type: Literal["SyncBN"] = "SyncBN"
    """MMCV's registry name: `nn.SyncBatchNorm` (MMEngine reverts it to BN when not distributed)."""


class GN(_Norm):
    """Group normalization (`nn.GroupNorm`): statistics per sample over groups of channels."""

    type: Literal["GN"] = "GN"
    """MMCV's registry name: `nn.GroupNorm`."""
    num_groups: PositiveInt
    """Number of channel groups; must divide the channels of every layer it normalizes."""
    affine: bool = True
    """Learn a per-channel scale and shift."""


class LN(_Norm):
    """Layer normalization over the last dimension (`nn.LayerNorm`), for token sequences."""

    type: Literal["LN"] = "LN"
    """MMCV's registry name: `nn.LayerNorm`."""
    elementwise_affine: bool = True
    """Learn a per-channel scale (and shift, with bias)."""
    bias: bool = True
    """Learn a shift as well (torch >= 2.1)."""


class LN2d(_Norm):
    """MMPretrain's layer normalization over the channels of an (N, C, H, W) map (ConvNeXt's)."""

    type: Literal["LN2d"] = "LN2d"
    """MMPretrain's registry name: `LayerNorm2d`."""
    elementwise_affine: bool = True
    """Learn a per-channel scale (and shift, with bias)."""
    bias: bool = True
    """Learn a shift as well (torch >= 2.1)."""


class IN(_Norm):
    """Instance normalization (`nn.InstanceNorm2d`): statistics per sample and channel."""

    type: Literal["IN"] = "IN"
    """MMCV's registry name: `nn.InstanceNorm2d`."""
    momentum: Annotated[float, Field(ge=0.0, le=1.0)] | None = 0.1
    """Weight of the current batch in the running statistics (used with track_running_stats)."""
    affine: bool = False
    """Learn a per-channel scale and shift (torch's default: no)."""
    track_running_stats: bool = False
    """Keep running statistics for evaluation (torch's default: no)."""


_NormConfigUnion = Annotated[Union[BN, BN2d, SyncBN, GN, LN, LN2d, IN], Field(discriminator="type")]
if TYPE_CHECKING or SCHEMA_MODE:
    NormConfig = _NormConfigUnion
else:  # validated member by member: each member's validator is built once and shared (see LazyUnion.of)
    NormConfig = Annotated[Any, LazyUnion.of(_NormConfigUnion)]
"""A `norm_cfg`: which normalization layer, and its arguments."""

BATCH_NORMS = (BN, BN2d, SyncBN)
"""The norm configs whose layers keep running statistics that `norm_eval` freezes."""

# ----------------------------------------------------------------------------------------------------
# Activation layers (act_cfg)
# ----------------------------------------------------------------------------------------------------

Inplace = bool | None


class ReLU(ConfigModel):
    """`nn.ReLU`: max(0, x)."""

    type: Literal["ReLU"] = "ReLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class ReLU6(ConfigModel):
    """`nn.ReLU6`: min(max(0, x), 6)."""

    type: Literal["ReLU6"] = "ReLU6"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class LeakyReLU(ConfigModel):
    """`nn.LeakyReLU`: x for x >= 0, negative_slope * x below."""

    type: Literal["LeakyReLU"] = "LeakyReLU"
    """MMCV's registry name of the activation."""
    negative_slope: float = 0.01
    """Slope for negative inputs."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class PReLU(ConfigModel):
    """`nn.PReLU`: a leaky ReLU whose negative slope is learned."""

    type: Literal["PReLU"] = "PReLU"
    """MMCV's registry name of the activation."""
    num_parameters: PositiveInt = 1
    """Number of learned slopes: 1, or the number of input channels."""
    init: float = 0.25
    """Initial slope."""


class ELU(ConfigModel):
    """`nn.ELU`: x for x > 0, alpha * (exp(x) - 1) below."""

    type: Literal["ELU"] = "ELU"
    """MMCV's registry name of the activation."""
    alpha: float = 1.0
    """Scale of the negative part."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class GELU(ConfigModel):
    """`nn.GELU`: the Gaussian error linear unit of transformers."""

    type: Literal["GELU"] = "GELU"
    """MMCV's registry name of the activation."""
    approximate: Literal["none", "tanh"] = "none"
    """Exact form, or the tanh approximation."""


class SiLU(ConfigModel):
    """`nn.SiLU`: x * sigmoid(x)."""

    type: Literal["SiLU"] = "SiLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class Swish(ConfigModel):
    """MMCV's Swish: x * sigmoid(x), without arguments."""

    type: Literal["Swish"] = "Swish"
    """MMCV's registry name of the activation."""


class HSwish(ConfigModel):
    """Hard swish (`nn.Hardswish`): x * relu6(x + 3) / 6, MobileNetV3's."""

    type: Literal["HSwish"] = "HSwish"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class HSigmoid(ConfigModel):
    """MMCV's hard sigmoid: min(max((x + bias) / divisor, min_value), max_value)."""

    type: Literal["HSigmoid"] = "HSigmoid"
    """MMCV's registry name of the activation."""
    bias: float = 3.0
    """Added to the input before dividing."""
    divisor: float = 6.0
    """Divides the shifted input; not 0."""
    min_value: float = 0.0
    """Lower clamp."""
    max_value: float = 1.0
    """Upper clamp."""

    @model_validator(mode="after")
    def _check(self) -> HSigmoid:
        rules = Rules()
        if self.divisor == 0:
            rules.add(
                "hsigmoid-divisor-zero",
                ("divisor",),
                "divisor must not be 0: the shifted input is divided by it (MMCV asserts it).",
                "Use MMCV's divisor=6.0.",
            )
        rules.raise_if_any()
        return self


class Sigmoid(ConfigModel):
    """`nn.Sigmoid`: 1 / (1 + exp(-x))."""

    type: Literal["Sigmoid"] = "Sigmoid"
    """MMCV's registry name of the activation."""


class Tanh(ConfigModel):
    """`nn.Tanh`."""

    type: Literal["Tanh"] = "Tanh"
    """MMCV's registry name of the activation."""


_ActConfigUnion = Annotated[
    Union[ReLU, ReLU6, LeakyReLU, PReLU, ELU, GELU, SiLU, Swish, HSwish, HSigmoid, Sigmoid, Tanh],
    Field(discriminator="type"),
]
if TYPE_CHECKING or SCHEMA_MODE:
    ActConfig = _ActConfigUnion
else:  # validated member by member: each member's validator is built once and shared (see LazyUnion.of)
    ActConfig = Annotated[Any, LazyUnion.of(_ActConfigUnion)]
"""An `act_cfg`: which activation layer, and its arguments."""

# ----------------------------------------------------------------------------------------------------
# Convolution layers (conv_cfg)
# ----------------------------------------------------------------------------------------------------


class Conv2d(ConfigModel):
    """`nn.Conv2d`, what MMCV builds when conv_cfg is None."""

    type: Literal["Conv2d"] = "Conv2d"
    """MMCV's registry name of the convolution."""


class Conv(ConfigModel):
    """`nn.Conv2d` under MMCV's short name `Conv`."""

    type: Literal["Conv"] = "Conv"
    """MMCV's registry name of the convolution (an alias of Conv2d)."""


_ConvConfigUnion = Annotated[Union[Conv2d, Conv], Field(discriminator="type")]
if TYPE_CHECKING or SCHEMA_MODE:
    ConvConfig = _ConvConfigUnion
else:  # validated member by member: each member's validator is built once and shared (see LazyUnion.of)
    ConvConfig = Annotated[Any, LazyUnion.of(_ConvConfigUnion)]
"""A `conv_cfg`: which convolution layer. None (the usual value) means Conv2d."""

# ----------------------------------------------------------------------------------------------------
# Weight initialization (init_cfg)
# ----------------------------------------------------------------------------------------------------

LayerNames = str | Seq[str]
Nonlinearity = Literal[
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]


class _InitArgs(ConfigModel):
    """Arguments of MMEngine's BaseInit: the bias every weight initializer also sets."""

    type: str
    """MMEngine's registry name of the initializer."""
    bias: float = 0.0
    """Value the biases are filled with."""
    bias_prob: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    """Instead of bias: the prior probability p the bias encodes, bias = -log((1 - p) / p)."""


class _ConstantArgs(_InitArgs):
    val: float
    """Value the weights are filled with."""


class _XavierArgs(_InitArgs):
    gain: float = 1.0
    """Scaling factor of the Glorot initialization."""
    distribution: Literal["normal", "uniform"] = "normal"
    """Draw from a normal or a uniform distribution."""


class _NormalArgs(_InitArgs):
    mean: float = 0.0
    """Mean of the normal distribution."""
    std: Annotated[float, Field(ge=0.0)] = 1.0
    """Standard deviation of the normal distribution."""


class _TruncNormalArgs(_InitArgs):
    mean: float = 0.0
    """Mean of the normal distribution."""
    std: Annotated[float, Field(ge=0.0)] = 1.0
    """Standard deviation of the normal distribution."""
    a: float = -2.0
    """Lower cutoff: values below are redrawn."""
    b: float = 2.0
    """Upper cutoff: values above are redrawn."""


class _UniformArgs(_InitArgs):
    a: float = 0.0
    """Lower bound of the uniform distribution."""
    b: float = 1.0
    """Upper bound of the uniform distribution."""


class _KaimingArgs(_InitArgs):
    a: float = 0.0
    """Negative slope of the rectifier after this layer (used with nonlinearity='leaky_relu')."""
    mode: Literal["fan_in", "fan_out"] = "fan_out"
    """Preserve the variance of the forward pass (fan_in) or of the backward pass (fan_out)."""
    nonlinearity: Nonlinearity = "relu"
    """The nonlinearity after this layer, whose gain scales the weights (torch's `calculate_gain` name)."""
    distribution: Literal["normal", "uniform"] = "normal"
    """Draw from a normal or a uniform distribution."""


class _PretrainedArgs(ConfigModel):
    type: Literal["Pretrained"] = "Pretrained"
    """MMEngine's registry name of the initializer: load weights from a checkpoint."""
    checkpoint: str
    """Checkpoint to load: a local path (typedseg never downloads; a URL is reported for you to fetch)."""
    prefix: str | None = None
    """Load only the keys under this prefix, with it stripped (`backbone.` takes a whole model's backbone)."""
    map_location: str | None = "cpu"
    """Where the checkpoint's tensors are loaded (torch.load's map_location)."""


# --- override entries: an initializer for one named sub-module ------------------------------------


class _NamedOverride(ConfigModel):
    name: str
    """Attribute name of the sub-module to initialize (e.g. `conv_seg`); all of its layers are initialized."""


class NameOverride(_NamedOverride):
    """Re-apply the enclosing initializer (without `layer`) to the named sub-module as a whole."""


class ConstantOverride(_NamedOverride, _ConstantArgs):
    """Fill the named sub-module's weights with a constant."""

    type: Literal["Constant"] = "Constant"
    """MMEngine's registry name of the initializer."""


class XavierOverride(_NamedOverride, _XavierArgs):
    """Glorot (Xavier) initialization of the named sub-module."""

    type: Literal["Xavier"] = "Xavier"
    """MMEngine's registry name of the initializer."""


class NormalOverride(_NamedOverride, _NormalArgs):
    """Draw the named sub-module's weights from a normal distribution."""

    type: Literal["Normal"] = "Normal"
    """MMEngine's registry name of the initializer."""


class TruncNormalOverride(_NamedOverride, _TruncNormalArgs):
    """Draw the named sub-module's weights from a truncated normal distribution."""

    type: Literal["TruncNormal"] = "TruncNormal"
    """MMEngine's registry name of the initializer."""


class UniformOverride(_NamedOverride, _UniformArgs):
    """Draw the named sub-module's weights from a uniform distribution."""

    type: Literal["Uniform"] = "Uniform"
    """MMEngine's registry name of the initializer."""


class KaimingOverride(_NamedOverride, _KaimingArgs):
    """He (Kaiming) initialization of the named sub-module."""

    type: Literal["Kaiming"] = "Kaiming"
    """MMEngine's registry name of the initializer."""


class Caffe2XavierOverride(_NamedOverride, _InitArgs):
    """Caffe2's XavierFill (Kaiming uniform, fan_in, a=1) of the named sub-module."""

    type: Literal["Caffe2Xavier"] = "Caffe2Xavier"
    """MMEngine's registry name of the initializer."""


class PretrainedOverride(_NamedOverride, _PretrainedArgs):
    """Load the named sub-module's weights from a checkpoint."""


_NAME_TAG = "name"


def _override_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        tag = value.get("type")
        return _NAME_TAG if tag is None else str(tag)
    if isinstance(value, NameOverride):
        return _NAME_TAG
    return getattr(value, "type", None)


InitOverride = Annotated[
    Union[
        Annotated[NameOverride, Tag(_NAME_TAG)],
        Annotated[ConstantOverride, Tag("Constant")],
        Annotated[XavierOverride, Tag("Xavier")],
        Annotated[NormalOverride, Tag("Normal")],
        Annotated[TruncNormalOverride, Tag("TruncNormal")],
        Annotated[UniformOverride, Tag("Uniform")],
        Annotated[KaimingOverride, Tag("Kaiming")],
        Annotated[Caffe2XavierOverride, Tag("Caffe2Xavier")],
        Annotated[PretrainedOverride, Tag("Pretrained")],
    ],
    Discriminator(_override_tag),
]
"""An `override` entry: `name` alone re-applies the enclosing initializer to that sub-module; with a `type`,
its own initializer."""


# --- top-level initializers --------------------------------------------------------------------------


class _LayerInit(_InitArgs):
    """A top-level weight initializer: applies to the layers named by `layer`, and to `override`'s modules."""

    layer: LayerNames | None = None
    """Layer class names to initialize (`Conv2d`, `_BatchNorm`, ...): a layer matches by its class or a base.
    None: no layer (only `override` is initialized)."""
    override: Annotated[InitOverride | Seq[InitOverride], one_or_many(InitOverride)] | None = None
    """Sub-modules, by attribute name, initialized as a whole (by this initializer or their own)."""

    @model_validator(mode="after")
    def _check_target(self) -> _LayerInit:
        rules = Rules()
        if self.layer is None and self.override is None:
            rules.add(
                "init-targets-nothing",
                ("layer",),
                f"{self.type} has neither layer nor override, so MMEngine initializes nothing with it.",
                "Name the layer classes to initialize, e.g. layer='Conv2d' (or a list), "
                "or a sub-module with override=dict(name=...).",
            )
        elif self.layer is not None and not isinstance(self.layer, str) and not self.layer:
            rules.add(
                "init-targets-nothing",
                ("layer",),
                f"layer is empty, so {self.type} initializes no layer.",
                "Name the layer classes to initialize, e.g. layer=['Conv2d', 'Linear'].",
            )
        rules.raise_if_any()
        return self


class ConstantInit(_LayerInit, _ConstantArgs):
    """Fill the weights of the selected layers with a constant (and their biases with `bias`)."""

    type: Literal["Constant"] = "Constant"
    """MMEngine's registry name of the initializer."""


class XavierInit(_LayerInit, _XavierArgs):
    """Glorot (Xavier) initialization of the selected layers."""

    type: Literal["Xavier"] = "Xavier"
    """MMEngine's registry name of the initializer."""


class NormalInit(_LayerInit, _NormalArgs):
    """Draw the weights of the selected layers from a normal distribution."""

    type: Literal["Normal"] = "Normal"
    """MMEngine's registry name of the initializer."""


class TruncNormalInit(_LayerInit, _TruncNormalArgs):
    """Draw the weights of the selected layers from a normal distribution truncated to [a, b]."""

    type: Literal["TruncNormal"] = "TruncNormal"
    """MMEngine's registry name of the initializer."""


class UniformInit(_LayerInit, _UniformArgs):
    """Draw the weights of the selected layers from a uniform distribution on [a, b]."""

    type: Literal["Uniform"] = "Uniform"
    """MMEngine's registry name of the initializer."""


class KaimingInit(_LayerInit, _KaimingArgs):
    """He (Kaiming) initialization of the selected layers."""

    type: Literal["Kaiming"] = "Kaiming"
    """MMEngine's registry name of the initializer."""


class Caffe2XavierInit(_LayerInit):
    """Caffe2's XavierFill: Kaiming uniform with fan_in and a=1 (its arguments are fixed)."""

    type: Literal["Caffe2Xavier"] = "Caffe2Xavier"
    """MMEngine's registry name of the initializer."""


class PretrainedInit(_PretrainedArgs):
    """Load weights from a checkpoint (MMEngine runs it after the other initializers)."""


_InitializerUnion = Annotated[
    Union[
        ConstantInit,
        XavierInit,
        NormalInit,
        TruncNormalInit,
        UniformInit,
        KaimingInit,
        Caffe2XavierInit,
        PretrainedInit,
    ],
    Field(discriminator="type"),
]
if TYPE_CHECKING or SCHEMA_MODE:
    Initializer = _InitializerUnion
else:  # validated member by member: each member's validator is built once and shared (see LazyUnion.of)
    Initializer = Annotated[Any, LazyUnion.of(_InitializerUnion)]
"""One weight initializer of an `init_cfg`."""

InitConfig = Annotated[Initializer | Seq[Initializer], one_or_many(Initializer)]
"""An `init_cfg`: one initializer, or a list run in order (a Pretrained one last)."""


def initializers(init_cfg: Any) -> tuple[Any, ...]:
    """The initializers of an init_cfg value (None, one, or a sequence) as a tuple."""
    if init_cfg is None:
        return ()
    if isinstance(init_cfg, Sequence):
        return tuple(init_cfg)
    return (init_cfg,)


def checkpoints(init_cfg: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """`(path below init_cfg, checkpoint)` of every Pretrained initializer in an init_cfg, overrides included."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    many = isinstance(init_cfg, Sequence)
    for index, init in enumerate(initializers(init_cfg)):
        at: tuple[str | int, ...] = (index,) if many else ()
        if isinstance(init, PretrainedInit):
            found.append(((*at, "checkpoint"), init.checkpoint))
        override = getattr(init, "override", None)
        many_overrides = isinstance(override, Sequence)
        for k, entry in enumerate(initializers(override)):
            if isinstance(entry, PretrainedOverride):
                where: tuple[str | int, ...] = (k,) if many_overrides else ()
                found.append(((*at, "override", *where, "checkpoint"), entry.checkpoint))
    return found
