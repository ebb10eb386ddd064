"""MMEngine's dataset wrappers (ConcatDataset, RepeatDataset), the tagged union over every dataset they wrap, and the
type aliases the data rules walk."""

from typing import Annotated, Literal, Union

from pydantic import Field, PositiveInt, SerializeAsAny, Tag, WithJsonSchema, model_validator

from typedseg.config.base import (
    USER_JSON_SCHEMA,
    USER_TAG,
    ConfigModel,
    Rules,
    Seq,
    discriminate,
    user_validator,
)
from typedseg.config.datasets._base import UserDataset, dataset_meta
from typedseg.config.datasets.ade20k import ADE20KDataset
from typedseg.config.datasets.base_seg import BaseSegDataset
from typedseg.config.datasets.cityscapes import CityscapesDataset
from typedseg.config.datasets.pascal_voc import PascalVOCDataset
from typedseg.config.lazy import tags_of

METAINFO_KEYS: tuple[str, ...] = ("classes", "palette", "label_map", "reduce_zero_label")
"""The metainfo keys of MMSeg's datasets, which MMEngine's ConcatDataset requires to be equal."""


class ConcatDataset(ConfigModel):
    """Several datasets read as one, one after the other (MMEngine's wrapper); their metainfo must be equal."""

    type: Literal["ConcatDataset"] = "ConcatDataset"
    datasets: "Annotated[Seq[DatasetConfig], Field(min_length=1)]"
    """The datasets, in order; the first one's metainfo is the wrapper's."""
    lazy_init: bool = False
    """Defer reading the datasets' sample lists until first needed."""
    ignore_keys: str | Seq[str] | None = None
    """Metainfo keys allowed to differ between the datasets (the first dataset's values are used)."""

    @model_validator(mode="after")
    def _validate(self) -> "ConcatDataset":
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
    dataset: "DatasetConfig"
    """The dataset to repeat."""
    times: PositiveInt
    """How many times each epoch goes through it."""
    lazy_init: bool = False
    """Defer reading the dataset's sample list until first needed."""


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
