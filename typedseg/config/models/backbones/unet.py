"""MMSegmentation's UNet and its upsampling modules."""

from typing import Annotated, Literal, Optional, Union

from pydantic import Field, PositiveInt, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq
from typedseg.config.models.backbones._base import _Backbone, _check_length, _check_pretrained
from typedseg.config.models.common import (
    BN,
    ActConfig,
    ConvConfig,
    InitConfig,
    InterpolateMode,
    NormConfig,
    ReLU,
    default,
)

_ALIGNABLE = ("bilinear", "bicubic")


class InterpUpsample(ConfigModel):
    """Arguments of the `nn.Upsample` inside InterpConv."""

    size: PositiveInt | tuple[PositiveInt, PositiveInt] | None = None
    """Output size; exactly one of size and scale_factor."""
    scale_factor: Annotated[float, Field(gt=0.0)] | None = None
    """Output size over input size; exactly one of size and scale_factor."""
    mode: InterpolateMode = "nearest"
    """Interpolation mode (torch's default: nearest)."""
    align_corners: bool | None = None
    """Align corner pixels; only for bilinear/bicubic (torch raises otherwise)."""

    @model_validator(mode="after")
    def _check(self) -> "InterpUpsample":
        rules = Rules()
        if (self.size is None) == (self.scale_factor is None):
            rules.add(
                "upsample-size-or-scale",
                ("scale_factor",),
                "nn.Upsample needs exactly one of size and scale_factor; "
                + ("both are set." if self.size is not None else "neither is set."),
                "For UNet's decoder use scale_factor=2.",
            )
        if self.align_corners is not None and self.mode not in _ALIGNABLE:
            rules.add(
                "upsample-align-corners",
                ("align_corners",),
                f"align_corners is only for bilinear/bicubic modes; torch raises with mode={self.mode!r}.",
                "Remove align_corners, or use mode='bilinear'.",
            )
        rules.raise_if_any()
        return self


class InterpConv(ConfigModel):
    """UNet's decoder upsampling: interpolate, then a ConvModule (or the other way round)."""

    type: Literal["InterpConv"] = "InterpConv"
    """MMSegmentation's registry name of the upsampling module."""
    conv_cfg: Optional[ConvConfig] = None  # Optional: jedi reads a two-kind alias with `| None` as nothing
    """Convolution layer config; None: Conv2d."""
    conv_first: bool = False
    """Convolve before interpolating."""
    kernel_size: PositiveInt = 1
    """Kernel of the conv."""
    stride: PositiveInt = 1
    """Stride of the conv."""
    padding: Annotated[int, Field(ge=0)] = 0
    """Padding of the conv."""
    upsample_cfg: InterpUpsample = default(
        InterpUpsample, scale_factor=2.0, mode="bilinear", align_corners=False
    )
    """The interpolation (`nn.Upsample` arguments)."""


class DeconvModule(ConfigModel):
    """UNet's decoder upsampling by a transposed convolution."""

    type: Literal["DeconvModule"] = "DeconvModule"
    """MMSegmentation's registry name of the upsampling module."""
    kernel_size: PositiveInt = 4
    """Kernel of the transposed conv; kernel_size - scale_factor must be even and >= 0."""
    scale_factor: PositiveInt = 2
    """Upsampling factor (the transposed conv's stride)."""

    @model_validator(mode="after")
    def _check(self) -> "DeconvModule":
        rules = Rules()
        gap = self.kernel_size - self.scale_factor
        if gap < 0 or gap % 2:
            rules.add(
                "deconv-kernel",
                ("kernel_size",),
                f"kernel_size ({self.kernel_size}) - scale_factor ({self.scale_factor}) must be even and >= 0 "
                "(MMSegmentation asserts it).",
                f"Use kernel_size={self.scale_factor + 2}.",
            )
        rules.raise_if_any()
        return self


UpsampleConfig = Annotated[Union[InterpConv, DeconvModule], Field(discriminator="type")]
"""UNet's `upsample_cfg`."""


