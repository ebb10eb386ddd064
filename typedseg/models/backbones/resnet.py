"""MMSegmentation's ResNet, ResNetV1c and ResNetV1d (BasicBlock for depths 18/34, Bottleneck for 50/101/152),
with dilated stages (contract_dilation, multi_grid), frozen stages, norm_eval and zero-initialized residuals."""

from typing import Any

import torch.utils.checkpoint
from torch import Tensor, nn

from typedseg.config.models.backbones import ResNet, ResNetV1c, ResNetV1d
from typedseg.config.models.common import ConstantInit, KaimingInit, NameOverride, PretrainedInit
from typedseg.config.models.common._tagged import _ConvConfigUnion, _NormConfigUnion
from typedseg.models.init import BaseModule
from typedseg.models.layers import build_conv, build_norm, norm_abbreviation
from typedseg.problems import ConfigError, Problem

ResNetConfig = ResNet | ResNetV1c | ResNetV1d


class _Block(BaseModule):
    expansion = 1
    norm1_name: str
    norm2_name: str
    downsample: nn.Module | None
    with_cp: bool
    relu: nn.Module

    def _norm(self, cfg: _NormConfigUnion, index: int, channels: int) -> str:
        name = f"{norm_abbreviation(cfg)}{index}"
        self.add_module(name, build_norm(cfg, channels))
        return name

    @property
    def norm1(self) -> nn.Module:
        return self.get_submodule(self.norm1_name)

    @property
    def norm2(self) -> nn.Module:
        return self.get_submodule(self.norm2_name)

    def _residual(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor) -> Tensor:
        def inner(x: Tensor) -> Tensor:
            identity = x if self.downsample is None else self.downsample(x)
            out = self._residual(x)
            out += identity  # in place, as MMSeg: the last norm's output is not needed by its backward
            return out

        if self.with_cp and x.requires_grad:
            out: Tensor = torch.utils.checkpoint.checkpoint(inner, x, use_reentrant=False)
        else:
            out = inner(x)
        return self.relu(out)  # type: ignore[no-any-return]


