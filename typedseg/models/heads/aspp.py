"""MMSegmentation's ASPPHead (DeepLabV3) and DepthwiseSeparableASPPHead (DeepLabV3+)."""

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from typedseg.config.models.common._tagged import _ActConfigUnion, _ConvConfigUnion, _NormConfigUnion
from typedseg.config.models.heads import ASPPHead, DepthwiseSeparableASPPHead
from typedseg.models.heads.base import DecodeHead
from typedseg.models.layers import ConvModule, resize


class DepthwiseSeparableConvModule(nn.Module):
    """MMCV's DepthwiseSeparableConvModule: a depthwise ConvModule, then a pointwise 1x1 ConvModule."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        padding: int,
        dilation: int = 1,
        norm_cfg: _NormConfigUnion | None,
        act_cfg: _ActConfigUnion | None,
    ) -> None:
        super().__init__()
        self.depthwise_conv = ConvModule(
            in_channels,
            in_channels,
            kernel_size,
            padding=padding,
            dilation=dilation,
            groups=in_channels,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
        )
        self.pointwise_conv = ConvModule(in_channels, out_channels, 1, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        return self.pointwise_conv(self.depthwise_conv(x))  # type: ignore[no-any-return]


def aspp_branches(
    dilations: Sequence[int],
    in_channels: int,
    channels: int,
    conv_cfg: _ConvConfigUnion | None,
    norm_cfg: _NormConfigUnion | None,
    act_cfg: _ActConfigUnion | None,
    separable: bool,
) -> nn.ModuleList:
    """One branch per dilation: a 1x1 ConvModule for dilation 1, else a dilated 3x3 (depthwise-separable)."""
    branches = nn.ModuleList()
    for d in dilations:
        if separable and d > 1:
            branches.append(
                DepthwiseSeparableConvModule(
                    in_channels, channels, 3, padding=d, dilation=d, norm_cfg=norm_cfg, act_cfg=act_cfg
                )
            )
        else:
            branches.append(
                ConvModule(
                    in_channels,
                    channels,
                    1 if d == 1 else 3,
                    dilation=d,
                    padding=0 if d == 1 else d,
                    conv_cfg=conv_cfg,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg,
                )
            )
    return branches


class ASPPHeadModule(DecodeHead):
    """Image pooling and parallel dilated convs, concatenated and fused by a 3x3 `bottleneck`."""

    def __init__(self, cfg: ASPPHead | DepthwiseSeparableASPPHead) -> None:
        super().__init__(cfg)
        assert isinstance(self.in_channels, int)
        separable = isinstance(cfg, DepthwiseSeparableASPPHead)
        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1),
            ConvModule(
                self.in_channels,
                self.channels,
                1,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg,
            ),
        )
        self.aspp_modules = aspp_branches(
            cfg.dilations,
            self.in_channels,
            self.channels,
            self.conv_cfg,
            self.norm_cfg,
            self.act_cfg,
            separable,
        )
        self.bottleneck = ConvModule(
            (len(cfg.dilations) + 1) * self.channels,
            self.channels,
            3,
            padding=1,
            conv_cfg=self.conv_cfg,
            norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg,
        )

    def aspp(self, x: Tensor) -> Tensor:
        pooled = resize(self.image_pool(x), x.shape[2:], mode="bilinear", align_corners=self.align_corners)
        return self.bottleneck(torch.cat([pooled, *(branch(x) for branch in self.aspp_modules)], dim=1))  # type: ignore[no-any-return]

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        return self.cls_seg(self.aspp(self.transform_inputs(inputs)))


class DepthwiseSeparableASPPHeadModule(ASPPHeadModule):
    """ASPP with depthwise-separable branches, fused with the low-level map inputs[0] (`c1_bottleneck`) by two
    depthwise-separable convs (`sep_bottleneck`)."""

    def __init__(self, cfg: DepthwiseSeparableASPPHead) -> None:
        super().__init__(cfg)
        self.c1_bottleneck: ConvModule | None = None
        if cfg.c1_in_channels > 0:
            self.c1_bottleneck = ConvModule(
                cfg.c1_in_channels,
                cfg.c1_channels,
                1,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg,
            )
        self.sep_bottleneck = nn.Sequential(
            DepthwiseSeparableConvModule(
                self.channels + cfg.c1_channels,
                self.channels,
                3,
                padding=1,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg,
            ),
            DepthwiseSeparableConvModule(
                self.channels, self.channels, 3, padding=1, norm_cfg=self.norm_cfg, act_cfg=self.act_cfg
            ),
        )

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        output = self.aspp(self.transform_inputs(inputs))
        if self.c1_bottleneck is not None:
            c1 = self.c1_bottleneck(inputs[0])
            output = resize(output, c1.shape[2:], mode="bilinear", align_corners=self.align_corners)
            output = torch.cat([output, c1], dim=1)
        return self.cls_seg(self.sep_bottleneck(output))
