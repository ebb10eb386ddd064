"""MMSegmentation's FPN neck: lateral 1x1 convs, a top-down path, 3x3 output convs, and extra levels on top."""

import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from typedseg.config.models.necks import FPN
from typedseg.models.init import BaseModule
from typedseg.models.layers import ConvModule, resize


class FPNNeck(BaseModule):
    """Feature pyramid network with MMSeg's module names (lateral_convs, fpn_convs)."""

    def __init__(self, cfg: FPN) -> None:
        super().__init__()
        self.set_init_cfg(cfg.init_cfg)
        ins = tuple(cfg.in_channels)
        self.in_channels = ins
        self.num_outs = cfg.num_outs
        self.start_level = cfg.start_level
        self.end_level = len(ins) if cfg.end_level == -1 else cfg.end_level
        self.relu_before_extra_convs = cfg.relu_before_extra_convs
        self.upsample = cfg.upsample_cfg
        extra: str | bool = cfg.add_extra_convs
        if extra is True:
            extra = "on_input" if cfg.extra_convs_on_inputs else "on_output"
        self.add_extra_convs = extra

        def conv(in_channels: int, kernel: int, stride: int = 1, lateral: bool = False) -> ConvModule:
            return ConvModule(
                in_channels,
                cfg.out_channels,
                kernel,
                stride=stride,
                padding=kernel // 2,
                conv_cfg=cfg.conv_cfg,
                norm_cfg=None if lateral and cfg.no_norm_on_lateral else cfg.norm_cfg,
                act_cfg=cfg.act_cfg,
            )

        levels = range(self.start_level, self.end_level)
        self.lateral_convs = nn.ModuleList(conv(ins[i], 1, lateral=True) for i in levels)
        self.fpn_convs = nn.ModuleList(conv(cfg.out_channels, 3) for _ in levels)
        extra_levels = cfg.num_outs - self.end_level + self.start_level
        if extra and extra_levels >= 1:
            for i in range(extra_levels):
                source = ins[self.end_level - 1] if i == 0 and extra == "on_input" else cfg.out_channels
                self.fpn_convs.append(conv(source, 3, stride=2))

    def forward(self, inputs: tuple[Tensor, ...] | list[Tensor]) -> tuple[Tensor, ...]:
        if len(inputs) != len(self.in_channels):
            raise ValueError(f"FPN expects {len(self.in_channels)} maps (in_channels), got {len(inputs)}")
        laterals = [conv(inputs[i + self.start_level]) for i, conv in enumerate(self.lateral_convs)]
        levels = len(laterals)
        up = self.upsample
        for i in range(levels - 1, 0, -1):
            if up.scale_factor is not None:
                upsampled = resize(laterals[i], None, up.scale_factor, up.mode, up.align_corners)
            else:
                upsampled = resize(laterals[i], laterals[i - 1].shape[2:], None, up.mode, up.align_corners)
            laterals[i - 1] = laterals[i - 1] + upsampled
        outs = [self.fpn_convs[i](laterals[i]) for i in range(levels)]
        if self.num_outs > len(outs):
            if not self.add_extra_convs:
                for _ in range(self.num_outs - levels):
                    outs.append(F.max_pool2d(outs[-1], 1, stride=2))
            else:
                source = {
                    "on_input": inputs[self.end_level - 1],
                    "on_lateral": laterals[-1],
                    "on_output": outs[-1],
                }[str(self.add_extra_convs)]
                outs.append(self.fpn_convs[levels](source))
                for i in range(levels + 1, self.num_outs):
                    previous = F.relu(outs[-1]) if self.relu_before_extra_convs else outs[-1]
                    outs.append(self.fpn_convs[i](previous))
        return tuple(outs)
