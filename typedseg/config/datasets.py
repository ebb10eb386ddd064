"""Datasets: MMSegmentation's BaseSegDataset and its ADE20K, Cityscapes and Pascal VOC subclasses, and MMEngine's
ConcatDataset and RepeatDataset wrappers.

Names, argument names and defaults are MMSegmentation 1.2.2's (`mmseg/datasets/`) and MMEngine's
(`mmengine/dataset/dataset_wrapper.py`); each dataset class's METAINFO (class names and palette) is copied below.
What MMSeg or MMEngine would refuse while building the dataset (metainfo classes that are not the class's own, a
palette that does not fit the classes, wrapped datasets whose metainfo differs) is refused at load time.

How MMSeg builds a dataset's metainfo, which `classes()`, `palette()` and `label_map()` reproduce:
- `metainfo.classes` replaces the class's METAINFO classes; for a dataset class that has its own (ADE20K,
  Cityscapes, VOC) they must be a subset of them, in any order, and labels are remapped to the new order (others
  become 255);
- the palette is `metainfo.palette`, else the class's; it must have one colour per class, or none (MMSeg then
  draws a random palette with seed 42), or, when classes were remapped, cover the class's own classes (MMSeg
  keeps the colours of the kept classes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal, Union

from pydantic import Field, JsonValue, PositiveInt, SerializeAsAny, Tag, WithJsonSchema, model_validator

from typedseg.config.base import (
    USER_JSON_SCHEMA,
    USER_TAG,
    ConfigModel,
    Rules,
    Seq,
    UserConfig,
    discriminate,
    user_validator,
)
from typedseg.config.errors import suggest
from typedseg.config.lazy import tags_of
from typedseg.config.transforms import BackendArgs, TransformConfig

Channel = Annotated[int, Field(ge=0, le=255)]
RGB = tuple[Channel, Channel, Channel]
"""An (R, G, B) colour, each channel in 0-255."""

# fmt: off
ADE20K_CLASSES: tuple[str, ...] = (
    "wall", "building", "sky", "floor", "tree", "ceiling", "road", "bed ", "windowpane", "grass", "cabinet",
    "sidewalk", "person", "earth", "door", "table", "mountain", "plant", "curtain", "chair", "car", "water",
    "painting", "sofa", "shelf", "house", "sea", "mirror", "rug", "field", "armchair", "seat", "fence",
    "desk", "rock", "wardrobe", "lamp", "bathtub", "railing", "cushion", "base", "box", "column",
    "signboard", "chest of drawers", "counter", "sand", "sink", "skyscraper", "fireplace", "refrigerator",
    "grandstand", "path", "stairs", "runway", "case", "pool table", "pillow", "screen door", "stairway",
    "river", "bridge", "bookcase", "blind", "coffee table", "toilet", "flower", "book", "hill", "bench",
    "countertop", "stove", "palm", "kitchen island", "computer", "swivel chair", "boat", "bar",
    "arcade machine", "hovel", "bus", "towel", "light", "truck", "tower", "chandelier", "awning",
    "streetlight", "booth", "television receiver", "airplane", "dirt track", "apparel", "pole", "land",
    "bannister", "escalator", "ottoman", "bottle", "buffet", "poster", "stage", "van", "ship", "fountain",
    "conveyer belt", "canopy", "washer", "plaything", "swimming pool", "stool", "barrel", "basket",
    "waterfall", "tent", "bag", "minibike", "cradle", "oven", "ball", "food", "step", "tank", "trade name",
    "microwave", "pot", "animal", "bicycle", "lake", "dishwasher", "screen", "blanket", "sculpture", "hood",
    "sconce", "vase", "traffic light", "tray", "ashcan", "fan", "pier", "crt screen", "plate", "monitor",
    "bulletin board", "shower", "radiator", "glass", "clock", "flag",
)
# fmt: on
"""ADE20KDataset.METAINFO classes (150), in label order; copied from MMSegmentation 1.2.2."""

# fmt: off
ADE20K_PALETTE: tuple[RGB, ...] = (
    (120, 120, 120), (180, 120, 120), (6, 230, 230), (80, 50, 50), (4, 200, 3), (120, 120, 80),
    (140, 140, 140), (204, 5, 255), (230, 230, 230), (4, 250, 7), (224, 5, 255), (235, 255, 7), (150, 5, 61),
    (120, 120, 70), (8, 255, 51), (255, 6, 82), (143, 255, 140), (204, 255, 4), (255, 51, 7), (204, 70, 3),
    (0, 102, 200), (61, 230, 250), (255, 6, 51), (11, 102, 255), (255, 7, 71), (255, 9, 224), (9, 7, 230),
    (220, 220, 220), (255, 9, 92), (112, 9, 255), (8, 255, 214), (7, 255, 224), (255, 184, 6), (10, 255, 71),
    (255, 41, 10), (7, 255, 255), (224, 255, 8), (102, 8, 255), (255, 61, 6), (255, 194, 7), (255, 122, 8),
    (0, 255, 20), (255, 8, 41), (255, 5, 153), (6, 51, 255), (235, 12, 255), (160, 150, 20), (0, 163, 255),
    (140, 140, 140), (250, 10, 15), (20, 255, 0), (31, 255, 0), (255, 31, 0), (255, 224, 0), (153, 255, 0),
    (0, 0, 255), (255, 71, 0), (0, 235, 255), (0, 173, 255), (31, 0, 255), (11, 200, 200), (255, 82, 0),
    (0, 255, 245), (0, 61, 255), (0, 255, 112), (0, 255, 133), (255, 0, 0), (255, 163, 0), (255, 102, 0),
    (194, 255, 0), (0, 143, 255), (51, 255, 0), (0, 82, 255), (0, 255, 41), (0, 255, 173), (10, 0, 255),
    (173, 255, 0), (0, 255, 153), (255, 92, 0), (255, 0, 255), (255, 0, 245), (255, 0, 102), (255, 173, 0),
    (255, 0, 20), (255, 184, 184), (0, 31, 255), (0, 255, 61), (0, 71, 255), (255, 0, 204), (0, 255, 194),
    (0, 255, 82), (0, 10, 255), (0, 112, 255), (51, 0, 255), (0, 194, 255), (0, 122, 255), (0, 255, 163),
    (255, 153, 0), (0, 255, 10), (255, 112, 0), (143, 255, 0), (82, 0, 255), (163, 255, 0), (255, 235, 0),
    (8, 184, 170), (133, 0, 255), (0, 255, 92), (184, 0, 255), (255, 0, 31), (0, 184, 255), (0, 214, 255),
    (255, 0, 112), (92, 255, 0), (0, 224, 255), (112, 224, 255), (70, 184, 160), (163, 0, 255),
    (153, 0, 255), (71, 255, 0), (255, 0, 163), (255, 204, 0), (255, 0, 143), (0, 255, 235), (133, 255, 0),
    (255, 0, 235), (245, 0, 255), (255, 0, 122), (255, 245, 0), (10, 190, 212), (214, 255, 0), (0, 204, 255),
    (20, 0, 255), (255, 255, 0), (0, 153, 255), (0, 41, 255), (0, 255, 204), (41, 0, 255), (41, 255, 0),
    (173, 0, 255), (0, 245, 255), (71, 0, 255), (122, 0, 255), (0, 255, 184), (0, 92, 255), (184, 255, 0),
    (0, 133, 255), (255, 214, 0), (25, 194, 194), (102, 255, 0), (92, 0, 255),
)
# fmt: on
"""ADE20KDataset.METAINFO palette: the (R, G, B) colour of each class, in label order."""

# fmt: off
CITYSCAPES_CLASSES: tuple[str, ...] = (
    "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation",
    "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
)
# fmt: on
"""CityscapesDataset.METAINFO classes (19), in label order; copied from MMSegmentation 1.2.2."""

# fmt: off
CITYSCAPES_PALETTE: tuple[RGB, ...] = (
    (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153), (153, 153, 153),
    (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60),
    (255, 0, 0), (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 80, 100), (0, 0, 230), (119, 11, 32),
)
# fmt: on
"""CityscapesDataset.METAINFO palette: the (R, G, B) colour of each class, in label order."""

# fmt: off
PASCAL_VOC_CLASSES: tuple[str, ...] = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train",
    "tvmonitor",
)
# fmt: on
"""PascalVOCDataset.METAINFO classes (21), in label order; copied from MMSegmentation 1.2.2."""

# fmt: off
PASCAL_VOC_PALETTE: tuple[RGB, ...] = (
    (0, 0, 0), (128, 0, 0), (0, 128, 0), (128, 128, 0), (0, 0, 128), (128, 0, 128), (0, 128, 128),
    (128, 128, 128), (64, 0, 0), (192, 0, 0), (64, 128, 0), (192, 128, 0), (64, 0, 128), (192, 0, 128),
    (64, 128, 128), (192, 128, 128), (0, 64, 0), (128, 64, 0), (0, 192, 0), (128, 192, 0), (0, 64, 128),
)
# fmt: on
"""PascalVOCDataset.METAINFO palette: the (R, G, B) colour of each class, in label order."""


# ----------------------------------------------------------------------------------------------------
# Segmentation datasets
# ----------------------------------------------------------------------------------------------------


class DatasetMetainfo(ConfigModel):
    """Overrides of a dataset class's METAINFO: which classes to train on (and in what order), and their colours."""

    classes: Seq[str] | None = None
    """Class names, in label order. For ADE20K/Cityscapes/VOC a subset (any order) of the class's own: labels
    are remapped to this order and the other classes become 255. None keeps the class's own."""
    palette: Seq[RGB] | None = None
    """One (R, G, B) colour per class, for visualization. None keeps the class's own palette (or MMSeg's random
    one, seed 42, when it has none)."""


