"""The ReLU6 activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class ReLU6(ConfigModel):
    """`nn.ReLU6`: min(max(0, x), 6)."""

    type: Literal["ReLU6"] = "ReLU6"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
