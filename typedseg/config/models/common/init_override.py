"""The typed `override` entries of an initializer (all but `name` alone, which is `init_args.NameOverride`).

Their unions (the lazy one fields validate through, the real one) are generated from the family table into
`_overrides` and `_tagged`.
"""

from typing import Literal

from typedseg.config.models.common.init_args import (
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