class DataPrefix(ConfigModel):
    """Where the images and label maps are, relative to data_root."""

    img_path: str = ""
    """Folder of the images (joined to data_root unless absolute)."""
    seg_map_path: str = ""
    """Folder of the label maps (joined to data_root unless absolute)."""


@dataclass(frozen=True)
class DatasetMeta:
    """The `metainfo` MMSeg builds for a dataset config: what MMEngine's ConcatDataset compares between datasets."""

    classes: tuple[str, ...] | None
    """The class names; None when the dataset has none (the key is then absent)."""
    palette: tuple[RGB, ...] | int
    """The palette; an int n stands for MMSeg's random palette of n colours (the same for the same n)."""
    label_map: tuple[tuple[int, int], ...] | None
    """(old label, new label) pairs when metainfo.classes remaps the class's own classes."""
    reduce_zero_label: bool
    """Whether label 0 is turned into 255 and the others shifted down by one."""


class _SegDataset(ConfigModel):
    """Fields, metainfo logic and rules shared by BaseSegDataset and its subclasses."""

    METAINFO_CLASSES: ClassVar[tuple[str, ...]] = ()
    METAINFO_PALETTE: ClassVar[tuple[tuple[int, int, int], ...]] = ()

    type: str
    """The registry name of the dataset class."""
    ann_file: str = ""
    """Text file listing the samples, one name (without suffix) per line, relative to data_root; '' lists the
    image folder instead."""
    img_suffix: str = ".jpg"
    """Image file name = sample name + this."""
    seg_map_suffix: str = ".png"
    """Label map file name = sample name + this."""
    metainfo: DatasetMetainfo | None = None
    """Overrides of the class's METAINFO (classes, palette); None keeps it."""
    data_root: str | None = None
    """Root folder that ann_file and data_prefix are relative to."""
    data_prefix: DataPrefix = DataPrefix()
    """Folders of the images and label maps."""
    filter_cfg: dict[str, JsonValue] | None = None
    """Sample filter settings; MMSeg's datasets do not implement filtering and ignore it."""
    indices: int | Seq[int] | None = None
    """Use only these samples: the first n (an int; a negative int: the last -n), or these indices."""
    serialize_data: bool = True
    """Keep the sample list serialized in one buffer, shared by dataloader workers instead of copied."""
    pipeline: Seq[TransformConfig] = ()
    """The transforms each sample goes through, in order."""
    test_mode: bool = False
    """Test phase: requires class names (MMSeg asserts them)."""
    lazy_init: bool = False
    """Defer reading the sample list until it is first needed."""
    max_refetch: Annotated[int, Field(ge=0)] = 1000
    """How many other samples to try when the pipeline drops one (returns None) before raising."""
    ignore_index: int = 255
    """The label that marks pixels not to be trained or evaluated."""
    reduce_zero_label: bool = False
    """Treat label 0 as ignored: it becomes 255 and every other label moves down by one (ADE20K's 0 is
    'other')."""
    backend_args: BackendArgs | None = None
    """File-backend arguments for reading ann_file and listing folders."""

    def classes(self) -> tuple[str, ...]:
        """The class names: metainfo.classes when set, else the class's METAINFO classes (empty for
        BaseSegDataset)."""
        if self.metainfo is not None and self.metainfo.classes is not None:
            return tuple(self.metainfo.classes)
        return self.METAINFO_CLASSES

    def num_classes(self) -> int:
        """How many classes `classes()` names."""
        return len(self.classes())

    def label_map(self) -> dict[int, int] | None:
        """MMSeg's remapping of the class's own labels to metainfo.classes (255: dropped); None when unchanged."""
        own = self.METAINFO_CLASSES
        new = self.metainfo.classes if self.metainfo is not None else None
        if new is None or not own or tuple(new) == own:
            return None
        return {old: new.index(name) if name in new else 255 for old, name in enumerate(own)}

    def palette(self) -> tuple[RGB, ...] | None:
        """The palette MMSeg ends up with; None when it draws a random one (seed 42) or the palette does not fit
        the classes (a rule refuses that)."""
        given = self.metainfo.palette if self.metainfo is not None else None
        base = tuple(given) if given is not None else self.METAINFO_PALETTE
        classes = self.classes()
        if len(base) == len(classes):
            return base
        label_map = self.label_map()
        if not base or label_map is None or len(base) < len(classes):
            return None
        kept = sorted((new, old) for old, new in label_map.items() if new != 255)
        if any(old >= len(base) for _, old in kept):
            return None
        return tuple(base[old] for _, old in kept)

    def meta(self) -> DatasetMeta:
        """The metainfo MMSeg builds for this dataset."""
        classes = self.classes()
        palette = self.palette()
        label_map = self.label_map()
        return DatasetMeta(
            classes=classes if classes or self.metainfo_classes_set else None,
            palette=palette if palette is not None else len(classes),
            label_map=tuple(sorted(label_map.items())) if label_map is not None else None,
            reduce_zero_label=self.reduce_zero_label,
        )

    @property
    def metainfo_classes_set(self) -> bool:
        """Whether metainfo.classes is given."""
        return self.metainfo is not None and self.metainfo.classes is not None

    @model_validator(mode="after")
    def _validate(self) -> _SegDataset:
        rules = Rules()
        self._check(rules)
        rules.raise_if_any()
        return self

    def _check(self, rules: Rules) -> None:
        """Add this model's rule violations to `rules`."""
        given = self.metainfo.classes if self.metainfo is not None else None
        unknown_found = given is not None and self._check_classes(rules, tuple(given))
        if not unknown_found:
            self._check_palette(rules)
        if self.test_mode and not self.classes():
            rules.add(
                "test-mode-without-classes",
                ("test_mode",),
                f"test_mode=True needs class names, and this {self.type} has none; MMSeg asserts "
                "'dataset metainfo `classes` should be specified when testing'.",
                "Set metainfo=dict(classes=[...]) with one name per label.",
            )

    def _check_classes(self, rules: Rules, given: tuple[str, ...]) -> bool:
        """Rules on metainfo.classes; True when some name is not the class's own (the palette is then moot)."""
        path = ("metainfo", "classes")
        if not given:
            rules.add(
                "metainfo-no-classes",
                path,
                "metainfo.classes is empty: no label would be trained or evaluated.",
                "List the class names, or remove metainfo.classes to keep the dataset's own.",
            )
        repeated = sorted({name for name in given if given.count(name) > 1})
        if repeated:
            rules.add(
                "metainfo-duplicate-class",
                path,
                f"metainfo.classes names {', '.join(repr(n) for n in repeated)} more than once; each label "
                "needs its own name.",
                "Keep one of each.",
            )
        own = self.METAINFO_CLASSES
        if not own or given == own:
            return False
        unknown = [(index, name) for index, name in enumerate(given) if name not in own]
        for index, name in unknown:
            guess = suggest(name, own)
            rules.add(
                "metainfo-unknown-class",
                (*path, index),
                f"{name!r} is not a class of {self.type}; MMSeg raises ValueError: the classes must be a subset "
                "of the dataset's own.",
                f"Did you mean {guess!r}?"
                if guess is not None
                else f"Use names from {self.type}'s {len(own)} classes, or BaseSegDataset for other classes.",
            )
        return bool(unknown)

    def _check_palette(self, rules: Rules) -> None:
        given = self.metainfo.palette if self.metainfo is not None else None
        base = tuple(given) if given is not None else self.METAINFO_PALETTE
        if not base or self.palette() is not None:
            return
        classes = self.classes()
        source = "metainfo.palette" if given is not None else f"{self.type}'s palette"
        rules.add(
            "metainfo-palette-length",
            ("metainfo", "palette") if given is not None else ("metainfo", "classes"),
            f"{source} has {len(base)} colours for {len(classes)} classes; MMSeg cannot fit it to the classes "
            "(ValueError 'palette does not match classes', or IndexError when picking the kept classes' "
            "colours).",
            f"Give {len(classes)} colours, one per class in order"
            + (f", or all {len(self.METAINFO_CLASSES)} of {self.type}'s" if self.label_map() else "")
            + ", or leave the palette out.",
        )


