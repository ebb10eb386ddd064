"""Data transforms: the steps of a dataset's `pipeline`, one model per MMSegmentation/MMCV transform class.

Names, argument names and defaults are MMSegmentation 1.2.2's (`mmseg/datasets/transforms/`) and, for the
classes MMSeg takes from MMCV 2.x (LoadImageFromFile, RandomResize, Pad, TestTimeAug; MMSeg's Resize and
RandomFlip subclass MMCV's and keep their arguments), MMCV's. Where MMCV or MMSeg would fail while building the
pipeline or at the first sample (a RandomFlip without `prob`, a Resize with neither `scale` nor `scale_factor`,
a Pad with both `size` and `size_divisor`), these models refuse at load time.

Sizes follow each class's own order, as in MMSeg: `RandomCrop.crop_size` is (h, w); `Resize.scale`,
`RandomResize.scale` and `Pad.size` are (w, h), cv2's order. With `keep_ratio=True` a resize scale is a bound
(long edge, short edge) and its order does not matter.
"""

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
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
from typedseg.config.lazy import tags_of

if not (TYPE_CHECKING or SCHEMA_MODE):
    # TestTimeAug's branches (and every dataset's pipeline) validate each step through its own class: a
    # pipeline builds only the transforms it names (the real union is below, for type checkers and the schema)
    from typedseg.config.unions import TransformConfig

Size = tuple[PositiveInt, PositiveInt]
"""Two positive pixel counts; which is the width depends on the transform (see the module docstring)."""
Pair = tuple[int, int]
"""Two pixel counts, in a union where positivity is a rule (one clear error rather than one per member)."""
PositiveFloat = Annotated[float, Field(gt=0.0)]
NonNegativeFloat = Annotated[float, Field(ge=0.0)]
BackendArgs = dict[str, JsonValue]
"""Arguments for MMEngine's file backend (`{'backend': 'local'}`, a petrel/S3 config, ...)."""

ImageDecodeBackend = Literal["cv2", "turbojpeg", "pillow", "tifffile"]
"""`mmcv.imfrombytes` decoders."""
ColorType = Literal[
    "color", "grayscale", "unchanged", "color_ignore_orientation", "grayscale_ignore_orientation"
]
"""`mmcv.imfrombytes` flags: how an image file is decoded."""
ResizeBackend = Literal["cv2", "pillow"]
Interpolation = Literal["nearest", "bilinear", "bicubic", "area", "lanczos", "box", "hamming"]
"""Every interpolation MMCV knows; `area` is cv2-only, `box` and `hamming` pillow-only."""
FlipDirection = Literal["horizontal", "vertical", "diagonal"]
PaddingMode = Literal["constant", "edge", "reflect", "symmetric"]

CV2_INTERPOLATIONS = frozenset({"nearest", "bilinear", "bicubic", "area", "lanczos"})
"""`mmcv.image.geometric.cv2_interp_codes`."""
PILLOW_INTERPOLATIONS = frozenset({"nearest", "bilinear", "bicubic", "box", "lanczos", "hamming"})
"""`mmcv.image.geometric.pillow_interp_codes`."""

PACK_SEG_META_KEYS: tuple[str, ...] = (
    "img_path",
    "seg_map_path",
    "ori_shape",
    "img_shape",
    "pad_shape",
    "scale_factor",
    "flip",
    "flip_direction",
    "reduce_zero_label",
)
"""PackSegInputs' default `meta_keys` in MMSegmentation 1.2.2."""


def _check_interpolation(rules: Rules, backend: str, interpolation: str) -> None:
    known = CV2_INTERPOLATIONS if backend == "cv2" else PILLOW_INTERPOLATIONS
    if interpolation not in known:
        rules.add(
            "interpolation-backend",
            ("interpolation",),
            f"interpolation={interpolation!r} is not available with backend={backend!r}; MMCV raises KeyError "
            "at the first resize.",
            f"With backend={backend!r} use one of {', '.join(sorted(known))}"
            + (", or backend='pillow'." if backend == "cv2" else ", or backend='cv2'."),
        )


