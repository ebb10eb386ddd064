"""The TruncNormal weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _TruncNormalArgs


class TruncNormalInit(_LayerInit, _TruncNormalArgs):
    """Draw the weights of the selected layers from a normal distribution truncated to [a, b]."""

    type: Literal["TruncNormal"] = "TruncNormal"
    """MMEngine's registry name of the initializer."""
