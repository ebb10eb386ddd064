"""What every segmentation dataset shares: folders, metainfo, the pipeline and their rules; a user's base."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import Field, JsonValue, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq, UserConfig
from typedseg.config.errors import suggest
from typedseg.config.transforms import BackendArgs, TransformConfig

if TYPE_CHECKING:
    from typedseg.config.datasets._tagged import DatasetLike
    from typedseg.problems import Path

Channel = Annotated[int, Field(ge=0, le=255)]


RGB = tuple[Channel, Channel, Channel]
"""An (R, G, B) colour, each channel in 0-255."""


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


class _Dataset:
    """What the rules ask of any of our dataset configs, a leaf or a wrapper (a mixin: it defines no fields).

    The rules ask through these methods, never "is this a ConcatDataset?", so checking a config imports only the
    dataset kinds it names.
    """

    def wrapped(self) -> "tuple[tuple[Path, DatasetLike], ...]":
        """The datasets this one wraps, each with its path below this one, in order; () for a leaf dataset."""
        return ()


class _SegDataset(ConfigModel, _Dataset):
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
    def _validate(self) -> "_SegDataset":
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


class UserDataset(UserConfig):
    """Base for a user's own dataset config: subclass it, add fields, and implement `build()` for the engine.

    A `pipeline: Seq[TransformConfig]` field, if the subclass declares one, is checked like ours.
    """


def dataset_meta(dataset: "DatasetLike") -> DatasetMeta | None:
    """The metainfo MMSeg/MMEngine build for a dataset config (a wrapper's is its first dataset's); None for a
    user's dataset."""
    if isinstance(dataset, _SegDataset):
        return dataset.meta()
    wrapped = dataset.wrapped() if isinstance(dataset, _Dataset) else ()
    return dataset_meta(wrapped[0][1]) if wrapped else None
