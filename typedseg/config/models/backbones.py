"""Backbones: MMSegmentation's ResNet family, UNet and MixVisionTransformer, and MMPretrain's ConvNeXt.

Every backbone reports what it hands to the neck or heads: `out_channels()` gives the channels of each output in
the order the backbone returns them (stage order; MMSegmentation's backbones append a stage's feature map when its
index is in `out_indices`), and `num_outputs()` how many there are. `typedseg.config.rules.model` checks heads'
`in_index`/`in_channels` against them. A user's own backbone (`UserBackbone`) may implement both to get the same
checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    Discriminator,
    Field,
    JsonValue,
    PositiveInt,
    SerializeAsAny,
    Tag,
    WithJsonSchema,
    model_validator,
)

from typedseg.config.base import (
    SCHEMA_MODE,
    USER_JSON_SCHEMA,
    USER_TAG,
    ConfigModel,
    Rules,
    Seq,
    UserConfig,
    discriminate,
    user_validator,
)
from typedseg.config.lazy import LazyUnion
from typedseg.config.models.common import (
    BN,
    GELU,
    LN,
    ActConfig,
    ConstantInit,
    ConvConfig,
    InitConfig,
    InterpolateMode,
    LN2d,
    NormConfig,
    ReLU,
    TruncNormalInit,
    default,
)

DropRate = Annotated[float, Field(ge=0.0, lt=1.0)]
"""A drop probability: 1 would drop everything (and divide by zero in DropPath)."""


class _Backbone(ConfigModel):
    """What every built-in backbone reports about its outputs."""

    type: str
    """The backbone's registry name."""

    def out_channels(self) -> tuple[int, ...] | None:
        """Channels of each output, in the order the backbone returns them; None when not known."""
        return None

    def num_outputs(self) -> int | None:
        """How many feature maps the backbone returns; None when not known."""
        channels = self.out_channels()
        return None if channels is None else len(channels)

    def describe(self) -> str:
        """A short name for messages: `ResNetV1c depth 50`."""
        return self.type


def _check_out_indices(rules: Rules, out_indices: Sequence[int], num_stages: int, field: str) -> None:
    """out_indices name stages 0..num_stages-1, increasing: outputs come in stage order whatever the order."""
    for k, index in enumerate(out_indices):
        if not 0 <= index < num_stages:
            rules.add(
                "out-indices-range",
                (field, k),
                f"out_indices[{k}] = {index} is not a stage: this backbone has {num_stages} stages "
                f"(0 to {num_stages - 1}), so it would never be output.",
                f"Use stage indices from 0 to {num_stages - 1}.",
            )
    if any(b <= a for a, b in pairwise(out_indices)):
        rules.add(
            "out-indices-order",
            (field,),
            f"out_indices {list(out_indices)} are not increasing: the backbone returns its outputs in stage "
            f"order, once each ({sorted(set(out_indices))}), so heads' in_index would not mean what this says.",
            f"Write out_indices={sorted(set(out_indices))}.",
        )


def _check_length(rules: Rules, field: str, values: Sequence[object], expected: int, what: str) -> None:
    if len(values) != expected:
        rules.add(
            "stage-args-length",
            (field,),
            f"{field} has {len(values)} entries, but there are {expected} stages ({what}); MMSegmentation needs "
            "one per stage.",
            f"Give {expected} entries.",
        )


def _check_pretrained(rules: Rules, pretrained: str | None, init_cfg: object) -> None:
    if pretrained is not None and init_cfg:
        rules.add(
            "pretrained-with-init-cfg",
            ("pretrained",),
            "pretrained and init_cfg are both set; MMSegmentation asserts that at most one is "
            "(pretrained=X means init_cfg=dict(type='Pretrained', checkpoint=X)).",
            "Keep init_cfg=dict(type='Pretrained', checkpoint=...) and remove pretrained.",
        )


# ----------------------------------------------------------------------------------------------------
# ResNet
# ----------------------------------------------------------------------------------------------------

