"""MMEngine's dataset wrappers: ConcatDataset and RepeatDataset, each wrapping any dataset config."""

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, PositiveInt, model_validator

from typedseg.config.base import ConfigModel, Rules, Seq
from typedseg.config.datasets._base import _Dataset, dataset_meta

if TYPE_CHECKING:
    from typedseg.config.datasets._tagged import DatasetLike
    from typedseg.problems import Path

METAINFO_KEYS: tuple[str, ...] = ("classes", "palette", "label_map", "reduce_zero_label")
"""The metainfo keys of MMSeg's datasets, which MMEngine's ConcatDataset requires to be equal."""


class ConcatDataset(ConfigModel, _Dataset):
    """Several datasets read as one, one after the other (MMEngine's wrapper); their metainfo must be equal."""

    type: Literal["ConcatDataset"] = "ConcatDataset"
    datasets: "Annotated[Seq[_tagged.DatasetConfig], Field(min_length=1)]"
    """The datasets, in order; the first one's metainfo is the wrapper's."""
    lazy_init: bool = False
    """Defer reading the datasets' sample lists until first needed."""
    ignore_keys: str | Seq[str] | None = None
    """Metainfo keys allowed to differ between the datasets (the first dataset's values are used)."""

    def wrapped(self) -> "tuple[tuple[Path, DatasetLike], ...]":
        return tuple((("datasets", index), dataset) for index, dataset in enumerate(self.datasets))

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


class RepeatDataset(ConfigModel, _Dataset):
    """One dataset repeated `times` times per epoch (MMEngine's wrapper): fewer, longer epochs."""

    type: Literal["RepeatDataset"] = "RepeatDataset"
    dataset: "_tagged.DatasetConfig"
    """The dataset to repeat."""
    times: PositiveInt
    """How many times each epoch goes through it."""
    lazy_init: bool = False
    """Defer reading the dataset's sample list until first needed."""

    def wrapped(self) -> "tuple[tuple[Path, DatasetLike], ...]":
        return ((("dataset",), self.dataset),)


# The wrappers hold any dataset: the real union over every kind, which holds the wrappers in turn. Imported last so
# that either module may be imported first; the annotations above are resolved when a wrapper is first validated.
from typedseg.config.datasets import _tagged  # noqa: E402
