"""MMSegmentation's ResNet family: ResNet, ResNetV1c (deep stem) and ResNetV1d (deep stem, avg-down)."""

from typing import Annotated, Literal, Optional

from pydantic import Field, JsonValue, PositiveInt, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq
from typedseg.config.models.backbones._base import (
    _Backbone,
    _check_length,
    _check_out_indices,
    _check_pretrained,
)
from typedseg.config.models.common import BN, ConvConfig, InitConfig, NormConfig, default

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
    def _check(self) -> "ResNetPlugin":
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
    conv_cfg: Optional[ConvConfig] = None  # Optional: jedi reads a two-kind alias with `| None` as nothing
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
    def _check(self) -> "_ResNet":
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