class BaseSegDataset(_SegDataset):
    """A folder of images and label maps of the same names (or the names listed in ann_file): MMSeg's base."""

    type: Literal["BaseSegDataset"] = "BaseSegDataset"


class ADE20KDataset(_SegDataset):
    """ADE20K (SceneParsing, 150 classes); label 0 ('other') is ignored through reduce_zero_label=True."""

    METAINFO_CLASSES: ClassVar[tuple[str, ...]] = ADE20K_CLASSES
    METAINFO_PALETTE: ClassVar[tuple[tuple[int, int, int], ...]] = ADE20K_PALETTE

    type: Literal["ADE20KDataset"] = "ADE20KDataset"
    reduce_zero_label: bool = True
    """Treat label 0 ('other') as ignored and shift the 150 classes to 0-149; MMSeg's default for ADE20K."""


class CityscapesDataset(_SegDataset):
    """Cityscapes (19 train classes), reading `*_leftImg8bit.png` images and `*_gtFine_labelTrainIds.png` labels."""

    METAINFO_CLASSES: ClassVar[tuple[str, ...]] = CITYSCAPES_CLASSES
    METAINFO_PALETTE: ClassVar[tuple[tuple[int, int, int], ...]] = CITYSCAPES_PALETTE

    type: Literal["CityscapesDataset"] = "CityscapesDataset"
    img_suffix: str = "_leftImg8bit.png"
    """Image file name = sample name + this."""
    seg_map_suffix: str = "_gtFine_labelTrainIds.png"
    """Label map file name = sample name + this (train ids, made by MMSeg's cityscapes converter)."""


