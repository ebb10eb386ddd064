"""MMPretrain's ConvNeXt (`mmpretrain.ConvNeXt` in MMSegmentation configs): a patchify stem, downsampling layers
and stages of ConvNeXt blocks, with MMPretrain's module names (downsample_layers, stages, norm{i})."""

import torch
import torch.utils.checkpoint
from torch import Tensor, nn

from typedseg.config.models.backbones import ConvNeXt
from typedseg.config.models.common import LN2d
from typedseg.models.init import BaseModule
from typedseg.models.layers import DropPath, LayerNorm2d, build_activation


def _layer_norm_2d(cfg: LN2d, channels: int) -> LayerNorm2d:
    norm = LayerNorm2d(channels, cfg.eps, cfg.elementwise_affine, cfg.bias)
    for parameter in norm.parameters():
        parameter.requires_grad = cfg.requires_grad
    return norm


class GRN(nn.Module):
    """Global Response Normalization (ConvNeXt v2)."""

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.zeros(channels))
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor, data_format: str = "channel_first") -> Tensor:
        if data_format == "channel_last":
            gx = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
            nx = gx / (gx.mean(dim=-1, keepdim=True) + self.eps)
            return self.gamma * (x * nx) + self.beta + x  # type: ignore[no-any-return]
        gx = torch.norm(x, p=2, dim=(2, 3), keepdim=True)
        nx = gx / (gx.mean(dim=1, keepdim=True) + self.eps)
        return self.gamma.view(1, -1, 1, 1) * (x * nx) + self.beta.view(1, -1, 1, 1) + x  # type: ignore[no-any-return]


class ConvNeXtBlock(BaseModule):
    """Depthwise 7x7 conv, norm, pointwise MLP (Linear on channel-last maps, or 1x1 convs), layer scale,
    drop-path residual."""

    def __init__(self, cfg: ConvNeXt, norm: LN2d, channels: int, drop_path: float) -> None:
        super().__init__()
        self.with_cp = cfg.with_cp
        self.depthwise_conv = nn.Conv2d(channels, channels, 7, padding=3, groups=channels)
        self.linear_pw_conv = cfg.linear_pw_conv
        self.norm = _layer_norm_2d(norm, channels)
        mid = 4 * channels
        self.pointwise_conv1: nn.Module
        self.pointwise_conv2: nn.Module
        if cfg.linear_pw_conv:
            self.pointwise_conv1, self.pointwise_conv2 = nn.Linear(channels, mid), nn.Linear(mid, channels)
        else:
            self.pointwise_conv1, self.pointwise_conv2 = (
                nn.Conv2d(channels, mid, 1),
                nn.Conv2d(mid, channels, 1),
            )
        self.act = build_activation(cfg.act_cfg)
        self.grn = GRN(mid) if cfg.use_grn else None
        scale = cfg.layer_scale_init_value
        self.gamma = nn.Parameter(scale * torch.ones(channels)) if scale > 0 else None
        self.drop_path: nn.Module = DropPath(drop_path) if drop_path > 0 else nn.Identity()

    def _branch(self, x: Tensor) -> Tensor:
        x = self.depthwise_conv(x)
        layout = "channel_last" if self.linear_pw_conv else "channel_first"
        if self.linear_pw_conv:
            x = x.permute(0, 2, 3, 1)
        x = self.act(self.pointwise_conv1(self.norm(x, data_format=layout)))
        if self.grn is not None:
            x = self.grn(x, data_format=layout)
        x = self.pointwise_conv2(x)
        if self.linear_pw_conv:
            x = x.permute(0, 3, 1, 2)
        if self.gamma is not None:
            x = x.mul(self.gamma.view(1, -1, 1, 1))
        return x

    def forward(self, x: Tensor) -> Tensor:
        def inner(x: Tensor) -> Tensor:
            return x + self.drop_path(self._branch(x))  # type: ignore[no-any-return]

        if self.with_cp and x.requires_grad:
            return torch.utils.checkpoint.checkpoint(inner, x, use_reentrant=False)  # type: ignore[no-any-return]
        return inner(x)


class ConvNeXtStage(BaseModule, nn.Sequential):
    """MMEngine's Sequential of ConvNeXt blocks (its blocks initialize with the backbone)."""


class ConvNeXtBackbone(BaseModule):
    """MMPretrain's ConvNeXt; outputs the normalized maps of the stages in out_indices."""

    def __init__(self, cfg: ConvNeXt) -> None:
        super().__init__()
        self.set_init_cfg(cfg.init_cfg)
        if not isinstance(cfg.norm_cfg, LN2d):
            raise ValueError("ConvNeXt needs norm_cfg=LN2d (its blocks call the norm with a data_format)")
        norm = cfg.norm_cfg
        depths, channels = cfg.stages()
        self.out_indices = cfg.resolved_out_indices()
        self.frozen_stages = cfg.frozen_stages
        self.gap_before_final_norm = cfg.gap_before_final_norm
        total = sum(depths)
        rates = [cfg.drop_path_rate * i / (total - 1) if total > 1 else 0.0 for i in range(total)]
        self.downsample_layers = nn.ModuleList(
            [
                nn.Sequential(
                    nn.Conv2d(cfg.in_channels, channels[0], cfg.stem_patch_size, cfg.stem_patch_size),
                    _layer_norm_2d(norm, channels[0]),
                )
            ]
        )
        self.stages = nn.ModuleList()
        done = 0
        for i, (depth, width) in enumerate(zip(depths, channels, strict=True)):
            if i >= 1:
                self.downsample_layers.append(
                    nn.Sequential(
                        _layer_norm_2d(norm, channels[i - 1]), nn.Conv2d(channels[i - 1], width, 2, 2)
                    )
                )
            self.stages.append(
                ConvNeXtStage(*(ConvNeXtBlock(cfg, norm, width, rates[done + j]) for j in range(depth)))
            )
            done += depth
            if i in self.out_indices:
                self.add_module(f"norm{i}", _layer_norm_2d(norm, width))
        self._freeze_stages()

    def _freeze_stages(self) -> None:
        for i in range(self.frozen_stages):
            for module in (self.downsample_layers[i], self.stages[i]):
                module.eval()
                for parameter in module.parameters():
                    parameter.requires_grad = False

    def forward(self, x: Tensor) -> tuple[Tensor, ...]:
        outs: list[Tensor] = []
        for i, stage in enumerate(self.stages):
            x = stage(self.downsample_layers[i](x))
            if i in self.out_indices:
                norm = self.get_submodule(f"norm{i}")
                if self.gap_before_final_norm:
                    outs.append(norm(x.mean([-2, -1], keepdim=True)).flatten(1))
                else:
                    outs.append(norm(x))
        return tuple(outs)

    def train(self, mode: bool = True) -> "ConvNeXtBackbone":
        super().train(mode)
        self._freeze_stages()
        return self