ResNetDepth = Literal[18, 34, 50, 101, 152]
RESNET_BLOCKS: dict[int, tuple[int, ...]] = {
    18: (2, 2, 2, 2),
    34: (3, 4, 6, 3),
    50: (3, 4, 6, 3),
    101: (3, 4, 23, 3),
    152: (3, 8, 36, 3),
}
"""Residual blocks per stage, by depth (MMSegmentation's `ResNet.arch_settings`)."""
RESNET_EXPANSION: dict[int, int] = {18: 1, 34: 1, 50: 4, 101: 4, 152: 4}
"""Output channels of a block over its planes: 1 for BasicBlock (18, 34), 4 for Bottleneck."""


class DCN(ConfigModel):
    """A deformable convolution for the 3x3 conv of each Bottleneck (MMCV's DCN, or DCNv2: modulated)."""

    type: Literal["DCN", "DCNv2"] = "DCN"
    """MMCV's registry name: DCN (DeformConv2dPack) or DCNv2 (ModulatedDeformConv2dPack)."""
    deform_groups: PositiveInt = 1
    """Number of offset groups."""
    fallback_on_stride: bool = False
    """Read and dropped by MMSegmentation's Bottleneck (kept for MMDetection-style configs)."""


class ResNetPlugin(ConfigModel):
    """A plugin layer inserted into every block of the selected ResNet stages (Bottleneck only)."""

    cfg: dict[str, JsonValue]
    """The plugin layer's config (`type` and its arguments), built by MMCV's `build_plugin_layer`."""
    position: Literal["after_conv1", "after_conv2", "after_conv3"]
    """Where in each block the plugin runs."""
    stages: Seq[bool] | None = None
    """Per stage, whether it gets the plugin; None: every stage."""

    @model_validator(mode="after")
    def _check(self) -> ResNetPlugin:
        rules = Rules()
        if "type" not in self.cfg:
            rules.add(
                "missing",
                ("cfg", "type"),
                "the plugin cfg needs a 'type' naming the plugin layer.",
                "Add its registry name, e.g. cfg=dict(type='ContextBlock', ratio=1.0 / 4).",
            )
        rules.raise_if_any()
        return self


