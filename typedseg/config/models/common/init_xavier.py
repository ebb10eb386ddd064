"""The Xavier weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _XavierArgs


class XavierInit(_LayerInit, _XavierArgs):
    """Glorot (Xavier) initialization of the selected layers."""

    type: Literal["Xavier"] = "Xavier"
    """MMEngine's registry name of the initializer."""
