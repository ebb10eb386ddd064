"""MMSegmentation's SegformerHead."""

from typing import Literal

from typedseg.config.models.common import InterpolateMode
from typedseg.config.models.heads._base import _MultiMapHead


class SegformerHead(_MultiMapHead):
    """SegFormer's all-MLP head: each map to `channels`, resized to the first, concatenated and fused."""

    type: Literal["SegformerHead"] = "SegformerHead"
    """MMSegmentation's registry name of the head."""
    interpolate_mode: InterpolateMode = "bilinear"
    """How the maps are resized to the first one's size."""
