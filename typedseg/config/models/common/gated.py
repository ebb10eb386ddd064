"""Self-gated activations (`act_cfg`): the input times a sigmoid-like gate of itself."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class SiLU(ConfigModel):
    """`nn.SiLU`: x * sigmoid(x)."""

    type: Literal["SiLU"] = "SiLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""


class Swish(ConfigModel):
    """MMCV's Swish: x * sigmoid(x), without arguments."""

    type: Literal["Swish"] = "Swish"
    """MMCV's registry name of the activation."""


class HSwish(ConfigModel):
    """Hard swish (`nn.Hardswish`): x * relu6(x + 3) / 6, MobileNetV3's."""

    type: Literal["HSwish"] = "HSwish"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