class _ResNet(_Backbone):
    """The arguments of MMSegmentation's ResNet shared by its V1c/V1d variants (which fix the stem)."""

    depth: ResNetDepth
    """Depth: 18 or 34 (BasicBlock), 50, 101 or 152 (Bottleneck)."""
    in_channels: PositiveInt = 3
    """Channels of the input image."""
    stem_channels: PositiveInt = 64
    """Output channels of the stem."""
    base_channels: PositiveInt = 64
    """Planes of the first stage; stage i has base_channels * 2**i planes (times the block expansion)."""
    num_stages: Annotated[int, Field(ge=1, le=4)] = 4
    """Number of residual stages, 1 to 4."""
    strides: Seq[PositiveInt] = (1, 2, 2, 2)
    """Stride of the first block of each stage (one per stage)."""
    dilations: Seq[PositiveInt] = (1, 1, 1, 1)
    """Dilation of each stage (one per stage); `d8` configs use (1, 1, 2, 4) with strides (1, 2, 1, 1)."""
    out_indices: Seq[int] = (0, 1, 2, 3)
    """Stages whose feature maps are returned, increasing."""
    style: Literal["pytorch", "caffe"] = "pytorch"
    """Where a Bottleneck strides: the 3x3 conv (pytorch) or the first 1x1 conv (caffe)."""
    frozen_stages: int = -1
    """Freeze the stem and stages 1..frozen_stages (parameters and norm statistics); -1: nothing."""
    conv_cfg: ConvConfig | None = None
    """Convolution layer config; None: Conv2d."""
    norm_cfg: NormConfig = default(BN)
    """Normalization layer config."""
    norm_eval: bool = False
    """Keep batch-norm layers in eval mode while training (frozen running statistics)."""
    dcn: DCN | None = None
    """Deformable convolution for the 3x3 convs of the stages selected by stage_with_dcn (Bottleneck only)."""
    stage_with_dcn: Seq[bool] = (False, False, False, False)
    """Per stage, whether it uses dcn."""
    plugins: Seq[ResNetPlugin] | None = None
    """Plugin layers inserted into the blocks (Bottleneck only)."""
    multi_grid: Seq[PositiveInt] | None = None
    """Dilation of each block of the last stage (DeepLabV3's multi-grid), one per block."""
    contract_dilation: bool = False
    """Halve the dilation of the first block of each dilated stage."""
    with_cp: bool = False
    """Gradient checkpointing: less memory, slower training."""
    zero_init_residual: bool = True
    """Initialize the last norm of each block to zero, so blocks start as identities."""
    pretrained: str | None = None
    """Deprecated: a checkpoint to load (MMSegmentation turns it into a Pretrained init_cfg)."""
    init_cfg: InitConfig | None = None
    """Weight initialization; None: Kaiming for convs, constant 1 for norms."""

    @property
    def blocks(self) -> tuple[int, ...]:
        """Residual blocks of each of the num_stages stages."""
        return RESNET_BLOCKS[self.depth][: self.num_stages]

    @property
    def expansion(self) -> int:
        """Output channels of a block over its planes (1 for depths 18/34, 4 otherwise)."""
        return RESNET_EXPANSION[self.depth]

    def stage_channels(self) -> tuple[int, ...]:
        """Output channels of every stage: base_channels * 2**i * expansion."""
        return tuple(self.base_channels * 2**i * self.expansion for i in range(self.num_stages))

    def out_channels(self) -> tuple[int, ...] | None:
        stages = self.stage_channels()
        return tuple(stages[i] for i in sorted(set(self.out_indices)) if 0 <= i < len(stages))

    def describe(self) -> str:
        base = "" if self.base_channels == 64 else f", base_channels={self.base_channels}"
        return f"{self.type} depth {self.depth}{base}"

    @model_validator(mode="after")
    def _check(self) -> _ResNet:
        rules = Rules()
        n = self.num_stages
        _check_length(rules, "strides", self.strides, n, "num_stages")
        _check_length(rules, "dilations", self.dilations, n, "num_stages")
        _check_out_indices(rules, self.out_indices, n, "out_indices")
        if not -1 <= self.frozen_stages <= n:
            rules.add(
                "frozen-stages-range",
                ("frozen_stages",),
                f"frozen_stages={self.frozen_stages} is outside -1..{n} (num_stages={n}).",
                f"Use -1 (freeze nothing), 0 (the stem) up to {n} (every stage).",
            )
        if self.dcn is not None and len(self.stage_with_dcn) != n:
            _check_length(rules, "stage_with_dcn", self.stage_with_dcn, n, "num_stages")
        elif len(self.stage_with_dcn) < n:
            rules.add(
                "stage-args-length",
                ("stage_with_dcn",),
                f"stage_with_dcn has {len(self.stage_with_dcn)} entries for {n} stages; MMSegmentation reads "
                "one per stage (IndexError).",
                f"Give {n} entries.",
            )
        if self.dcn is None and any(self.stage_with_dcn):
            rules.add(
                "stage-with-dcn-unused",
                ("stage_with_dcn",),
                "stage_with_dcn selects stages for a deformable convolution, but dcn is None: no stage gets one.",
                "Set dcn=dict(type='DCNv2', deform_groups=1), or set stage_with_dcn to all False.",
            )
        if self.dcn is not None and self.conv_cfg is not None:
            rules.add(
                "dcn-with-conv-cfg",
                ("conv_cfg",),
                "conv_cfg must be None when dcn is set (MMSegmentation's Bottleneck asserts it).",
                "Remove conv_cfg.",
            )
        if self.expansion == 1:
            for field, value in (("dcn", self.dcn), ("plugins", self.plugins)):
                if value is not None:
                    rules.add(
                        "basic-block-unsupported",
                        (field,),
                        f"{field} is not implemented for depth {self.depth} (BasicBlock); MMSegmentation "
                        "asserts it is None.",
                        f"Remove {field}, or use depth 50, 101 or 152 (Bottleneck).",
                    )
        for k, plugin in enumerate(self.plugins or ()):
            if plugin.stages is not None and len(plugin.stages) != n:
                rules.add(
                    "stage-args-length",
                    ("plugins", k, "stages"),
                    f"plugins[{k}].stages has {len(plugin.stages)} entries for {n} stages.",
                    f"Give {n} entries, or leave stages out for every stage.",
                )
        if self.multi_grid is not None and len(self.multi_grid) != self.blocks[-1]:
            rules.add(
                "multi-grid-length",
                ("multi_grid",),
                f"multi_grid has {len(self.multi_grid)} dilations but the last stage of depth {self.depth} has "
                f"{self.blocks[-1]} blocks; MMSegmentation reads one per block "
                f"({'IndexError' if len(self.multi_grid) < self.blocks[-1] else 'the rest are ignored'}).",
                f"Give {self.blocks[-1]} dilations, e.g. multi_grid=(1, 2, 4).",
            )
        _check_pretrained(rules, self.pretrained, self.init_cfg)
        rules.raise_if_any()
        return self