class BasicBlock(_Block):
    """Two 3x3 convs (MMSeg's BasicBlock: conv1/bn1, conv2/bn2)."""

    expansion = 1

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int,
        dilation: int,
        downsample: nn.Module | None,
        conv_cfg: _ConvConfigUnion | None,
        norm_cfg: _NormConfigUnion,
        with_cp: bool,
    ) -> None:
        super().__init__()
        self.conv1 = build_conv(
            conv_cfg, inplanes, planes, 3, stride=stride, padding=dilation, dilation=dilation, bias=False
        )
        self.norm1_name = self._norm(norm_cfg, 1, planes)
        self.conv2 = build_conv(conv_cfg, planes, planes, 3, padding=1, bias=False)
        self.norm2_name = self._norm(norm_cfg, 2, planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.with_cp = with_cp

    def _residual(self, x: Tensor) -> Tensor:
        out = self.relu(self.norm1(self.conv1(x)))
        return self.norm2(self.conv2(out))  # type: ignore[no-any-return]


class Bottleneck(_Block):
    """1x1, 3x3, 1x1 convs (MMSeg's Bottleneck); 'pytorch' style strides in the 3x3, 'caffe' in the first 1x1."""

    expansion = 4

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int,
        dilation: int,
        downsample: nn.Module | None,
        conv_cfg: _ConvConfigUnion | None,
        norm_cfg: _NormConfigUnion,
        with_cp: bool,
        style: str,
    ) -> None:
        super().__init__()
        conv1_stride, conv2_stride = (1, stride) if style == "pytorch" else (stride, 1)
        self.conv1 = build_conv(conv_cfg, inplanes, planes, 1, stride=conv1_stride, bias=False)
        self.norm1_name = self._norm(norm_cfg, 1, planes)
        self.conv2 = build_conv(
            conv_cfg, planes, planes, 3, stride=conv2_stride, padding=dilation, dilation=dilation, bias=False
        )
        self.norm2_name = self._norm(norm_cfg, 2, planes)
        self.conv3 = build_conv(conv_cfg, planes, planes * self.expansion, 1, bias=False)
        self.norm3_name = self._norm(norm_cfg, 3, planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.with_cp = with_cp

    @property
    def norm3(self) -> nn.Module:
        return self.get_submodule(self.norm3_name)

    def _residual(self, x: Tensor) -> Tensor:
        out = self.relu(self.norm1(self.conv1(x)))
        out = self.relu(self.norm2(self.conv2(out)))
        return self.norm3(self.conv3(out))  # type: ignore[no-any-return]


class ResLayer(BaseModule, nn.Sequential):
    """One stage: a (possibly downsampling) first block and num_blocks - 1 more (MMSeg's ResLayer)."""

    def __init__(self, cfg: ResNetConfig, stage: int, inplanes: int, block_init: Any) -> None:
        nn.Sequential.__init__(self)
        bottleneck = cfg.expansion == 4
        expansion = cfg.expansion
        planes = cfg.base_channels * 2**stage
        stride, dilation = cfg.strides[stage], cfg.dilations[stage]
        multi_grid = cfg.multi_grid if stage == cfg.num_stages - 1 else None
        downsample = None
        if stride != 1 or inplanes != planes * expansion:
            parts: list[nn.Module] = []
            conv_stride = stride
            if cfg.avg_down:
                conv_stride = 1
                parts.append(nn.AvgPool2d(stride, stride, ceil_mode=True, count_include_pad=False))
            parts.append(
                build_conv(cfg.conv_cfg, inplanes, planes * expansion, 1, stride=conv_stride, bias=False)
            )
            parts.append(build_norm(cfg.norm_cfg, planes * expansion))
            downsample = nn.Sequential(*parts)
        if multi_grid is None:
            first = dilation // 2 if dilation > 1 and cfg.contract_dilation else dilation
        else:
            first = multi_grid[0]
        blocks = cfg.blocks[stage]
        for i in range(blocks):
            block_dilation = first if i == 0 else (dilation if multi_grid is None else multi_grid[i])
            args = (
                inplanes if i == 0 else planes * expansion,
                planes,
                stride if i == 0 else 1,
                block_dilation,
                downsample if i == 0 else None,
                cfg.conv_cfg,
                cfg.norm_cfg,
                cfg.with_cp,
            )
            block: _Block = Bottleneck(*args, cfg.style) if bottleneck else BasicBlock(*args)
            block.set_init_cfg(block_init)
            self.append(block)


class ResNetBackbone(BaseModule):
    """MMSeg's ResNet with its module names (stem or conv1/bn1, layer1..layer4)."""

    def __init__(self, cfg: ResNetConfig) -> None:
        super().__init__()
        if cfg.dcn is not None:
            raise ConfigError(
                [
                    Problem(
                        "dcn-unsupported",
                        ("model", "backbone", "dcn"),
                        f"{cfg.dcn.type} (a deformable convolution) is MMCV's compiled op; typedseg's pure-PyTorch "
                        "ResNet cannot build it. The config validates and exports; it does not run here.",
                        "Remove dcn (and set stage_with_dcn to all False), or train this config with MMSegmentation.",
                    )
                ]
            )
        if cfg.plugins is not None:
            raise ConfigError(
                [
                    Problem(
                        "plugins-unsupported",
                        ("model", "backbone", "plugins"),
                        "ResNet plugins are MMCV's plugin layers (built by its registry); typedseg's pure-PyTorch "
                        "ResNet cannot build them. The config validates and exports; it does not run here.",
                        "Remove plugins, or train this config with MMSegmentation.",
                    )
                ]
            )
        block_init = None
        if cfg.pretrained is not None:
            self.set_init_cfg(PretrainedInit(checkpoint=cfg.pretrained))
        elif cfg.init_cfg is None:
            self.set_init_cfg(
                (KaimingInit(layer="Conv2d"), ConstantInit(val=1.0, layer=("_BatchNorm", "GroupNorm")))
            )
            if cfg.zero_init_residual:
                name = "norm3" if cfg.expansion == 4 else "norm2"
                block_init = ConstantInit(val=0.0, override=NameOverride(name=name))
        else:
            self.set_init_cfg(cfg.init_cfg)
        self.deep_stem = cfg.deep_stem
        self.out_indices = tuple(cfg.out_indices)
        self.frozen_stages = cfg.frozen_stages
        self.norm_eval = cfg.norm_eval
        stem = cfg.stem_channels
        if cfg.deep_stem:
            half = stem // 2
            self.stem = nn.Sequential(
                build_conv(cfg.conv_cfg, cfg.in_channels, half, 3, stride=2, padding=1, bias=False),
                build_norm(cfg.norm_cfg, half),
                nn.ReLU(inplace=True),
                build_conv(cfg.conv_cfg, half, half, 3, padding=1, bias=False),
                build_norm(cfg.norm_cfg, half),
                nn.ReLU(inplace=True),
                build_conv(cfg.conv_cfg, half, stem, 3, padding=1, bias=False),
                build_norm(cfg.norm_cfg, stem),
                nn.ReLU(inplace=True),
            )
        else:
            self.conv1 = build_conv(cfg.conv_cfg, cfg.in_channels, stem, 7, stride=2, padding=3, bias=False)
            self.norm1_name = f"{norm_abbreviation(cfg.norm_cfg)}1"
            self.add_module(self.norm1_name, build_norm(cfg.norm_cfg, stem))
            self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.res_layers: list[str] = []
        inplanes = stem
        for i in range(cfg.num_stages):
            name = f"layer{i + 1}"
            self.add_module(name, ResLayer(cfg, i, inplanes, block_init))
            self.res_layers.append(name)
            inplanes = cfg.base_channels * 2**i * cfg.expansion
        self._freeze_stages()

    @property
    def norm1(self) -> nn.Module:
        return self.get_submodule(self.norm1_name)

    def _freeze_stages(self) -> None:
        frozen: list[nn.Module] = []
        if self.frozen_stages >= 0:
            frozen = [self.stem] if self.deep_stem else [self.conv1, self.norm1]
        frozen += [self.get_submodule(f"layer{i}") for i in range(1, self.frozen_stages + 1)]
        for module in frozen:
            module.eval()
            for parameter in module.parameters():
                parameter.requires_grad = False

    def forward(self, x: Tensor) -> tuple[Tensor, ...]:
        x = self.stem(x) if self.deep_stem else self.relu(self.norm1(self.conv1(x)))
        x = self.maxpool(x)
        outs: list[Tensor] = []
        for i, name in enumerate(self.res_layers):
            x = self.get_submodule(name)(x)
            if i in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True) -> "ResNetBackbone":
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
