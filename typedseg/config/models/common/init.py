"""Weight initializer configs (`init_cfg`): MMEngine's initializers and their `override` entries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq
from typedseg.config.models.common._shared import one_or_many

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
