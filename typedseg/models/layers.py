"""The building blocks every model family shares: norm/activation/conv layers from their typed configs,
MMCV's ConvModule (same attribute names, so checkpoints load), and MMSeg's `resize`.

Each builder is a `match` over the config classes of its family, ending in `assert_never`.
"""

from typing import assert_never

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from typedseg.config.models.common import (
    BN,
    ELU,
    GELU,
    GN,
    IN,
    LN,
    BN2d,
    Conv,
    Conv2d,
    HSigmoid,
    HSwish,
    LeakyReLU,
    LN2d,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Swish,
    SyncBN,
    Tanh,
)
from typedseg.config.models.common._tagged import _ActConfigUnion, _ConvConfigUnion, _NormConfigUnion
from typedseg.models.init import constant_init, kaiming_init


class LayerNorm2d(nn.LayerNorm):
    """MMPretrain's LayerNorm2d: layer norm over the channels of an (N, C, H, W) map."""

    def forward(self, x: Tensor, data_format: str = "channel_first") -> Tensor:
        if data_format == "channel_last":
            return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2).contiguous()


class MMCVSwish(nn.Module):
    """MMCV's Swish: x * sigmoid(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.sigmoid(x)


class MMCVHSigmoid(nn.Module):
    """MMCV's HSigmoid: clamp((x + bias) / divisor, min_value, max_value)."""

    def __init__(self, bias: float, divisor: float, min_value: float, max_value: float) -> None:
        super().__init__()
        self.bias, self.divisor, self.min_value, self.max_value = bias, divisor, min_value, max_value

    def forward(self, x: Tensor) -> Tensor:
        return ((x + self.bias) / self.divisor).clamp_(self.min_value, self.max_value)


def _distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized()


def norm_abbreviation(cfg: _NormConfigUnion) -> str:
    """The attribute name MMCV's ConvModule gives its norm layer (`bn`, `gn`, `ln`, `in`)."""
    match cfg:
        case BN() | BN2d() | SyncBN():
            return "bn"
        case GN():
            return "gn"
        case LN() | LN2d():
            return "ln"
        case IN():
            return "in"
        case _:
            assert_never(cfg)


def build_norm(cfg: _NormConfigUnion, channels: int) -> nn.Module:
    """MMCV's `build_norm_layer` (the layer only). SyncBN is BatchNorm2d outside a process group, as MMEngine
    reverts it there; the parameters and buffers are the same."""
    layer: nn.Module
    match cfg:
        case BN() | BN2d():
            layer = nn.BatchNorm2d(channels, cfg.eps, cfg.momentum, cfg.affine, cfg.track_running_stats)
        case SyncBN():
            kind = nn.SyncBatchNorm if _distributed() else nn.BatchNorm2d
            layer = kind(channels, cfg.eps, cfg.momentum, cfg.affine, cfg.track_running_stats)
        case GN():
            layer = nn.GroupNorm(cfg.num_groups, channels, cfg.eps, cfg.affine)
        case LN():
            layer = nn.LayerNorm(channels, cfg.eps, cfg.elementwise_affine, cfg.bias)
        case LN2d():
            layer = LayerNorm2d(channels, cfg.eps, cfg.elementwise_affine, cfg.bias)
        case IN():
            layer = nn.InstanceNorm2d(
                channels, cfg.eps, cfg.momentum or 0.1, cfg.affine, cfg.track_running_stats
            )
        case _:
            assert_never(cfg)
    for parameter in layer.parameters():
        parameter.requires_grad = cfg.requires_grad
    return layer