def _check_positive(rules: Rules, name: str, value: float | tuple[Any, ...] | None) -> None:
    values = value if isinstance(value, tuple) else (value,)
    flat = [v for item in values for v in (item if isinstance(item, tuple) else (item,))]
    if any(v is not None and v <= 0 for v in flat):
        rules.add(
            "size-not-positive",
            (name,),
            f"{name}={value} must be positive: sizes and scale factors are pixel counts or ratios above 0.",
            "Use positive values.",
        )


def _check_range(rules: Rules, name: str, value: tuple[float, float] | None) -> None:
    if value is not None and value[0] > value[1]:
        rules.add(
            "range-not-ordered",
            (name,),
            f"{name}={value} is (min, max) with min > max.",
            f"Write it as {(value[1], value[0])}.",
        )


class _Transform(ConfigModel):
    """Fields and rule hook shared by every built-in transform."""

    type: str
    """The registry name of the transform class."""

    @model_validator(mode="after")
    def _validate(self) -> "_Transform":
        rules = Rules()
        self._check(rules)
        rules.raise_if_any()
        return self

    def _check(self, rules: Rules) -> None:
        """Add this model's rule violations to `rules`."""


# ----------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------


class LoadImageFromFile(_Transform):
    """Reads the image at `img_path` (MMCV's transform): sets `img`, `img_shape` and `ori_shape`."""

    type: Literal["LoadImageFromFile"] = "LoadImageFromFile"
    to_float32: bool = False
    """Convert the decoded image to float32; False keeps uint8."""
    color_type: ColorType = "color"
    """How to decode: 'color' (3-channel BGR), 'grayscale', 'unchanged' (keeps alpha and bit depth), ..."""
    imdecode_backend: ImageDecodeBackend = "cv2"
    """The image decoder."""
    ignore_empty: bool = False
    """A missing or unreadable file yields no sample (the dataset fetches another) instead of raising."""
    backend_args: BackendArgs | None = None
    """File-backend arguments for reading the image; None picks the backend from the path's prefix."""


class LoadAnnotations(_Transform):
    """Reads the label map at `seg_map_path` (MMSeg's transform) into `gt_seg_map`, as uint8."""

    type: Literal["LoadAnnotations"] = "LoadAnnotations"
    reduce_zero_label: bool | None = None
    """Deprecated in MMSeg: None follows the dataset's `reduce_zero_label`; any other value must equal it
    (MMSeg asserts this at the first sample). Set `reduce_zero_label` on the dataset instead."""
    backend_args: BackendArgs | None = None
    """File-backend arguments for reading the label map; None picks the backend from the path's prefix."""
    imdecode_backend: ImageDecodeBackend = "pillow"
    """The decoder of the label map file (MMSeg's default is pillow, unlike LoadImageFromFile)."""


# ----------------------------------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------------------------------


class Resize(_Transform):
    """Resizes the image and the label map to `scale`, or by `scale_factor` (exactly one is set)."""

    type: Literal["Resize"] = "Resize"
    scale: int | Pair | None = None
    """Target size (w, h); an int is a square. With keep_ratio, the bound (long edge, short edge) instead."""
    scale_factor: float | tuple[float, float] | None = None
    """Resize by this factor, or by (w factor, h factor). MMCV uses `scale` when both are set."""
    keep_ratio: bool = False
    """Keep the aspect ratio: rescale as large as fits in `scale` (label maps use nearest interpolation)."""
    clip_object_border: bool = True
    """Clip boxes to the image after resizing (detection only; no effect on label maps)."""
    backend: ResizeBackend = "cv2"
    """Image resize library; the two give slightly different pixels."""
    interpolation: Interpolation = "bilinear"
    """Interpolation of the image ('area' needs cv2, 'box'/'hamming' need pillow); label maps always use
    'nearest'."""

    def _check(self, rules: Rules) -> None:
        if self.scale is None and self.scale_factor is None:
            rules.add(
                "resize-scale-missing",
                (),
                "Resize needs scale or scale_factor; MMCV asserts that one is set.",
                "Set scale=(w, h) for a fixed size, or scale_factor for a ratio of the input size.",
            )
        elif self.scale is not None and self.scale_factor is not None:
            rules.add(
                "resize-scale-conflict",
                ("scale_factor",),
                f"both scale={self.scale} and scale_factor={self.scale_factor} are set; MMCV uses scale "
                "and ignores scale_factor.",
                "Keep one of them.",
            )
        _check_positive(rules, "scale", self.scale)
        _check_positive(rules, "scale_factor", self.scale_factor)
        _check_interpolation(rules, self.backend, self.interpolation)


