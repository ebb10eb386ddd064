"""MMSegmentation's UNet: an encoder of conv blocks and a decoder that upsamples and fuses the skip connections.
Outputs the decoder's maps, deepest first (num_stages maps)."""

import torch
from torch import Tensor, nn

from typedseg.config.models.backbones.unet import DeconvModule as DeconvConfig
from typedseg.config.models.backbones.unet import InterpConv as InterpConvConfig
from typedseg.config.models.backbones.unet import UNet as UNetConfig
from typedseg.config.models.common import ConstantInit, KaimingInit
from typedseg.config.models.common._tagged import _ActConfigUnion, _ConvConfigUnion, _NormConfigUnion
from typedseg.models.init import BaseModule
from typedseg.models.layers import ConvModule, build_activation, build_norm, resize


class BasicConvBlock(nn.Module):
    """num_convs 3x3 ConvModules; the first strides, the others dilate."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        num_convs: int,
        stride: int,
        dilation: int,
        conv_cfg: _ConvConfigUnion | None,
        norm_cfg: _NormConfigUnion | None,
        act_cfg: _ActConfigUnion | None,
        with_cp: bool = False,
    ) -> None:
        super().__init__()
        self.with_cp = with_cp
        self.convs = nn.Sequential(
            *(
                ConvModule(
                    in_channels if i == 0 else out_channels,
                    out_channels,
                    3,
                    stride=stride if i == 0 else 1,
                    dilation=1 if i == 0 else dilation,
                    padding=1 if i == 0 else dilation,
                    conv_cfg=conv_cfg,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg,
                )
                for i in range(num_convs)
            )
        )

    def forward(self, x: Tensor) -> Tensor:
        if self.with_cp and x.requires_grad:
            return torch.utils.checkpoint.checkpoint(self.convs, x, use_reentrant=False)  # type: ignore[no-any-return]
        return self.convs(x)  # type: ignore[no-any-return]


class Upsample(nn.Module):
    """MMSeg's Upsample wrapper: interpolate to `size`, or by `scale_factor` (sizes truncated to ints)."""

    def __init__(
        self,
        size: int | tuple[int, int] | None,
        scale_factor: float | None,
        mode: str,
        align_corners: bool | None,
    ) -> None:
        super().__init__()
        self.size = size
        self.scale_factor = scale_factor
        self.mode = mode
        self.align_corners = align_corners

    def forward(self, x: Tensor) -> Tensor:
        if self.size is None:
            assert self.scale_factor is not None
            size = [int(t * self.scale_factor) for t in x.shape[-2:]]
        else:
            size = [self.size, self.size] if isinstance(self.size, int) else list(self.size)
        return resize(x, size, None, self.mode, self.align_corners)


