"""The segmentor: MMSegmentation's EncoderDecoder, its data pre-processor and test settings, the FPN neck, and the
test-time-augmentation wrapper SegTTAModel.

`ModelConfig` is what an experiment's `model` holds: an EncoderDecoder, or a user's own segmentor config. Rules
across its components (channels, class counts, checkpoints, slide inference) are in
`typedseg.config.rules.model`.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional, TypeAlias, Union

from pydantic import JsonValue, PositiveInt, SerializeAsAny, Tag, WithJsonSchema, model_validator

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
from typedseg.config.models.backbones import BackboneConfig
from typedseg.config.models.common import InitConfig, one_or_many
from typedseg.config.models.heads import HeadConfig
from typedseg.problems import Path

HW = tuple[PositiveInt, PositiveInt]
"""A (height, width) pair."""
SizeOrHW = PositiveInt | HW
"""An int n for (n, n), or (height, width)."""


def as_hw(value: int | tuple[int, int]) -> tuple[int, int]:
    """`512` -> `(512, 512)`; a pair is returned as it is."""
    return (value, value) if isinstance(value, int) else value


# ----------------------------------------------------------------------------------------------------
# Data pre-processor
# ----------------------------------------------------------------------------------------------------


class PreprocessorTestCfg(ConfigModel):
    """How SegDataPreProcessor pads test batches: to a fixed size, or to a multiple of size_divisor."""

    size: HW | None = None
    """Pad every test image to this (height, width)."""
    size_divisor: PositiveInt | None = None
    """Pad every test image to a multiple of this."""

    @model_validator(mode="after")
    def _check(self) -> "PreprocessorTestCfg":
        rules = Rules()
        if self.size is None and self.size_divisor is None:
            rules.add(
                "pad-size-missing",
                ("size",),
                "test padding needs one of size and size_divisor; neither is set (MMSegmentation's stack_batch "
                "asserts it).",
                "Set size_divisor=32 (or size), or remove test_cfg to stack test images unpadded.",
            )
        elif self.size is not None and self.size_divisor is not None:
            rules.add(
                "pad-size-conflict",
                ("size_divisor",),
                f"size={self.size} and size_divisor={self.size_divisor} are both set; MMSegmentation's "
                "stack_batch asserts exactly one.",
                "Keep size for a fixed size, or size_divisor for a multiple.",
            )
        rules.raise_if_any()
        return self


class SegDataPreProcessor(ConfigModel):
    """Stacks images into a batch on the device: BGR/RGB conversion, normalization, padding (MMSegmentation's)."""

    type: Literal["SegDataPreProcessor"] = "SegDataPreProcessor"
    """MMSegmentation's registry name of the pre-processor."""
    mean: Seq[float] | None = None
    """Per-channel mean subtracted from the images (after any channel conversion); None: no normalization."""
    std: Seq[float] | None = None
    """Per-channel standard deviation the images are divided by; required with mean."""
    size: HW | None = None
    """Pad training images (and label maps) to this (height, width), usually the crop size."""
    size_divisor: PositiveInt | None = None
    """Pad training images to a multiple of this instead of a fixed size."""
    pad_val: float = 0.0
    """Value of padded image pixels."""
    seg_pad_val: float = 255.0
    """Value of padded label pixels: the heads' ignore_index, so padding is not trained on."""
    bgr_to_rgb: bool = False
    """Reverse the channel order of 3-channel images (loaders read BGR; ImageNet statistics are RGB)."""
    rgb_to_bgr: bool = False
    """Reverse the channel order of 3-channel images (the same operation, for RGB-loaded data)."""
    batch_augments: Seq[dict[str, JsonValue]] | None = None
    """Batch-level augmentations. MMSegmentation 1.2.2 calls the list as a function: anything but None fails."""
    test_cfg: PreprocessorTestCfg | None = None
    """Padding of test batches; None: test images are stacked unpadded (they must share a size)."""

    @model_validator(mode="after")
    def _check(self) -> "SegDataPreProcessor":
        rules = Rules()
        if self.bgr_to_rgb and self.rgb_to_bgr:
            rules.add(
                "color-conversion-both",
                ("rgb_to_bgr",),
                "bgr_to_rgb and rgb_to_bgr are both set; MMSegmentation asserts at most one (both reverse the "
                "channel order once).",
                "Keep bgr_to_rgb=True for images loaded with cv2 (BGR) and normalized with RGB statistics.",
            )
        if self.mean is not None and self.std is None:
            rules.add(
                "normalize-needs-std",
                ("std",),
                "mean is set without std; MMSegmentation asserts both are given to normalize.",
                "Set std, e.g. std=[58.395, 57.12, 57.375] with ImageNet's mean.",
            )
        if self.std is not None and self.mean is None:
            rules.add(
                "std-without-mean",
                ("std",),
                "std is set without mean; MMSegmentation normalizes only when mean is set, so std is ignored.",
                "Set mean too, e.g. mean=[123.675, 116.28, 103.53], or remove std.",
            )
        if self.mean is not None and self.std is not None and len(self.mean) != len(self.std):
            rules.add(
                "mean-std-length",
                ("std",),
                f"mean has {len(self.mean)} entries and std {len(self.std)}; normalization takes one of each per "
                "image channel.",
                "Give as many std entries as mean entries (3 for RGB images).",
            )
        if self.std is not None and any(s <= 0 for s in self.std):
            rules.add(
                "std-not-positive",
                ("std",),
                f"std {list(self.std)} has an entry <= 0: the images are divided by it.",
                "Use positive standard deviations.",
            )
        if self.size is not None and self.size_divisor is not None:
            rules.add(
                "pad-size-conflict",
                ("size_divisor",),
                f"size={self.size} and size_divisor={self.size_divisor} are both set; MMSegmentation's "
                "stack_batch asserts exactly one when it pads a training batch.",
                "Keep size (the crop size) for fixed-size crops, or size_divisor for varying sizes.",
            )
        if self.batch_augments is not None:
            rules.add(
                "batch-augments-unsupported",
                ("batch_augments",),
                "MMSegmentation 1.2.2 stores batch_augments as given and calls it like a function: a list "
                "fails at the first training step.",
                "Remove batch_augments (apply augmentations in the data pipeline).",
            )
        rules.raise_if_any()
        return self


# ----------------------------------------------------------------------------------------------------
# Train/test settings of the segmentor
# ----------------------------------------------------------------------------------------------------


class ModelTrainCfg(ConfigModel):
    """The segmentor's `train_cfg`: passed to the heads, which read nothing from it (configs write dict())."""


class ModelTestCfg(ConfigModel):
    """The segmentor's `test_cfg`: whole-image inference, or sliding-window inference over crops."""

    mode: Literal["whole", "slide"] = "whole"
    """'whole': the image at once; 'slide': overlapping crop_size windows every stride pixels, averaged."""
    crop_size: SizeOrHW | None = None
    """Slide window (height, width), usually the training crop size; an int n is (n, n)."""
    stride: SizeOrHW | None = None
    """Step between slide windows (height, width), at most crop_size so windows cover the image; an int n is
    (n, n)."""

    def crop_hw(self) -> tuple[int, int] | None:
        """crop_size as (height, width)."""
        return None if self.crop_size is None else as_hw(self.crop_size)

    def stride_hw(self) -> tuple[int, int] | None:
        """stride as (height, width)."""
        return None if self.stride is None else as_hw(self.stride)


# ----------------------------------------------------------------------------------------------------
# Neck
# ----------------------------------------------------------------------------------------------------


if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    from typedseg.config.models.necks import Necks, UserNeck

    NeckConfig: TypeAlias = Necks | UserNeck
elif SCHEMA_MODE:
    from typedseg.config.models.necks import _TaggedNeckConfig as NeckConfig
else:  # the neck module loads only for a config that has a neck
    NeckConfig = Annotated[Any, LazyUnion("typedseg.config.models.necks", frozenset({"FPN"}), "UserNeck")]
"""A neck between backbone and heads: FPN, or a user's `UserNeck` subclass by its dotted path."""

# ----------------------------------------------------------------------------------------------------
# Segmentors
# ----------------------------------------------------------------------------------------------------

if TYPE_CHECKING:
    AuxiliaryHeads: TypeAlias = HeadConfig | Seq[HeadConfig]
else:
    AuxiliaryHeads = Annotated[HeadConfig | Seq[HeadConfig], one_or_many(HeadConfig)]
"""`auxiliary_head`: one head (its losses are logged as `aux.*`) or a list (`aux_0.*`, `aux_1.*`, ...)."""


class EncoderDecoder(ConfigModel):
    """MMSegmentation's EncoderDecoder: backbone, optional neck, decode head and auxiliary heads."""

    type: Literal["EncoderDecoder"] = "EncoderDecoder"
    """MMSegmentation's registry name of the segmentor."""
    backbone: BackboneConfig
    """The feature extractor."""
    decode_head: HeadConfig
    """The head whose logits are the prediction."""
    neck: Optional[NeckConfig] = None  # Optional: jedi reads a two-kind alias with `| None` as nothing
    """A neck between backbone and heads; None: the heads take the backbone's outputs."""
    auxiliary_head: AuxiliaryHeads | None = None
    """Heads that only add training losses (deep supervision), one or a list."""
    train_cfg: ModelTrainCfg | None = None
    """Training settings passed to the heads (none are read)."""
    test_cfg: ModelTestCfg | None = None
    """Inference settings. None fails at inference in MMSegmentation: set test_cfg=dict(mode='whole')."""
    data_preprocessor: SegDataPreProcessor | None = None
    """Normalization and batching of the inputs."""
    pretrained: str | None = None
    """Checkpoint for the backbone (MMSegmentation hands it to the backbone's deprecated pretrained)."""
    init_cfg: InitConfig | None = None
    """Weight initialization of the whole segmentor (after its parts' own)."""

    def heads(self) -> list[tuple[Path, object]]:
        """`(path below the model, head)` of the decode head and every auxiliary head."""
        found: list[tuple[Path, object]] = [(("decode_head",), self.decode_head)]
        if isinstance(self.auxiliary_head, Sequence):
            found.extend((("auxiliary_head", i), head) for i, head in enumerate(self.auxiliary_head))
        elif self.auxiliary_head is not None:
            found.append((("auxiliary_head",), self.auxiliary_head))
        return found


class UserModel(UserConfig):
    """Base for a user's own segmentor config: subclass it, add its fields, and implement `build()`."""


MODEL_TYPES = frozenset({"EncoderDecoder"})
"""Every built-in segmentor `type`."""

ModelConfig = Annotated[
    Union[
        Annotated[EncoderDecoder, Tag("EncoderDecoder")],
        Annotated[
            SerializeAsAny[UserModel],
            user_validator(UserModel),
            Tag(USER_TAG),
            WithJsonSchema(USER_JSON_SCHEMA),
        ],
    ],
    discriminate(MODEL_TYPES),
]
"""An experiment's `model`: an EncoderDecoder, or a user's `UserModel` subclass by its dotted path."""


class SegTTAModel(ConfigModel):
    """Test-time augmentation: runs the model on each augmented view and averages the class probabilities."""

    type: Literal["SegTTAModel"] = "SegTTAModel"
    """MMSegmentation's registry name of the wrapper."""
    module: ModelConfig | None = None
    """The segmentor to wrap; None: the experiment's model (as MMSegmentation's test script fills it in)."""
    data_preprocessor: SegDataPreProcessor | None = None
    """Pre-processor for the wrapped model, used only when the model has none (MMEngine's setdefault)."""

    @model_validator(mode="after")
    def _check(self) -> "SegTTAModel":
        rules = Rules()
        inner = getattr(self.module, "data_preprocessor", None)
        if self.data_preprocessor is not None and inner is not None:
            rules.add(
                "tta-preprocessor-ignored",
                ("data_preprocessor",),
                "the wrapped model has its own data_preprocessor, so this one is ignored (MMEngine only fills "
                "in a missing one).",
                "Remove one of them; the model's own is the one used.",
            )
        rules.raise_if_any()
        return self