class ResNet(_ResNet):
    """MMSegmentation's ResNet (V1b: a 7x7 stem conv, strided 3x3 convs)."""

    type: Literal["ResNet"] = "ResNet"
    """MMSegmentation's registry name of the backbone."""
    deep_stem: bool = False
    """Replace the 7x7 stem conv with three 3x3 convs (what ResNetV1c/V1d fix to True)."""
    avg_down: bool = False
    """Downsample shortcuts with an average pool before the 1x1 conv (what ResNetV1d fixes to True)."""


class ResNetV1c(_ResNet):
    """ResNet with a deep stem (three 3x3 convs); MMSegmentation's usual `r50-d8` backbone."""

    type: Literal["ResNetV1c"] = "ResNetV1c"
    """MMSegmentation's registry name of the backbone."""

    @property
    def deep_stem(self) -> bool:
        """Fixed by the variant: a deep stem (passing it to MMSegmentation is a TypeError)."""
        return True

    @property
    def avg_down(self) -> bool:
        """Fixed by the variant: strided-conv shortcuts."""
        return False


class ResNetV1d(_ResNet):
    """ResNet with a deep stem and average-pool downsampling in the shortcuts."""

    type: Literal["ResNetV1d"] = "ResNetV1d"
    """MMSegmentation's registry name of the backbone."""

    @property
    def deep_stem(self) -> bool:
        """Fixed by the variant: a deep stem (passing it to MMSegmentation is a TypeError)."""
        return True

    @property
    def avg_down(self) -> bool:
        """Fixed by the variant: average-pool shortcuts."""
        return True


# ----------------------------------------------------------------------------------------------------
# UNet
# ----------------------------------------------------------------------------------------------------

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
    def _check(self) -> InterpUpsample:
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
    conv_cfg: ConvConfig | None = None
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
    def _check(self) -> DeconvModule:
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
    conv_cfg: ConvConfig | None = None
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

    def describe(self) -> str:
        return f"UNet (base_channels={self.base_channels}, num_stages={self.num_stages})"

    @model_validator(mode="after")
    def _check(self) -> UNet:
        rules = Rules()
        n = self.num_stages
        for field in ("strides", "enc_num_convs", "enc_dilations"):
            _check_length(rules, field, getattr(self, field), n, "num_stages")
        for field in ("dec_num_convs", "downsamples", "dec_dilations"):
            _check_length(rules, field, getattr(self, field), n - 1, f"num_stages - 1 ({n - 1})")
        _check_pretrained(rules, self.pretrained, self.init_cfg)
        rules.raise_if_any()
        return self


# ----------------------------------------------------------------------------------------------------
# MixVisionTransformer (SegFormer's MiT)
# ----------------------------------------------------------------------------------------------------

MIT_ARCHS: dict[str, dict[str, int | tuple[int, ...]]] = {
    "b0": {"embed_dims": 32, "num_layers": (2, 2, 2, 2), "num_heads": (1, 2, 5, 8)},
    "b1": {"embed_dims": 64, "num_layers": (2, 2, 2, 2), "num_heads": (1, 2, 5, 8)},
    "b2": {"embed_dims": 64, "num_layers": (3, 4, 6, 3), "num_heads": (1, 2, 5, 8)},
    "b3": {"embed_dims": 64, "num_layers": (3, 4, 18, 3), "num_heads": (1, 2, 5, 8)},
    "b4": {"embed_dims": 64, "num_layers": (3, 8, 27, 3), "num_heads": (1, 2, 5, 8)},
    "b5": {"embed_dims": 64, "num_layers": (3, 6, 40, 3), "num_heads": (1, 2, 5, 8)},
}
"""SegFormer's MiT-b0..b5: the MixVisionTransformer settings of MMSegmentation's segformer configs."""


