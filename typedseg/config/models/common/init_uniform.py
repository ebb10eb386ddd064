"""The Uniform weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _UniformArgs


class UniformInit(_LayerInit, _UniformArgs):
    """Draw the weights of the selected layers from a uniform distribution on [a, b]."""

    type: Literal["Uniform"] = "Uniform"
    """MMEngine's registry name of the initializer."""
