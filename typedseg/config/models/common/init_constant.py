"""The Constant weight initializer (`init_cfg`): MMEngine's, with its arguments."""

from typing import Literal

from typedseg.config.models.common.init import _LayerInit
from typedseg.config.models.common.init_args import _ConstantArgs


class ConstantInit(_LayerInit, _ConstantArgs):
    """Fill the weights of the selected layers with a constant (and their biases with `bias`)."""

    type: Literal["Constant"] = "Constant"
    """MMEngine's registry name of the initializer."""
