"""The SiLU activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class SiLU(ConfigModel):
    """`nn.SiLU`: x * sigmoid(x)."""

    type: Literal["SiLU"] = "SiLU"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
