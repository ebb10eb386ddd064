"""MMPretrain's ConvNeXt (`mmpretrain.ConvNeXt` in MMSegmentation configs)."""

from itertools import pairwise
from typing import Annotated, Literal, Union

from pydantic import Discriminator, Field, PositiveInt, Tag, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq
from typedseg.config.models.backbones._base import DropRate, _Backbone
from typedseg.config.models.common import (
    GELU,
    ActConfig,
    ConstantInit,
    InitConfig,
    LN2d,
    NormConfig,
    TruncNormalInit,
    default,
)

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
    def _check(self) -> "ConvNeXtArch":
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

    def library(self) -> str:
        return "MMPretrain"

    def pooling_setting(self) -> str | None:
        return "gap_before_final_norm" if self.gap_before_final_norm else None

    @model_validator(mode="after")
    def _check(self) -> "ConvNeXt":
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