class InterpConvUpsample(nn.Module):
    """MMSeg's InterpConv: interpolation and a ConvModule, in `interp_upsample`."""

    def __init__(
        self,
        cfg: InterpConvConfig,
        in_channels: int,
        out_channels: int,
        norm_cfg: _NormConfigUnion | None,
        act_cfg: _ActConfigUnion | None,
    ) -> None:
        super().__init__()
        conv = ConvModule(
            in_channels,
            out_channels,
            cfg.kernel_size,
            stride=cfg.stride,
            padding=cfg.padding,
            conv_cfg=cfg.conv_cfg,
            norm_cfg=norm_cfg,
            act_cfg=act_cfg,
        )
        up = cfg.upsample_cfg
        upsample = Upsample(up.size, up.scale_factor, up.mode, up.align_corners)
        self.interp_upsample = (
            nn.Sequential(conv, upsample) if cfg.conv_first else nn.Sequential(upsample, conv)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.interp_upsample(x)  # type: ignore[no-any-return]


class DeconvUpsample(nn.Module):
    """MMSeg's DeconvModule: transposed conv, norm, activation, in `deconv_upsamping` (MMSeg's spelling)."""

    def __init__(
        self,
        cfg: DeconvConfig,
        in_channels: int,
        out_channels: int,
        norm_cfg: _NormConfigUnion | None,
        act_cfg: _ActConfigUnion | None,
    ) -> None:
        super().__init__()
        deconv = nn.ConvTranspose2d(
            in_channels,
            out_channels,
            cfg.kernel_size,
            stride=cfg.scale_factor,
            padding=(cfg.kernel_size - cfg.scale_factor) // 2,
        )
        if norm_cfg is None or act_cfg is None:
            raise ValueError("UNet's DeconvModule needs a norm_cfg and an act_cfg (MMCV builds both)")
        self.deconv_upsamping = nn.Sequential(
            deconv, build_norm(norm_cfg, out_channels), build_activation(act_cfg)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.deconv_upsamping(x)  # type: ignore[no-any-return]


class UpConvBlock(nn.Module):
    """Upsample the deeper map to the skip's channels, concatenate with the skip, convolve."""

    def __init__(
        self,
        cfg: UNetConfig,
        in_channels: int,
        skip_channels: int,
        out_channels: int,
        num_convs: int,
        dilation: int,
        upsample: bool,
    ) -> None:
        super().__init__()
        self.conv_block = BasicConvBlock(
            2 * skip_channels,
            out_channels,
            num_convs,
            1,
            dilation,
            cfg.conv_cfg,
            cfg.norm_cfg,
            cfg.act_cfg,
            cfg.with_cp,
        )
        up = cfg.upsample_cfg
        self.upsample: nn.Module
        if not upsample:
            self.upsample = ConvModule(
                in_channels,
                skip_channels,
                1,
                conv_cfg=cfg.conv_cfg,
                norm_cfg=cfg.norm_cfg,
                act_cfg=cfg.act_cfg,
            )
        elif isinstance(up, InterpConvConfig):
            self.upsample = InterpConvUpsample(up, in_channels, skip_channels, cfg.norm_cfg, cfg.act_cfg)
        else:
            self.upsample = DeconvUpsample(up, in_channels, skip_channels, cfg.norm_cfg, cfg.act_cfg)

    def forward(self, skip: Tensor, x: Tensor) -> Tensor:
        return self.conv_block(torch.cat([skip, self.upsample(x)], dim=1))  # type: ignore[no-any-return]


class UNetBackbone(BaseModule):
    """UNet backbone with MMSegmentation's module names."""

    def __init__(self, cfg: UNetConfig) -> None:
        super().__init__()
        if cfg.pretrained is not None:
            from typedseg.config.models.common import PretrainedInit

            self.set_init_cfg(PretrainedInit(checkpoint=cfg.pretrained))
        elif cfg.init_cfg is None:
            self.set_init_cfg(
                (KaimingInit(layer="Conv2d"), ConstantInit(val=1.0, layer=("_BatchNorm", "GroupNorm")))
            )
        else:
            self.set_init_cfg(cfg.init_cfg)
        self.num_stages = cfg.num_stages
        self.strides = tuple(cfg.strides)
        self.downsamples = tuple(cfg.downsamples)
        self.norm_eval = cfg.norm_eval
        self.encoder = nn.ModuleList()
        self.decoder = nn.ModuleList()
        in_channels = cfg.in_channels
        base = cfg.base_channels
        for i in range(cfg.num_stages):
            stage: list[nn.Module] = []
            if i != 0:
                if cfg.strides[i] == 1 and cfg.downsamples[i - 1]:
                    stage.append(nn.MaxPool2d(kernel_size=2))
                self.decoder.append(
                    UpConvBlock(
                        cfg,
                        base * 2**i,
                        base * 2 ** (i - 1),
                        base * 2 ** (i - 1),
                        cfg.dec_num_convs[i - 1],
                        cfg.dec_dilations[i - 1],
                        upsample=cfg.strides[i] != 1 or cfg.downsamples[i - 1],
                    )
                )
            stage.append(
                BasicConvBlock(
                    in_channels,
                    base * 2**i,
                    cfg.enc_num_convs[i],
                    cfg.strides[i],
                    cfg.enc_dilations[i],
                    cfg.conv_cfg,
                    cfg.norm_cfg,
                    cfg.act_cfg,
                    cfg.with_cp,
                )
            )
            self.encoder.append(nn.Sequential(*stage))
            in_channels = base * 2**i
        self.downsample_rate = cfg.downsample_rate()

    def forward(self, x: Tensor) -> list[Tensor]:
        h, w = x.shape[-2:]
        if h % self.downsample_rate or w % self.downsample_rate:
            raise ValueError(
                f"UNet's input size {(h, w)} must be divisible by its downsample rate {self.downsample_rate}; "
                "pad or crop the images to a multiple of it (e.g. data_preprocessor size_divisor)."
            )
        skips = []
        for stage in self.encoder:
            x = stage(x)
            skips.append(x)
        outs = [x]
        for i in reversed(range(len(self.decoder))):
            x = self.decoder[i](skips[i], x)
            outs.append(x)
        return outs

    def train(self, mode: bool = True) -> "UNetBackbone":
        super().train(mode)
        if mode and self.norm_eval:
            for m in self.modules():
                if isinstance(m, nn.modules.batchnorm._BatchNorm):
                    m.eval()
        return self
