"""The LeakyReLU activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class LeakyReLU(ConfigModel):
    """`nn.LeakyReLU`: x for x >= 0, negative_slope * x below."""

    type: Literal["LeakyReLU"] = "LeakyReLU"
    """MMCV's registry name of the activation."""
    negative_slope: float = 0.01
    """Slope for negative inputs."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