def build_activation(cfg: _ActConfigUnion, inplace_default: bool = False) -> nn.Module:
    """MMCV's `build_activation_layer`; `inplace_default` is what an unset `inplace` means (ConvModule: True)."""

    def inplace(value: bool | None) -> bool:
        return inplace_default if value is None else value

    match cfg:
        case ReLU():
            return nn.ReLU(inplace(cfg.inplace))
        case ReLU6():
            return nn.ReLU6(inplace(cfg.inplace))
        case LeakyReLU():
            return nn.LeakyReLU(cfg.negative_slope, inplace(cfg.inplace))
        case PReLU():
            return nn.PReLU(cfg.num_parameters, cfg.init)
        case ELU():
            return nn.ELU(cfg.alpha, inplace(cfg.inplace))
        case GELU():
            return nn.GELU(cfg.approximate)
        case SiLU():
            return nn.SiLU(inplace(cfg.inplace))
        case Swish():
            return MMCVSwish()
        case HSwish():
            return nn.Hardswish(inplace(cfg.inplace))
        case HSigmoid():
            return MMCVHSigmoid(cfg.bias, cfg.divisor, cfg.min_value, cfg.max_value)
        case Sigmoid():
            return nn.Sigmoid()
        case Tanh():
            return nn.Tanh()
        case _:
            assert_never(cfg)


def build_conv(
    cfg: _ConvConfigUnion | None,
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    *,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    groups: int = 1,
    bias: bool = True,
) -> nn.Conv2d:
    """MMCV's `build_conv_layer`: every typed conv_cfg is a plain Conv2d."""
    match cfg:
        case None | Conv2d() | Conv():
            return nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)
        case _:
            assert_never(cfg)


_RELU = ReLU()


class ConvModule(nn.Module):
    """MMCV's ConvModule (conv -> norm -> activation) with its attribute names: `conv`, the norm's
    abbreviation (`bn`, `gn`, ...), `activate`. Initialized at construction as MMCV does (Kaiming fan_out for the
    conv, 1/0 for the norm)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        stride: int = 1,
        padding: int = 0,
        dilation: int = 1,
        groups: int = 1,
        bias: bool | None = None,
        conv_cfg: _ConvConfigUnion | None = None,
        norm_cfg: _NormConfigUnion | None = None,
        act_cfg: _ActConfigUnion | None = _RELU,
    ) -> None:
        super().__init__()
        with_bias = norm_cfg is None if bias is None else bias
        self.conv = build_conv(
            conv_cfg,
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            bias=with_bias,
        )
        self.norm_name: str | None = None
        if norm_cfg is not None:
            self.norm_name = norm_abbreviation(norm_cfg)
            self.add_module(self.norm_name, build_norm(norm_cfg, out_channels))
        self.activate: nn.Module | None = (
            None if act_cfg is None else build_activation(act_cfg, inplace_default=True)
        )
        leaky = isinstance(act_cfg, LeakyReLU)
        kaiming_init(
            self.conv,
            a=act_cfg.negative_slope if isinstance(act_cfg, LeakyReLU) else 0.0,
            nonlinearity="leaky_relu" if leaky else "relu",
        )
        if self.norm_name is not None:
            constant_init(getattr(self, self.norm_name), 1.0, bias=0.0)

    @property
    def norm(self) -> nn.Module | None:
        return None if self.norm_name is None else getattr(self, self.norm_name)

    def forward(self, x: Tensor) -> Tensor:
        x = self.conv(x)
        if self.norm_name is not None:
            x = getattr(self, self.norm_name)(x)
        if self.activate is not None:
            x = self.activate(x)
        return x


def resize(
    x: Tensor,
    size: tuple[int, int] | list[int] | torch.Size | None = None,
    scale_factor: float | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """MMSeg's `resize`: F.interpolate (its warnings left out)."""
    target = None if size is None else tuple(int(s) for s in size)
    return F.interpolate(x, target, scale_factor, mode, align_corners)


class DropPath(nn.Module):
    """Stochastic depth (MMCV's DropPath): drop a residual branch per sample while training."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x: Tensor) -> Tensor:
        if self.drop_prob == 0.0 or not self.training:
            return x
        keep = 1 - self.drop_prob
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = (keep + torch.rand(shape, dtype=x.dtype, device=x.device)).floor()
        return x.div(keep) * mask


def nlc_to_nchw(x: Tensor, hw_shape: tuple[int, int]) -> Tensor:
    """(N, H*W, C) tokens to an (N, C, H, W) map."""
    h, w = hw_shape
    return x.transpose(1, 2).reshape(x.shape[0], x.shape[2], h, w)


def nchw_to_nlc(x: Tensor) -> Tensor:
    """An (N, C, H, W) map to (N, H*W, C) tokens."""
    return x.flatten(2).transpose(1, 2).contiguous()
