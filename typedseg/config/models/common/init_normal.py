"""The Normal weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _NormalArgs


class NormalInit(_LayerInit, _NormalArgs):
    """Draw the weights of the selected layers from a normal distribution."""

    type: Literal["Normal"] = "Normal"
    """MMEngine's registry name of the initializer."""
