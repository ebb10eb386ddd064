"""Initializers that draw weights from a fixed distribution (`init_cfg`): normal, truncated normal, uniform."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _NormalArgs, _TruncNormalArgs, _UniformArgs


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
