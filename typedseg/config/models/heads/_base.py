"""MMSegmentation's BaseDecodeHead arguments and rules, shared by every decode head; a user's base."""

from collections.abc import Sequence
from typing import Annotated, Literal, Optional

from pydantic import Field, PositiveInt, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq, UserConfig
from typedseg.config.models.common import (
    ActConfig,
    ConvConfig,
    InitConfig,
    NameOverride,
    NormalInit,
    NormConfig,
    ReLU,
    default,
)
from typedseg.config.models.losses import CrossEntropyLoss, LossConfig, LossDecode
from typedseg.problems import Path

InputTransform = Literal["resize_concat", "multiple_select"]


DropRate = Annotated[float, Field(ge=0.0, lt=1.0)]


class OHEMPixelSampler(ConfigModel):
    """Online hard example mining: train on the hardest pixels only (low-confidence or high-loss ones)."""

    type: Literal["OHEMPixelSampler"] = "OHEMPixelSampler"
    """MMSegmentation's registry name of the sampler."""
    thresh: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None
    """Keep pixels whose predicted probability of their label is below this; None: the min_kept highest losses."""
    min_kept: Annotated[int, Field(gt=1)] = 100000
    """Keep at least this many pixels per image."""


class _DecodeHead(ConfigModel):
    """MMSegmentation's BaseDecodeHead arguments, shared by every decode head."""

    type: str
    """MMSegmentation's registry name of the head."""
    in_channels: PositiveInt | Seq[PositiveInt]
    """Channels of the selected input(s): an int for one map, one per map for several (per in_index)."""
    channels: PositiveInt
    """Channels of the head's features before the final classifier (conv_seg)."""
    num_classes: PositiveInt
    """Number of classes."""
    out_channels: PositiveInt | None = None
    """Channels of the final classifier: None means num_classes; 1 for binary segmentation with a threshold
    (num_classes=2, and a sigmoid loss)."""
    threshold: float | None = None
    """Binary segmentation (out_channels=1): a pixel is foreground when its sigmoid exceeds this (MMSegmentation
    uses 0.3 when None)."""
    dropout_ratio: DropRate = 0.1
    """Dropout before the final classifier; 0: none."""
    conv_cfg: Optional[ConvConfig] = None  # Optional: jedi reads a two-kind alias with `| None` as nothing
    """Convolution layer config; None: Conv2d."""
    norm_cfg: NormConfig | None = None
    """Normalization layer config; None: no normalization (MMSegmentation's configs set SyncBN)."""
    act_cfg: ActConfig | None = default(ReLU)
    """Activation layer config; None: no activation."""
    in_index: int | Seq[int] = -1
    """Which backbone (or neck) output(s) to use: an int for one map, a list for several."""
    loss_decode: LossDecode = default(CrossEntropyLoss, use_sigmoid=False, loss_weight=1.0)
    """The loss, or a list of losses summed per loss_name."""
    ignore_index: int | None = 255
    """Label ignored by the losses and the accuracy (MMSegmentation's 255: unlabeled pixels and padding)."""
    sampler: OHEMPixelSampler | None = None
    """Pixel sampler weighting the loss; None: every pixel counts."""
    align_corners: bool = False
    """align_corners of the bilinear resizes of the head's logits and inputs."""
    init_cfg: InitConfig | None = default(
        NormalInit, std=0.01, override=default(NameOverride, name="conv_seg")
    )
    """Weight initialization; MMSegmentation's default: normal(std=0.01) for the classifier conv_seg."""

    # --- what the head selects ---------------------------------------------------------------------

    def transform(self) -> InputTransform | None:
        """How several inputs are combined (None: one input)."""
        return None

    def indices(self) -> tuple[int, ...]:
        """in_index as a tuple."""
        return (self.in_index,) if isinstance(self.in_index, int) else tuple(self.in_index)

    def input_channels(self) -> tuple[int, ...]:
        """in_channels as a tuple (one per selected input)."""
        return (self.in_channels,) if isinstance(self.in_channels, int) else tuple(self.in_channels)

    def low_level_channels(self) -> int | None:
        """Channels this head expects of output 0 as a low-level map, besides its in_index inputs
        (DeepLabV3+'s `c1_in_channels`); None: it reads no such map."""
        return None

    def classes_out(self) -> int:
        """Channels of the logits: out_channels, or num_classes when that is None."""
        return self.num_classes if self.out_channels is None else self.out_channels

    def losses(self) -> list[tuple[Path, LossConfig]]:
        """`(path below the head, loss)` of each loss in loss_decode."""
        if isinstance(self.loss_decode, Sequence):
            return [(("loss_decode", i), loss) for i, loss in enumerate(self.loss_decode)]
        return [(("loss_decode",), self.loss_decode)]

    def _feature_channels(self) -> int | None:
        """Channels of the map the head's first conv receives (None for a list of maps)."""
        transform = self.transform()
        if transform == "resize_concat":
            return sum(self.input_channels())
        if transform is None and isinstance(self.in_channels, int):
            return self.in_channels
        return None

    # --- rules ------------------------------------------------------------------------------------

    @model_validator(mode="after")
    def _validate(self) -> "_DecodeHead":
        rules = Rules()
        self._check(rules)
        rules.raise_if_any()
        return self

    def _check(self, rules: Rules) -> None:
        """Add this head's rule violations to `rules` (heads extend it, so every problem is reported)."""
        self._check_inputs(rules)
        self._check_outputs(rules)

    def _check_inputs(self, rules: Rules) -> None:
        transform = self.transform()
        if transform is None:
            for field, value in (("in_channels", self.in_channels), ("in_index", self.in_index)):
                if not isinstance(value, int):
                    rules.add(
                        "head-input-single",
                        (field,),
                        f"{field} is a list ({list(value)}) but input_transform is None, which selects one "
                        "feature map; MMSegmentation asserts an int.",
                        "Give one in_index and its in_channels, or set input_transform='resize_concat' to "
                        "concatenate several maps.",
                    )
            return
        for field, value in (("in_channels", self.in_channels), ("in_index", self.in_index)):
            if isinstance(value, int):
                rules.add(
                    "head-input-multiple",
                    (field,),
                    f"{field} is {value} but input_transform={transform!r} selects several feature maps; "
                    "MMSegmentation asserts a list.",
                    f"Give {field} as a list, one entry per selected map.",
                )
        channels, indices = self.input_channels(), self.indices()
        if not isinstance(self.in_channels, int) and len(channels) != len(indices):
            rules.add(
                "head-input-length",
                ("in_channels",),
                f"in_channels has {len(channels)} entries but in_index selects {len(indices)} maps; "
                "MMSegmentation asserts one channel count per selected map.",
                "Give one in_channels entry per in_index entry.",
            )

    def _check_outputs(self, rules: Rules) -> None:
        out, n = self.out_channels, self.num_classes
        if out is not None and out not in (n, 1):
            rules.add(
                "head-out-channels",
                ("out_channels",),
                f"out_channels={out} with num_classes={n}: MMSegmentation allows only num_classes (or None), "
                "or 1 for binary segmentation (ValueError).",
                "Remove out_channels (it defaults to num_classes).",
            )
        elif out == 1 and n > 2:
            rules.add(
                "head-out-channels",
                ("out_channels",),
                f"out_channels=1 is binary segmentation (one sigmoid channel), but num_classes={n}.",
                "Remove out_channels for multi-class segmentation, or set num_classes=2.",
            )
        if self.threshold is not None and self.classes_out() != 1:
            rules.add(
                "threshold-unused",
                ("threshold",),
                f"threshold={self.threshold} is only used with out_channels=1; with {self.classes_out()} "
                "output channels each pixel takes the arg-max class.",
                "Remove threshold, or set out_channels=1 (with num_classes=2 and use_sigmoid=True) for "
                "thresholded binary segmentation.",
            )
        for path, loss in self.losses():
            if not isinstance(loss, CrossEntropyLoss):
                continue
            if out == 1 and not loss.use_sigmoid:
                rules.add(
                    "binary-needs-sigmoid",
                    (*path, "use_sigmoid"),
                    "out_channels=1 gives one logit per pixel, but this CrossEntropyLoss applies a softmax over "
                    "channels: with a single channel, label 1 is out of range.",
                    "Set use_sigmoid=True (binary cross-entropy).",
                )
            if loss.use_mask:
                rules.add(
                    "ce-mask-in-decode-head",
                    (*path, "use_mask"),
                    "use_mask=True selects MMDetection's per-object mask cross-entropy, whose object labels a "
                    "decode head never passes (it fails at the first training step).",
                    "Remove use_mask.",
                )

    def _check_single_map(self, rules: Rules) -> None:
        """For heads that process one tensor: 'multiple_select' would hand them a list."""
        if self.transform() == "multiple_select":
            rules.add(
                "head-multiple-select",
                ("input_transform",),
                f"{self.type} convolves one feature map; input_transform='multiple_select' hands it a list.",
                "Use input_transform='resize_concat' to concatenate several maps, or None for one.",
            )


class _OneMapHead(_DecodeHead):
    """Heads that convolve one map: input_transform is theirs to choose."""

    input_transform: InputTransform | None = None
    """How several selected maps are combined: None (one map), 'resize_concat' (resize to the first and
    concatenate) or 'multiple_select' (a list, for heads that take one)."""

    def transform(self) -> InputTransform | None:
        return self.input_transform

    def _check(self, rules: Rules) -> None:
        super()._check(rules)
        self._check_single_map(rules)


class _MultiMapHead(_DecodeHead):
    """Heads that always take several maps (MMSegmentation fixes input_transform='multiple_select')."""

    in_channels: Seq[PositiveInt]
    """Channels of each selected map (one per in_index entry)."""
    in_index: Seq[int]
    """Which backbone (or neck) outputs to use, in order (MMSegmentation's default -1 fails for this head)."""

    @property
    def input_transform(self) -> InputTransform:
        """Fixed by the head: 'multiple_select' (passing it to MMSegmentation is a TypeError)."""
        return "multiple_select"

    def transform(self) -> InputTransform | None:
        return "multiple_select"


class UserHead(UserConfig):
    """Base for a user's own decode head config: subclass it, add its fields, and implement `build()`."""
