"""MMSegmentation's FCNHead: num_convs convs, optionally fused with the input, then the classifier."""

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from typedseg.config.models.heads.fcn import FCNHead as FCNHeadConfig
from typedseg.models.heads.base import DecodeHead
from typedseg.models.layers import ConvModule


class FCNHeadModule(DecodeHead):
    """Fully convolutional head (also the usual auxiliary head)."""

    def __init__(self, cfg: FCNHeadConfig) -> None:
        super().__init__(cfg)
        assert isinstance(self.in_channels, int)
        self.concat_input = cfg.concat_input
        k, d = cfg.kernel_size, cfg.dilation
        padding = (k // 2) * d

        def conv(in_channels: int) -> ConvModule:
            return ConvModule(
                in_channels,
                self.channels,
                k,
                padding=padding,
                dilation=d,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg,
            )

        self.convs: nn.Module = (
            nn.Identity()
            if cfg.num_convs == 0
            else nn.Sequential(
                conv(self.in_channels), *(conv(self.channels) for _ in range(cfg.num_convs - 1))
            )
        )
        if self.concat_input:
            self.conv_cat = ConvModule(
                self.in_channels + self.channels,
                self.channels,
                k,
                padding=k // 2,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg,
            )

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        x = self.transform_inputs(inputs)
        feats = self.convs(x)
        if self.concat_input:
            feats = self.conv_cat(torch.cat([x, feats], dim=1))
        return self.cls_seg(feats)