class MixVisionTransformer(_Backbone):
    """SegFormer's Mix Transformer (MiT): overlapping patch embeddings and efficient self-attention."""

    type: Literal["MixVisionTransformer"] = "MixVisionTransformer"
    """MMSegmentation's registry name of the backbone."""
    in_channels: PositiveInt = 3
    """Channels of the input image."""
    embed_dims: PositiveInt = 64
    """Base embedding width: stage i has embed_dims * num_heads[i] channels (MiT-b0: 32; b1-b5: 64)."""
    num_stages: PositiveInt = 4
    """Number of stages."""
    num_layers: Seq[PositiveInt] = (3, 4, 6, 3)
    """Transformer layers of each stage (MiT-b0: (2, 2, 2, 2); b2: (3, 4, 6, 3); b5: (3, 6, 40, 3))."""
    num_heads: Seq[PositiveInt] = (1, 2, 4, 8)
    """Attention heads of each stage (SegFormer's configs: (1, 2, 5, 8))."""
    patch_sizes: Seq[PositiveInt] = (7, 3, 3, 3)
    """Kernel of each stage's overlapping patch embedding."""
    strides: Seq[PositiveInt] = (4, 2, 2, 2)
    """Stride of each stage's patch embedding."""
    sr_ratios: Seq[PositiveInt] = (8, 4, 2, 1)
    """Spatial reduction of keys/values in each stage's attention."""
    out_indices: Seq[int] = (0, 1, 2, 3)
    """Stages whose feature maps are returned, increasing."""
    mlp_ratio: PositiveInt = 4
    """Hidden width of the feed-forward layers over the embedding width."""
    qkv_bias: bool = True
    """Learn a bias for queries, keys and values."""
    drop_rate: DropRate = 0.0
    """Dropout probability after attention projections and in feed-forward layers."""
    attn_drop_rate: DropRate = 0.0
    """Dropout probability of the attention weights."""
    drop_path_rate: DropRate = 0.0
    """Stochastic depth: rises linearly from 0 to this over all layers."""
    act_cfg: ActConfig = default(GELU)
    """Activation of the feed-forward layers."""
    norm_cfg: NormConfig = default(LN, eps=1e-6)
    """Normalization layer config."""
    pretrained: str | None = None
    """Deprecated: a checkpoint to load (MMSegmentation turns it into a Pretrained init_cfg)."""
    init_cfg: InitConfig | None = None
    """Weight initialization; None: truncated normal for linear layers, as SegFormer's."""
    with_cp: bool = False
    """Gradient checkpointing: less memory, slower training."""

    def stage_channels(self) -> tuple[int, ...]:
        """Output channels of every stage: embed_dims * num_heads[i]."""
        return tuple(self.embed_dims * heads for heads in self.num_heads)

    def out_channels(self) -> tuple[int, ...] | None:
        stages = self.stage_channels()
        return tuple(stages[i] for i in sorted(set(self.out_indices)) if 0 <= i < len(stages))

    def describe(self) -> str:
        return f"MixVisionTransformer (embed_dims={self.embed_dims}, num_heads={list(self.num_heads)})"

    @model_validator(mode="after")
    def _check(self) -> MixVisionTransformer:
        rules = Rules()
        n = self.num_stages
        for field in ("num_layers", "num_heads", "patch_sizes", "strides", "sr_ratios"):
            _check_length(rules, field, getattr(self, field), n, "num_stages")
        _check_out_indices(rules, self.out_indices, n, "out_indices")
        _check_pretrained(rules, self.pretrained, self.init_cfg)
        rules.raise_if_any()
        return self


# ----------------------------------------------------------------------------------------------------
# ConvNeXt (MMPretrain)
# ----------------------------------------------------------------------------------------------------

ConvNeXtArchName = Literal[
    "atto", "femto", "pico", "nano", "tiny", "small", "base", "large", "xlarge", "huge"
]
CONVNEXT_ARCHS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "atto": ((2, 2, 6, 2), (40, 80, 160, 320)),
    "femto": ((2, 2, 6, 2), (48, 96, 192, 384)),
    "pico": ((2, 2, 6, 2), (64, 128, 256, 512)),
    "nano": ((2, 2, 8, 2), (80, 160, 320, 640)),
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
    "huge": ((3, 3, 27, 3), (352, 704, 1408, 2816)),
}
"""`(depths, channels)` of each named ConvNeXt (MMPretrain's `ConvNeXt.arch_settings`)."""


