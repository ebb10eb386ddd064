"""The HSwish activation (`act_cfg`): MMCV's registered layer and its arguments."""

from typing import Literal

from typedseg.config.base import ConfigModel
from typedseg.config.models.common._shared import Inplace


class HSwish(ConfigModel):
    """Hard swish (`nn.Hardswish`): x * relu6(x + 3) / 6, MobileNetV3's."""

    type: Literal["HSwish"] = "HSwish"
    """MMCV's registry name of the activation."""
    inplace: Inplace = None
    """Overwrite the input. None: the building module decides (MMCV's ConvModule: True; torch: False)."""
