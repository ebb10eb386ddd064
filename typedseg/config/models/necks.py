"""Necks between backbone and heads: MMSegmentation's FPN, and the base of a user's own neck."""

from typing import TYPE_CHECKING, Annotated, Literal, Optional, TypeAlias

from pydantic import Field, PositiveInt, model_validator

from typedseg.config.base import (
    ConfigModel,
    Rules,
    Seq,
    UserConfig,
    discriminate,
)
from typedseg.config.lazy import tagged_union, tags_of
from typedseg.config.models.common import (
    ActConfig,
    ConvConfig,
    InitConfig,
    InterpolateMode,
    NormConfig,
    XavierInit,
    default,
)


class FPNUpsample(ConfigModel):
    """How FPN upsamples each level to the one below before adding them (`resize` arguments)."""

    mode: InterpolateMode = "nearest"
    """Interpolation mode."""
    scale_factor: Annotated[float, Field(gt=0.0)] | None = None
    """Upsample by this factor; None: to the lower level's size."""
    align_corners: bool | None = None
    """Align corner pixels (bilinear/bicubic only)."""


class FPN(ConfigModel):
    """Feature pyramid network: lateral 1x1 convs and a top-down path, out_channels at every level."""

    type: Literal["FPN"] = "FPN"
    """MMSegmentation's registry name of the neck."""
    in_channels: Seq[PositiveInt]
    """Channels of each backbone output, in order."""
    out_channels: PositiveInt
    """Channels of every output level."""
    num_outs: PositiveInt
    """Number of output levels; more than the backbone's adds levels on top (max-pool or extra convs)."""
    start_level: Annotated[int, Field(ge=0)] = 0
    """First backbone output used."""
    end_level: int = -1
    """Backbone output after the last one used (exclusive); -1: through the last."""
    add_extra_convs: bool | Literal["on_input", "on_lateral", "on_output"] = False
    """Extra levels from strided convs instead of max-pools, and their source; True means 'on_output' (or
    'on_input' with extra_convs_on_inputs)."""
    extra_convs_on_inputs: bool = False
    """Deprecated: with add_extra_convs=True, take the first extra conv's input from the backbone."""
    relu_before_extra_convs: bool = False
    """Apply a ReLU before each extra conv but the first."""
    no_norm_on_lateral: bool = False
    """Lateral convs without normalization."""
    conv_cfg: Optional[ConvConfig] = None  # Optional: jedi reads a two-kind alias with `| None` as nothing
    """Convolution layer config; None: Conv2d."""
    norm_cfg: NormConfig | None = None
    """Normalization layer config; None: none."""
    act_cfg: ActConfig | None = None
    """Activation layer config; None: none."""
    upsample_cfg: FPNUpsample = default(FPNUpsample, mode="nearest")
    """How levels are upsampled in the top-down path."""
    init_cfg: InitConfig | None = default(XavierInit, layer="Conv2d", distribution="uniform")
    """Weight initialization; MMSegmentation's default: uniform Xavier for convs."""

    def output_channels(self) -> tuple[int, ...] | None:
        """Channels of each output: out_channels at every one of num_outs levels."""
        return (self.out_channels,) * self.num_outs

    def input_channels(self) -> tuple[int, ...] | None:
        """Channels it expects of each backbone output: FPN takes every one, in order."""
        return tuple(self.in_channels)

    def describe(self) -> str:
        """A short name for messages."""
        return f"FPN (out_channels={self.out_channels}, num_outs={self.num_outs})"

    @model_validator(mode="after")
    def _check(self) -> "FPN":
        rules = Rules()
        ins = len(self.in_channels)
        if self.start_level >= ins:
            rules.add(
                "fpn-levels",
                ("start_level",),
                f"start_level={self.start_level} but in_channels has {ins} levels.",
                f"Use a start_level below {ins}.",
            )
        elif self.end_level == -1:
            if self.num_outs < ins - self.start_level:
                rules.add(
                    "fpn-levels",
                    ("num_outs",),
                    f"num_outs={self.num_outs} is fewer than the {ins - self.start_level} levels used "
                    f"(in_channels from start_level {self.start_level}); MMSegmentation asserts it.",
                    f"Set num_outs={ins - self.start_level}.",
                )
        elif self.end_level > ins or self.end_level <= self.start_level:
            rules.add(
                "fpn-levels",
                ("end_level",),
                f"end_level={self.end_level} must be above start_level ({self.start_level}) and at most the "
                f"{ins} levels of in_channels.",
                "Use -1 to use every level.",
            )
        elif self.num_outs != self.end_level - self.start_level:
            rules.add(
                "fpn-levels",
                ("num_outs",),
                f"with end_level={self.end_level}, num_outs must be end_level - start_level = "
                f"{self.end_level - self.start_level}, not {self.num_outs} (MMSegmentation asserts it).",
                f"Set num_outs={self.end_level - self.start_level}.",
            )
        rules.raise_if_any()
        return self


class UserNeck(UserConfig):
    """Base for a user's own neck config. Implement `output_channels()` to have heads checked against it."""

    def output_channels(self) -> tuple[int, ...] | None:
        """Channels of each output, in order; None: not known (heads are not checked)."""
        return None

    def input_channels(self) -> tuple[int, ...] | None:
        """Channels it expects of each backbone output, in order; None: not known (not checked)."""
        return None

    def describe(self) -> str:
        """A short name for messages."""
        return self.type


Necks: TypeAlias = FPN
"""Every built-in neck (a union once there are more)."""
_TaggedNecks = tagged_union(Necks, user=UserNeck)
NECK_TYPES = tags_of(_TaggedNecks)
if not TYPE_CHECKING:  # type checkers read segmentor.NeckConfig, a plain union
    _TaggedNeckConfig = Annotated[_TaggedNecks, discriminate(NECK_TYPES)]
"""The real union of necks (fields validate through `segmentor.NeckConfig`): FPN, or a user's `UserNeck`
subclass by its dotted path."""
