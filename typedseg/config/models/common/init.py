"""Weight initializer configs (`init_cfg`): MMEngine's initializers and their `override` entries."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import model_validator

from typedseg.config.base import SCHEMA_MODE, Rules, Seq
from typedseg.config.lazy import LazyUnion, when_loaded
from typedseg.config.models.common._shared import one_or_many
from typedseg.config.models.common.init_args import (
    _ConstantArgs,
    _InitArgs,
    _NormalArgs,
    _PretrainedArgs,
    _TruncNormalArgs,
)

LayerNames = str | Seq[str]


OVERRIDE_CLASSES = {
    "name": "NameOverride",
    "Constant": "ConstantOverride",
    "Xavier": "XavierOverride",
    "Normal": "NormalOverride",
    "TruncNormal": "TruncNormalOverride",
    "Uniform": "UniformOverride",
    "Kaiming": "KaimingOverride",
    "Caffe2Xavier": "Caffe2XavierOverride",
    "Pretrained": "PretrainedOverride",
}
"""`override` entry tag -> class; an entry without `type` is a NameOverride (tag `name`)."""
if TYPE_CHECKING or SCHEMA_MODE:
    from typedseg.config.models.common.init_override import PretrainedOverride, _TaggedInitOverride

    _PretrainedOverride = PretrainedOverride
    InitOverride = _TaggedInitOverride
else:  # typed overrides load only when a config writes one
    _PretrainedOverride = when_loaded("typedseg.config.models.common.init_override", "PretrainedOverride")
    InitOverride = Annotated[
        Any,
        LazyUnion(
            "typedseg.config.models.common",
            frozenset(OVERRIDE_CLASSES),
            default="name",
            names=tuple(OVERRIDE_CLASSES.items()),
        ),
    ]


class _LayerInit(_InitArgs):
    """A top-level weight initializer: applies to the layers named by `layer`, and to `override`'s modules."""

    layer: LayerNames | None = None
    """Layer class names to initialize (`Conv2d`, `_BatchNorm`, ...): a layer matches by its class or a base.
    None: no layer (only `override` is initialized)."""
    override: Annotated[InitOverride | Seq[InitOverride], one_or_many(InitOverride)] | None = None
    """Sub-modules, by attribute name, initialized as a whole (by this initializer or their own)."""

    @model_validator(mode="after")
    def _check_target(self) -> "_LayerInit":
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


class NormalInit(_LayerInit, _NormalArgs):
    """Draw the weights of the selected layers from a normal distribution."""

    type: Literal["Normal"] = "Normal"
    """MMEngine's registry name of the initializer."""


class TruncNormalInit(_LayerInit, _TruncNormalArgs):
    """Draw the weights of the selected layers from a normal distribution truncated to [a, b]."""

    type: Literal["TruncNormal"] = "TruncNormal"
    """MMEngine's registry name of the initializer."""


class PretrainedInit(_PretrainedArgs):
    """Load weights from a checkpoint (MMEngine runs it after the other initializers)."""


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
            if isinstance(entry, _PretrainedOverride):
                where: tuple[str | int, ...] = (k,) if many_overrides else ()
                found.append(((*at, "override", *where, "checkpoint"), entry.checkpoint))
    return found