class RandomResize(_Transform):
    """Resizes to a random scale: `scale` times a ratio from `ratio_range`, or a size between two `scale`s."""

    type: Literal["RandomResize"] = "RandomResize"
    scale: Pair | Seq[Pair]
    """One (w, h) to multiply by a random ratio from ratio_range, or two (w, h) bounds between which each
    edge is drawn uniformly."""
    ratio_range: tuple[PositiveFloat, PositiveFloat] | None = None
    """(min, max) of the random ratio; required with a single scale, unused with two bounds."""
    resize_type: str = "Resize"
    """Registry name of the resize transform it builds; the arguments below are passed to it."""
    keep_ratio: bool = False
    """Passed to the resize: keep the aspect ratio, fitting the image within the drawn scale."""
    clip_object_border: bool = True
    """Passed to the resize: clip boxes to the image (detection only)."""
    backend: ResizeBackend = "cv2"
    """Passed to the resize: the image resize library."""
    interpolation: Interpolation = "bilinear"
    """Passed to the resize: interpolation of the image; label maps always use 'nearest'."""

    @property
    def single_scale(self) -> bool:
        """Whether `scale` is one (w, h) (scaled by ratio_range) rather than a pair of bounds."""
        return len(self.scale) > 0 and isinstance(self.scale[0], int)

    def _check(self, rules: Rules) -> None:
        if self.single_scale:
            if self.ratio_range is None:
                rules.add(
                    "random-resize-needs-ratio-range",
                    ("ratio_range",),
                    f"a single scale {self.scale} is multiplied by a ratio drawn from ratio_range, and none is "
                    "set; MMCV asserts at the first sample.",
                    "Set ratio_range=(0.5, 2.0) (MMSeg's usual range), or give two scales as bounds.",
                )
        else:
            if len(self.scale) != 2:
                rules.add(
                    "random-resize-scale-bounds",
                    ("scale",),
                    f"scale lists {len(self.scale)} sizes; as bounds it needs exactly two, (w, h) min and max "
                    "(MMCV asserts at the first sample).",
                    "Give two sizes, or one size with ratio_range.",
                )
            if self.ratio_range is not None:
                rules.add(
                    "unused-setting",
                    ("ratio_range",),
                    "ratio_range only scales a single scale; with two scale bounds MMCV ignores it.",
                    "Remove ratio_range, or give one scale.",
                )
        _check_positive(rules, "scale", tuple(self.scale))
        _check_range(rules, "ratio_range", self.ratio_range)
        if self.resize_type == "Resize":
            _check_interpolation(rules, self.backend, self.interpolation)


class RandomCrop(_Transform):
    """Crops a random `crop_size` window, retrying (up to 10 times) while one class fills too much of it."""

    type: Literal["RandomCrop"] = "RandomCrop"
    crop_size: int | tuple[int, int]
    """Crop size (h, w); an int is a square. Images smaller than it are not padded (add a Pad)."""
    cat_max_ratio: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0
    """Largest share of the crop's labelled pixels one class may take; 1.0 turns the retries off."""
    ignore_index: int = 255
    """Label not counted when measuring class shares (should be the dataset's ignore_index)."""

    @property
    def crop_hw(self) -> tuple[int, int]:
        """The crop size as (h, w)."""
        if isinstance(self.crop_size, int):
            return (self.crop_size, self.crop_size)
        return self.crop_size

    def _check(self, rules: Rules) -> None:
        if min(self.crop_hw) <= 0:
            rules.add(
                "size-not-positive",
                ("crop_size",),
                f"crop_size={self.crop_size} must be positive; MMSeg asserts crop_size > 0.",
                "Give the crop's (h, w) in pixels, e.g. crop_size=(512, 512).",
            )