class PascalVOCDataset(_SegDataset):
    """Pascal VOC 2012 (20 classes and background), over the samples listed in ann_file."""

    METAINFO_CLASSES: ClassVar[tuple[str, ...]] = PASCAL_VOC_CLASSES
    METAINFO_PALETTE: ClassVar[tuple[tuple[int, int, int], ...]] = PASCAL_VOC_PALETTE

    type: Literal["PascalVOCDataset"] = "PascalVOCDataset"
    ann_file: Annotated[str, Field(min_length=1)]
    """Split file listing the samples (e.g. ImageSets/Segmentation/train.txt), relative to data_root;
    required: MMSeg asserts it is a file."""


# ----------------------------------------------------------------------------------------------------
# Wrappers
# ----------------------------------------------------------------------------------------------------

METAINFO_KEYS: tuple[str, ...] = ("classes", "palette", "label_map", "reduce_zero_label")
"""The metainfo keys of MMSeg's datasets, which MMEngine's ConcatDataset requires to be equal."""


class ConcatDataset(ConfigModel):
    """Several datasets read as one, one after the other (MMEngine's wrapper); their metainfo must be equal."""

    type: Literal["ConcatDataset"] = "ConcatDataset"
    datasets: Annotated[Seq[DatasetConfig], Field(min_length=1)]
    """The datasets, in order; the first one's metainfo is the wrapper's."""
    lazy_init: bool = False
    """Defer reading the datasets' sample lists until first needed."""
    ignore_keys: str | Seq[str] | None = None
    """Metainfo keys allowed to differ between the datasets (the first dataset's values are used)."""

    @model_validator(mode="after")
    def _validate(self) -> ConcatDataset:
        rules = Rules()
        ignored = {self.ignore_keys} if isinstance(self.ignore_keys, str) else set(self.ignore_keys or ())
        metas = [dataset_meta(dataset) for dataset in self.datasets]
        first = metas[0]
        for index, meta in enumerate(metas[1:], start=1):
            if first is None or meta is None:
                continue
            differ = [
                key
                for key in METAINFO_KEYS
                if key not in ignored and getattr(meta, key) != getattr(first, key)
            ]
            if differ:
                rules.add(
                    "concat-metainfo-mismatch",
                    ("datasets", index),
                    f"the {', '.join(differ)} of dataset {index} differ from dataset 0's; MMEngine's "
                    "ConcatDataset requires equal metainfo and raises ValueError.",
                    f"Make them equal, or set ignore_keys={differ} to use dataset 0's.",
                )
        rules.raise_if_any()
        return self