class ConvNeXtArch(ConfigModel):
    """An explicit ConvNeXt architecture: blocks and channels of each stage."""

    depths: Seq[PositiveInt]
    """Blocks of each stage."""
    channels: Seq[PositiveInt]
    """Channels of each stage."""

    @model_validator(mode="after")
    def _check(self) -> ConvNeXtArch:
        rules = Rules()
        if len(self.depths) != len(self.channels):
            rules.add(
                "stage-args-length",
                ("channels",),
                f"depths has {len(self.depths)} stages but channels has {len(self.channels)}; "
                "MMPretrain asserts they match.",
                "Give one channel count per stage.",
            )
        rules.raise_if_any()
        return self


def _arch_tag(value: object) -> str:
    return "name" if isinstance(value, str) else "explicit"


ConvNeXtArchConfig = Annotated[
    Union[Annotated[ConvNeXtArchName, Tag("name")], Annotated[ConvNeXtArch, Tag("explicit")]],
    Discriminator(_arch_tag),
]
"""A named ConvNeXt architecture, or explicit depths and channels."""

_CONVNEXT_INIT = (
    default(TruncNormalInit, layer=("Conv2d", "Linear"), std=0.02, bias=0.0),
    default(ConstantInit, layer=("LayerNorm",), val=1.0, bias=0.0),
)