class UNet(_Backbone):
    """MMSegmentation's UNet: an encoder of num_stages conv blocks and a decoder with skip connections."""

    type: Literal["UNet"] = "UNet"
    """MMSegmentation's registry name of the backbone."""
    in_channels: PositiveInt = 3
    """Channels of the input image."""
    base_channels: PositiveInt = 64
    """Output channels of the first encoder stage; stage i has base_channels * 2**i."""
    num_stages: Annotated[int, Field(ge=2)] = 5
    """Encoder stages."""
    strides: Seq[Literal[1, 2]] = (1, 1, 1, 1, 1)
    """Stride of each encoder stage; 2 downsamples by a strided conv instead of a max pool."""
    enc_num_convs: Seq[PositiveInt] = (2, 2, 2, 2, 2)
    """Convs of each encoder stage (num_stages entries)."""
    dec_num_convs: Seq[PositiveInt] = (2, 2, 2, 2)
    """Convs of each decoder stage (num_stages - 1 entries)."""
    downsamples: Seq[bool] = (True, True, True, True)
    """Max-pool before encoder stages 1.. (num_stages - 1 entries; unused where that stage strides)."""
    enc_dilations: Seq[PositiveInt] = (1, 1, 1, 1, 1)
    """Dilation of each encoder stage (num_stages entries)."""
    dec_dilations: Seq[PositiveInt] = (1, 1, 1, 1)
    """Dilation of each decoder stage (num_stages - 1 entries)."""
    with_cp: bool = False
    """Gradient checkpointing: less memory, slower training."""
    conv_cfg: Optional[ConvConfig] = None  # Optional: jedi reads a two-kind alias with `| None` as nothing
    """Convolution layer config; None: Conv2d."""
    norm_cfg: NormConfig | None = default(BN)
    """Normalization layer config."""
    act_cfg: ActConfig | None = default(ReLU)
    """Activation layer config."""
    upsample_cfg: UpsampleConfig = default(InterpConv)
    """How the decoder upsamples."""
    norm_eval: bool = False
    """Keep batch-norm layers in eval mode while training (frozen running statistics)."""
    dcn: None = None
    """Not implemented in MMSegmentation's UNet: must be None."""
    plugins: None = None
    """Not implemented in MMSegmentation's UNet: must be None."""
    pretrained: str | None = None
    """Deprecated: a checkpoint to load (MMSegmentation turns it into a Pretrained init_cfg)."""
    init_cfg: InitConfig | None = None
    """Weight initialization; None: Kaiming for convs, constant 1 for norms."""

    def out_channels(self) -> tuple[int, ...] | None:
        """The decoder's outputs, deepest first: base_channels * 2**(num_stages - 1) down to base_channels."""
        return tuple(self.base_channels * 2**i for i in reversed(range(self.num_stages)))

    def downsample_rate(self) -> int:
        """How much the encoder shrinks the input: inputs must be divisible by it."""
        rate = 1
        for i in range(1, self.num_stages):
            known = i < len(self.strides) and i - 1 < len(self.downsamples)
            if known and (self.strides[i] == 2 or self.downsamples[i - 1]):
                rate *= 2
        return rate

    def input_divisor(self) -> int:
        return self.downsample_rate()

    def describe(self) -> str:
        return f"UNet (base_channels={self.base_channels}, num_stages={self.num_stages})"

    @model_validator(mode="after")
    def _check(self) -> "UNet":
        rules = Rules()
        n = self.num_stages
        for field in ("strides", "enc_num_convs", "enc_dilations"):
            _check_length(rules, field, getattr(self, field), n, "num_stages")
        for field in ("dec_num_convs", "downsamples", "dec_dilations"):
            _check_length(rules, field, getattr(self, field), n - 1, f"num_stages - 1 ({n - 1})")
        _check_pretrained(rules, self.pretrained, self.init_cfg)
        rules.raise_if_any()
        return self