class RepeatDataset(ConfigModel):
    """One dataset repeated `times` times per epoch (MMEngine's wrapper): fewer, longer epochs."""

    type: Literal["RepeatDataset"] = "RepeatDataset"
    dataset: DatasetConfig
    """The dataset to repeat."""
    times: PositiveInt
    """How many times each epoch goes through it."""
    lazy_init: bool = False
    """Defer reading the dataset's sample list until first needed."""


# ----------------------------------------------------------------------------------------------------
# A user's own dataset, and the union
# ----------------------------------------------------------------------------------------------------


class UserDataset(UserConfig):
    """Base for a user's own dataset config: subclass it, add fields, and implement `build()` for the engine.

    A `pipeline: Seq[TransformConfig]` field, if the subclass declares one, is checked like ours.
    """


_TaggedDatasets = Union[
    Annotated[BaseSegDataset, Tag("BaseSegDataset")],
    Annotated[ADE20KDataset, Tag("ADE20KDataset")],
    Annotated[CityscapesDataset, Tag("CityscapesDataset")],
    Annotated[PascalVOCDataset, Tag("PascalVOCDataset")],
    Annotated[ConcatDataset, Tag("ConcatDataset")],
    Annotated[RepeatDataset, Tag("RepeatDataset")],
    Annotated[
        SerializeAsAny[UserDataset],
        user_validator(UserDataset),
        Tag(USER_TAG),
        WithJsonSchema(USER_JSON_SCHEMA),
    ],
]

DATASET_TYPES = tags_of(_TaggedDatasets)
"""Every built-in dataset `type`."""

DatasetConfig = Annotated[_TaggedDatasets, discriminate(DATASET_TYPES)]
"""Any dataset: ours by MMSeg's/MMEngine's `type`, a user's `UserDataset` subclass by its dotted path."""

SegDataset = Union[BaseSegDataset, ADE20KDataset, CityscapesDataset, PascalVOCDataset]
"""A leaf segmentation dataset (not a wrapper, not a user's)."""

DatasetLike = Union[SegDataset, ConcatDataset, RepeatDataset, UserDataset]
"""Any dataset config, ours or a user's: what the data rules walk."""


def dataset_meta(dataset: DatasetLike) -> DatasetMeta | None:
    """The metainfo MMSeg/MMEngine build for a dataset config (a wrapper's is its first dataset's); None for a
    user's dataset."""
    if isinstance(dataset, _SegDataset):
        return dataset.meta()
    if isinstance(dataset, ConcatDataset):
        return dataset_meta(dataset.datasets[0])
    if isinstance(dataset, RepeatDataset):
        return dataset_meta(dataset.dataset)
    return None