class ConvNeXt(_Backbone):
    """MMPretrain's ConvNeXt (v1; v2 with use_grn=True and layer_scale_init_value=0), `mmpretrain.ConvNeXt`."""

    type: Literal["ConvNeXt"] = "ConvNeXt"
    """MMPretrain's registry name of the backbone (MMSegmentation configs write `mmpretrain.ConvNeXt`)."""
    arch: ConvNeXtArchConfig = "tiny"
    """A named architecture, or explicit depths and channels."""
    in_channels: PositiveInt = 3
    """Channels of the input image."""
    stem_patch_size: PositiveInt = 4
    """Kernel and stride of the stem's patchify conv."""
    norm_cfg: NormConfig = default(LN2d, eps=1e-6)
    """Normalization layer config: LN2d (ConvNeXt's blocks call it with a data_format argument)."""
    act_cfg: ActConfig = default(GELU)
    """Activation between the pointwise convs."""
    linear_pw_conv: bool = True
    """Pointwise convs as Linear layers on channel-last maps (the official form); False: 1x1 convs."""
    use_grn: bool = False
    """Global Response Normalization in the blocks (ConvNeXt v2)."""
    drop_path_rate: DropRate = 0.0
    """Stochastic depth: rises linearly from 0 to this over all blocks."""
    layer_scale_init_value: float = 1e-6
    """Initial per-channel scale of each block's residual branch; 0 or less: no layer scale."""
    out_indices: int | Seq[int] = -1
    """Stages whose feature maps are returned; negative counts from 4 (-1: the last of 4 stages)."""
    frozen_stages: Annotated[int, Field(ge=0)] = 0
    """Freeze the first frozen_stages stages and their downsampling layers; 0: nothing."""
    gap_before_final_norm: bool = True
    """Globally average-pool each output before its norm (classification); segmentation needs False."""
    with_cp: bool = False
    """Gradient checkpointing: less memory, slower training."""
    init_cfg: InitConfig | None = _CONVNEXT_INIT
    """Weight initialization; MMPretrain's default: truncated normal for convs and linears, 1 for LayerNorm."""

    def stages(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """`(depths, channels)` of the architecture."""
        if isinstance(self.arch, ConvNeXtArch):
            return tuple(self.arch.depths), tuple(self.arch.channels)
        return CONVNEXT_ARCHS[self.arch]

    def resolved_out_indices(self) -> tuple[int, ...]:
        """out_indices as MMPretrain resolves them: an int becomes a list, a negative index counts from 4."""
        indices = (self.out_indices,) if isinstance(self.out_indices, int) else self.out_indices
        return tuple(4 + index if index < 0 else index for index in indices)

    def out_channels(self) -> tuple[int, ...] | None:
        channels = self.stages()[1]
        return tuple(channels[i] for i in sorted(set(self.resolved_out_indices())) if 0 <= i < len(channels))

    def describe(self) -> str:
        if isinstance(self.arch, str):
            return f"ConvNeXt arch '{self.arch}'"
        return f"ConvNeXt (channels={list(self.arch.channels)})"

    @model_validator(mode="after")
    def _check(self) -> ConvNeXt:
        rules = Rules()
        n = len(self.stages()[0])
        field = "out_indices"
        resolved = self.resolved_out_indices()
        written = (self.out_indices,) if isinstance(self.out_indices, int) else self.out_indices
        for k, (index, given) in enumerate(zip(resolved, written, strict=True)):
            if not 0 <= index < n:
                at: tuple[str | int, ...] = (field,) if isinstance(self.out_indices, int) else (field, k)
                rules.add(
                    "out-indices-range",
                    at,
                    f"out_indices {given} is stage {index}, but this ConvNeXt has stages 0 to {n - 1} "
                    "(MMPretrain resolves a negative index as 4 + index).",
                    f"Use stage indices from 0 to {n - 1}.",
                )
        if any(b <= a for a, b in pairwise(resolved)):
            rules.add(
                "out-indices-order",
                (field,),
                f"out_indices {list(written)} (stages {list(resolved)}) are not increasing: ConvNeXt returns "
                f"its outputs in stage order, once each.",
                f"Write out_indices={sorted(set(resolved))}.",
            )
        if self.frozen_stages > n:
            rules.add(
                "frozen-stages-range",
                ("frozen_stages",),
                f"frozen_stages={self.frozen_stages} but this ConvNeXt has {n} stages (IndexError).",
                f"Use 0 (freeze nothing) up to {n}.",
            )
        if not isinstance(self.norm_cfg, LN2d):
            rules.add(
                "convnext-norm",
                ("norm_cfg",),
                f"ConvNeXt's blocks call their norm with a data_format argument, which only LN2d takes; "
                f"{self.norm_cfg.type} fails when the model runs.",
                "Use norm_cfg=dict(type='LN2d', eps=1e-6).",
            )
        rules.raise_if_any()
        return self


# ----------------------------------------------------------------------------------------------------
# A user's own backbone, and the union
# ----------------------------------------------------------------------------------------------------


class UserBackbone(UserConfig):
    """Base for a user's own backbone config. Implement `out_channels()` to have heads checked against it."""

    def out_channels(self) -> tuple[int, ...] | None:
        """Channels of each output, in the order the backbone returns them; None: not known (not checked)."""
        return None

    def num_outputs(self) -> int | None:
        """How many feature maps the backbone returns; None: not known."""
        channels = self.out_channels()
        return None if channels is None else len(channels)

    def describe(self) -> str:
        """A short name for messages."""
        return self.type


BuiltinBackbone = Union[ResNet, ResNetV1c, ResNetV1d, UNet, MixVisionTransformer, ConvNeXt]
BACKBONE_TYPES = frozenset({"ResNet", "ResNetV1c", "ResNetV1d", "UNet", "MixVisionTransformer", "ConvNeXt"})
"""Every built-in backbone `type`."""

_BackboneConfigUnion = Annotated[
    Union[
        Annotated[ResNet, Tag("ResNet")],
        Annotated[ResNetV1c, Tag("ResNetV1c")],
        Annotated[ResNetV1d, Tag("ResNetV1d")],
        Annotated[UNet, Tag("UNet")],
        Annotated[MixVisionTransformer, Tag("MixVisionTransformer")],
        Annotated[ConvNeXt, Tag("ConvNeXt")],
        Annotated[
            SerializeAsAny[UserBackbone],
            user_validator(UserBackbone),
            Tag(USER_TAG),
            WithJsonSchema(USER_JSON_SCHEMA),
        ],
    ],
    discriminate(BACKBONE_TYPES),
]
if TYPE_CHECKING or SCHEMA_MODE:
    BackboneConfig = _BackboneConfigUnion
else:  # validated member by member: each member's validator is built once and shared (see LazyUnion.of)
    BackboneConfig = Annotated[Any, LazyUnion.of(_BackboneConfigUnion)]
"""A backbone: ours by `type`, or a user's `UserBackbone` subclass by its dotted path."""
