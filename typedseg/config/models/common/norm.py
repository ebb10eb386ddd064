"""Normalization layer configs (`norm_cfg`): MMCV's BN, SyncBN, GN, LN and friends."""

from typing import Annotated, Literal

from pydantic import Field, PositiveFloat

from typedseg.config.base import ConfigModel


class _Norm(ConfigModel):
    """Fields of every norm_cfg: MMCV pops `requires_grad` and passes the rest to the layer."""

    type: str
    """MMCV's registry name of the normalization layer."""
    requires_grad: bool = True
    """Train the layer's affine parameters; False freezes them (MMCV sets `requires_grad` on each)."""
    eps: PositiveFloat = 1e-5
    """Added to the variance for numerical stability (MMCV's default, as torch's)."""


class _BatchNorm(_Norm):
    momentum: Annotated[float, Field(ge=0.0, le=1.0)] | None = 0.1
    """Weight of the current batch in the running statistics; None: a cumulative average."""
    affine: bool = True
    """Learn a per-channel scale and shift."""
    track_running_stats: bool = True
    """Keep running mean/variance for evaluation; False normalizes with batch statistics in eval too."""


class BN(_BatchNorm):
    """Batch normalization (`nn.BatchNorm2d`), statistics per process."""

    type: Literal["BN"] = "BN"
    """MMCV's registry name: `nn.BatchNorm2d`."""


class BN2d(_BatchNorm):
    """Batch normalization under its explicit name (`nn.BatchNorm2d`, the same layer as BN)."""

    type: Literal["BN2d"] = "BN2d"
    """MMCV's registry name: `nn.BatchNorm2d`."""


class SyncBN(_BatchNorm):
    """Batch normalization with statistics synchronized across processes (`nn.SyncBatchNorm`)."""

    type: Literal["SyncBN"] = "SyncBN"
    """MMCV's registry name: `nn.SyncBatchNorm` (MMEngine reverts it to BN when not distributed)."""


BATCH_NORMS = (BN, BN2d, SyncBN)
"""The norm configs whose layers keep running statistics that `norm_eval` freezes."""
