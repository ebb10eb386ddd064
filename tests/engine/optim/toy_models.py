"""Tiny segmentors whose parameter names and layer kinds exercise every paramwise rule.

Shared by the tests and by scripts/oracle/param_groups.py (which builds MMEngine's groups for the same models),
so both sides see the same names: convs with and without bias, BatchNorm, LayerNorm, GroupNorm, depthwise
convs, a 1-D parameter outside any norm, a parameter at the root, ConvNeXt's `downsample_layers`/`stages`
layout (stage 2 deep enough for layer ids 3 + b // 3), and a BEiT-like `patch_embed`/`layers` layout.
"""

import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.depthwise_conv = nn.Conv2d(channels, channels, 3, padding=1, groups=channels)
        self.norm = nn.LayerNorm(channels)
        self.pointwise_conv1 = nn.Linear(channels, 2 * channels)
        self.pointwise_conv2 = nn.Linear(2 * channels, channels)
        self.gamma = nn.Parameter(torch.ones(channels))


class ToyConvNeXt(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        widths = (4, 4, 8, 8)
        self.downsample_layers = nn.ModuleList(
            [nn.Sequential(nn.Conv2d(3, 4, 2, 2), nn.LayerNorm(4))]
            + [
                nn.Sequential(nn.LayerNorm(widths[i - 1]), nn.Conv2d(widths[i - 1], widths[i], 1))
                for i in (1, 2, 3)
            ]
        )
        self.stages = nn.ModuleList(
            [nn.Sequential(*[Block(widths[i]) for _ in range(depth)]) for i, depth in enumerate((1, 1, 7, 1))]
        )
        self.norm3 = nn.LayerNorm(8)


class ToyBEiT(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 4))
        self.pos_embed = nn.Parameter(torch.zeros(1, 5, 4))
        self.patch_embed = nn.Conv2d(3, 4, 2, 2)
        self.layers = nn.ModuleList([nn.Sequential(nn.LayerNorm(4), nn.Linear(4, 4)) for _ in range(3)])


class Head(nn.Module):
    def __init__(self, norm: nn.Module) -> None:
        super().__init__()
        self.conv = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.norm = norm
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.conv_seg = nn.Conv2d(8, 3, 1)


class ToySegmentor(nn.Module):
    def __init__(self, backbone: nn.Module, *, shared: bool = False, frozen: bool = False) -> None:
        super().__init__()
        self.backbone = backbone
        self.decode_head = Head(nn.BatchNorm2d(8))
        self.auxiliary_head = Head(nn.GroupNorm(2, 8))
        self.temperature = nn.Parameter(torch.ones(1))
        if shared:  # the same module under two names: duplicates without bypass_duplicate
            self.auxiliary_head.tied = self.decode_head.conv_seg
        if frozen:
            for param in self.backbone.parameters():
                if param.ndim == 1:
                    param.requires_grad_(False)


def convnext_segmentor(*, shared: bool = False, frozen: bool = False) -> ToySegmentor:
    torch.manual_seed(0)
    return ToySegmentor(ToyConvNeXt(), shared=shared, frozen=frozen)


def beit_segmentor() -> ToySegmentor:
    torch.manual_seed(0)
    return ToySegmentor(ToyBEiT())