class RandomFlip(_Transform):
    """Flips the image and label map with probability `prob`, in `direction` (or one of several)."""

    type: Literal["RandomFlip"] = "RandomFlip"
    prob: float | Seq[float]
    """Flip probability; with several directions, one probability each (their sum at most 1), or one shared
    equally. Required: MMCV's default None raises."""
    direction: FlipDirection | Seq[FlipDirection] = "horizontal"
    """Flip direction, or directions to choose from."""
    swap_seg_labels: Seq[tuple[int, int]] | None = None
    """Label pairs swapped in flipped label maps (left/right arm)."""

    def _check(self, rules: Rules) -> None:
        probs = self.prob if isinstance(self.prob, tuple) else (self.prob,)
        for index, prob in enumerate(probs):
            if not 0.0 <= prob <= 1.0:
                rules.add(
                    "probability-out-of-range",
                    ("prob", index) if isinstance(self.prob, tuple) else ("prob",),
                    f"prob={prob} is not a probability: it must be in [0, 1] (MMCV asserts).",
                    "Use a value from 0 (never flip) to 1 (always flip).",
                )
        if not self.direction:
            rules.add(
                "flip-direction-empty",
                ("direction",),
                "direction lists no directions; MMCV then divides prob by zero at the first sample.",
                "List at least one of 'horizontal', 'vertical', 'diagonal', or give one as a string.",
            )
        if isinstance(self.prob, tuple):
            if isinstance(self.direction, str):
                rules.add(
                    "flip-prob-direction-mismatch",
                    ("prob",),
                    f"prob lists {len(self.prob)} probabilities but direction is the single {self.direction!r}; "
                    "one probability per direction is required (MMCV asserts).",
                    f"Use prob={self.prob[0]}, or list the directions.",
                )
            elif len(self.prob) != len(self.direction):
                rules.add(
                    "flip-prob-direction-mismatch",
                    ("prob",),
                    f"prob lists {len(self.prob)} probabilities for {len(self.direction)} directions; "
                    "MMCV asserts one each.",
                    "Give one probability per direction, or a single prob shared equally.",
                )
            if sum(self.prob) > 1.0:
                rules.add(
                    "flip-prob-sum",
                    ("prob",),
                    f"the flip probabilities sum to {sum(self.prob):g}, above 1 (MMCV asserts sum(prob) <= 1).",
                    "Lower them so that they sum to at most 1; the rest is the chance of no flip.",
                )


class PadValues(ConfigModel):
    """Pad's padding values for the image and the label map."""

    img: float | Seq[float] = 0.0
    """Value of padded image pixels (or one per channel)."""
    seg: int = 255
    """Value of padded label-map pixels; keep it the dataset's ignore_index so that padding is not trained."""


class Pad(_Transform):
    """Pads the image and label map to `size`, or up to a multiple of `size_divisor` (MMCV's transform)."""

    type: Literal["Pad"] = "Pad"
    size: Size | None = None
    """Fixed size to pad to, (w, h): note RandomCrop's crop_size is (h, w). Excludes size_divisor."""
    size_divisor: PositiveInt | None = None
    """Pad each side up to a multiple of this. Excludes size."""
    pad_to_square: bool = False
    """Pad to a square of the longer side (then size must not be set)."""
    pad_val: int | PadValues = PadValues()
    """Padding values; an int pads the image with it and the label map with 255."""
    padding_mode: PaddingMode = "constant"
    """constant (pad_val), edge (repeat the edge), reflect or symmetric (mirror the image)."""

    @property
    def seg_pad_value(self) -> int:
        """The value written into padded label-map pixels (with padding_mode='constant')."""
        return 255 if isinstance(self.pad_val, int) else self.pad_val.seg

    def _check(self, rules: Rules) -> None:
        if self.pad_to_square:
            if self.size is not None:
                rules.add(
                    "pad-size-conflict",
                    ("size",),
                    "pad_to_square pads to the longer side, so size must not be set (MMCV asserts).",
                    "Remove size, or pad_to_square.",
                )
        elif self.size is None and self.size_divisor is None:
            rules.add(
                "pad-size-missing",
                (),
                "Pad needs size, size_divisor or pad_to_square; MMCV asserts one is set.",
                "Set size=(w, h) to pad to a fixed size, or size_divisor=32 to pad to a multiple.",
            )
        elif self.size is not None and self.size_divisor is not None:
            rules.add(
                "pad-size-conflict",
                ("size_divisor",),
                "size and size_divisor are both set; MMCV asserts only one is.",
                "Keep size for a fixed size, or size_divisor for a multiple.",
            )


# ----------------------------------------------------------------------------------------------------
# Photometry
# ----------------------------------------------------------------------------------------------------


