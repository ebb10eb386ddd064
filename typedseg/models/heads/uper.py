"""MMSegmentation's UPerHead: a pyramid pooling module (PPM) on the last map and an FPN over all of them."""

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from typedseg.config.models.common._tagged import _ActConfigUnion, _ConvConfigUnion, _NormConfigUnion
from typedseg.config.models.heads import UPerHead
from typedseg.models.heads.base import DecodeHead
from typedseg.models.layers import ConvModule, resize


class PPM(nn.ModuleList):
    """Adaptive average pools to each scale, a 1x1 ConvModule each, upsampled back to the input size."""

    def __init__(
        self,
        pool_scales: Sequence[int],
        in_channels: int,
        channels: int,
        conv_cfg: _ConvConfigUnion | None,
        norm_cfg: _NormConfigUnion | None,
        act_cfg: _ActConfigUnion | None,
        align_corners: bool,
    ) -> None:
        super().__init__(
            nn.Sequential(
                nn.AdaptiveAvgPool2d(scale),
                ConvModule(in_channels, channels, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg),
            )
            for scale in pool_scales
        )
        self.align_corners = align_corners

    def forward(self, x: Tensor) -> list[Tensor]:
        return [
            resize(ppm(x), x.shape[2:], mode="bilinear", align_corners=self.align_corners) for ppm in self
        ]


class UPerHeadModule(DecodeHead):
    """UPerNet's head."""

    def __init__(self, cfg: UPerHead) -> None:
        super().__init__(cfg)
        assert isinstance(self.in_channels, tuple)
        ins = self.in_channels

        def conv(in_channels: int, kernel: int) -> ConvModule:
            return ConvModule(
                in_channels,
                self.channels,
                kernel,
                padding=kernel // 2,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg,
            )

        self.psp_modules = PPM(
            cfg.pool_scales,
            ins[-1],
            self.channels,
            self.conv_cfg,
            self.norm_cfg,
            self.act_cfg,
            self.align_corners,
        )
        self.bottleneck = conv(ins[-1] + len(cfg.pool_scales) * self.channels, 3)
        self.lateral_convs = nn.ModuleList(conv(c, 1) for c in ins[:-1])
        self.fpn_convs = nn.ModuleList(conv(self.channels, 3) for _ in ins[:-1])
        self.fpn_bottleneck = conv(len(ins) * self.channels, 3)

    def psp_forward(self, inputs: Sequence[Tensor]) -> Tensor:
        x = inputs[-1]
        return self.bottleneck(torch.cat([x, *self.psp_modules(x)], dim=1))  # type: ignore[no-any-return]

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        maps = self.transform_inputs(inputs)
        laterals = [conv(maps[i]) for i, conv in enumerate(self.lateral_convs)]
        laterals.append(self.psp_forward(maps))
        levels = len(laterals)
        for i in range(levels - 1, 0, -1):
            laterals[i - 1] = laterals[i - 1] + resize(
                laterals[i], laterals[i - 1].shape[2:], mode="bilinear", align_corners=self.align_corners
            )
        outs = [self.fpn_convs[i](laterals[i]) for i in range(levels - 1)]
        outs.append(laterals[-1])
        for i in range(levels - 1, 0, -1):
            outs[i] = resize(outs[i], outs[0].shape[2:], mode="bilinear", align_corners=self.align_corners)
        return self.cls_seg(self.fpn_bottleneck(torch.cat(outs, dim=1)))
