"""Group and instance normalization configs (`norm_cfg`): MMCV's GN and IN."""

from typing import Annotated, Literal

from pydantic import Field, PositiveInt

from typedseg.config.models.common.norm import _Norm


class GN(_Norm):
    """Group normalization (`nn.GroupNorm`): statistics per sample over groups of channels."""

    type: Literal["GN"] = "GN"
    """MMCV's registry name: `nn.GroupNorm`."""
    num_groups: PositiveInt
    """Number of channel groups; must divide the channels of every layer it normalizes."""
    affine: bool = True
    """Learn a per-channel scale and shift."""


class IN(_Norm):
    """Instance normalization (`nn.InstanceNorm2d`): statistics per sample and channel."""

    type: Literal["IN"] = "IN"
    """MMCV's registry name: `nn.InstanceNorm2d`."""
    momentum: Annotated[float, Field(ge=0.0, le=1.0)] | None = 0.1
    """Weight of the current batch in the running statistics (used with track_running_stats)."""
    affine: bool = False
    """Learn a per-channel scale and shift (torch's default: no)."""
    track_running_stats: bool = False
    """Keep running statistics for evaluation (torch's default: no)."""