class PhotoMetricDistortion(_Transform):
    """Random brightness, contrast, saturation and hue changes, each applied with probability 0.5."""

    type: Literal["PhotoMetricDistortion"] = "PhotoMetricDistortion"
    brightness_delta: Annotated[int, Field(ge=0)] = 32
    """Add a value drawn from [-delta, delta] to every pixel."""
    contrast_range: tuple[NonNegativeFloat, NonNegativeFloat] = (0.5, 1.5)
    """(min, max) of the factor multiplying every pixel."""
    saturation_range: tuple[NonNegativeFloat, NonNegativeFloat] = (0.5, 1.5)
    """(min, max) of the factor multiplying the saturation."""
    hue_delta: Annotated[int, Field(ge=0)] = 18
    """Shift the hue (0-179 in OpenCV) by an integer drawn from [-delta, delta)."""

    def _check(self, rules: Rules) -> None:
        _check_range(rules, "contrast_range", self.contrast_range)
        _check_range(rules, "saturation_range", self.saturation_range)
        if self.hue_delta == 0:
            rules.add(
                "hue-delta-zero",
                ("hue_delta",),
                "hue_delta=0 makes MMSeg call numpy's randint(0, 0), which raises ValueError on about half "
                "of the samples.",
                "Use hue_delta >= 1 (1 shifts the hue by at most one step of 180).",
            )


# ----------------------------------------------------------------------------------------------------
# Packing and test-time augmentation
# ----------------------------------------------------------------------------------------------------


class PackSegInputs(_Transform):
    """Packs the image into the model's `inputs` tensor and the label map and meta keys into a SegDataSample."""

    type: Literal["PackSegInputs"] = "PackSegInputs"
    meta_keys: Seq[str] = PACK_SEG_META_KEYS
    """Keys of the sample copied into the data sample's metainfo (those present)."""


class TestTimeAug(_Transform):
    """Runs every combination of one transform per step (MMCV's transform): e.g. scales x flips, then packing."""

    __test__ = False  # not a pytest test class, despite its name

    type: Literal["TestTimeAug"] = "TestTimeAug"
    transforms: "Seq[Seq[TransformConfig]]"  # the real union is defined below (schema export)
    """The steps, in order; each lists its alternatives, and every combination of one alternative per step is
    applied to a copy of the sample."""

    def _check(self, rules: Rules) -> None:
        for index, step in enumerate(self.transforms):
            if not step:
                rules.add(
                    "tta-empty-step",
                    ("transforms", index),
                    f"step {index} of TestTimeAug has no alternatives, so there is no combination to run "
                    "(MMCV then fails with IndexError).",
                    "Remove the empty step, or list at least one transform in it.",
                )


# ----------------------------------------------------------------------------------------------------
# A user's own transform, and the union
# ----------------------------------------------------------------------------------------------------


class UserTransform(UserConfig):
    """Base for a user's own transform config: subclass it, add fields, and implement `build()` for the engine."""


_TaggedTransforms = Union[
    Annotated[LoadImageFromFile, Tag("LoadImageFromFile")],
    Annotated[LoadAnnotations, Tag("LoadAnnotations")],
    Annotated[Resize, Tag("Resize")],
    Annotated[RandomResize, Tag("RandomResize")],
    Annotated[RandomCrop, Tag("RandomCrop")],
    Annotated[RandomFlip, Tag("RandomFlip")],
    Annotated[Pad, Tag("Pad")],
    Annotated[PhotoMetricDistortion, Tag("PhotoMetricDistortion")],
    Annotated[PackSegInputs, Tag("PackSegInputs")],
    Annotated[TestTimeAug, Tag("TestTimeAug")],
    Annotated[
        SerializeAsAny[UserTransform],
        user_validator(UserTransform),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]


TRANSFORM_TYPES = tags_of(_TaggedTransforms)
"""Every built-in transform `type`."""

_TaggedTransformConfig = Annotated[_TaggedTransforms, discriminate(TRANSFORM_TYPES)]
if TYPE_CHECKING or SCHEMA_MODE:
    TransformConfig = _TaggedTransformConfig
    """Any pipeline step: ours by MMSeg's `type`, a user's `UserTransform` subclass by its dotted path."""

TransformLike = Union[_Transform, UserTransform]
"""Any transform config, ours or a user's: what the pipeline rules walk."""
