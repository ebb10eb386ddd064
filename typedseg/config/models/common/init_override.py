"""The typed `override` entries of an initializer (all but `name` alone), and their real tagged union."""

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Tag

from typedseg.config.models.common.init_args import (
    NameOverride,
    _ConstantArgs,
    _InitArgs,
    _KaimingArgs,
    _NamedOverride,
    _NormalArgs,
    _PretrainedArgs,
    _TruncNormalArgs,
    _UniformArgs,
    _XavierArgs,
)


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


_TaggedInitOverride = Annotated[
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
"""The real union of `override` entries (fields validate through `init.InitOverride`): `name` alone re-applies
the enclosing initializer to that sub-module; with a `type`, its own initializer."""
