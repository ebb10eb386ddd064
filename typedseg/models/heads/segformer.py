"""MMSegmentation's SegformerHead: each map to `channels` by a 1x1 ConvModule, resized to the first map,
concatenated and fused by `fusion_conv`."""

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from typedseg.config.models.heads import SegformerHead
from typedseg.models.heads.base import DecodeHead
from typedseg.models.layers import ConvModule, resize


class SegformerHeadModule(DecodeHead):
    """SegFormer's all-MLP decoder."""

    def __init__(self, cfg: SegformerHead) -> None:
        super().__init__(cfg)
        assert isinstance(self.in_channels, tuple)
        self.interpolate_mode = cfg.interpolate_mode
        self.convs = nn.ModuleList(
            ConvModule(c, self.channels, 1, norm_cfg=self.norm_cfg, act_cfg=self.act_cfg)
            for c in self.in_channels
        )
        self.fusion_conv = ConvModule(
            self.channels * len(self.in_channels), self.channels, 1, norm_cfg=self.norm_cfg
        )

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        maps = self.transform_inputs(inputs)
        size = maps[0].shape[2:]
        outs = [
            resize(conv(x), size, mode=self.interpolate_mode, align_corners=self.align_corners)
            for conv, x in zip(self.convs, maps, strict=True)
        ]
        return self.cls_seg(self.fusion_conv(torch.cat(outs, dim=1)))
