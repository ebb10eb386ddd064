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

from typing import TYPE_CHECKING

from typedseg.config.lazy import lazy_exports

if TYPE_CHECKING:
    from typedseg.config.datasets._base import RGB as RGB
    from typedseg.config.datasets._base import Channel as Channel
    from typedseg.config.datasets._base import DataPrefix as DataPrefix
    from typedseg.config.datasets._base import DatasetMeta as DatasetMeta
    from typedseg.config.datasets._base import DatasetMetainfo as DatasetMetainfo
    from typedseg.config.datasets._base import UserDataset as UserDataset
    from typedseg.config.datasets._base import _SegDataset as _SegDataset
    from typedseg.config.datasets._base import dataset_meta as dataset_meta
    from typedseg.config.datasets._tagged import DATASET_TYPES as DATASET_TYPES
    from typedseg.config.datasets._tagged import METAINFO_KEYS as METAINFO_KEYS
    from typedseg.config.datasets._tagged import ConcatDataset as ConcatDataset
    from typedseg.config.datasets._tagged import DatasetConfig as DatasetConfig
    from typedseg.config.datasets._tagged import DatasetLike as DatasetLike
    from typedseg.config.datasets._tagged import RepeatDataset as RepeatDataset
    from typedseg.config.datasets._tagged import SegDataset as SegDataset
    from typedseg.config.datasets._tagged import _TaggedDatasets as _TaggedDatasets
    from typedseg.config.datasets.ade20k import ADE20K_CLASSES as ADE20K_CLASSES
    from typedseg.config.datasets.ade20k import ADE20K_PALETTE as ADE20K_PALETTE
    from typedseg.config.datasets.ade20k import ADE20KDataset as ADE20KDataset
    from typedseg.config.datasets.base_seg import BaseSegDataset as BaseSegDataset
    from typedseg.config.datasets.cityscapes import CITYSCAPES_CLASSES as CITYSCAPES_CLASSES
    from typedseg.config.datasets.cityscapes import CITYSCAPES_PALETTE as CITYSCAPES_PALETTE
    from typedseg.config.datasets.cityscapes import CityscapesDataset as CityscapesDataset
    from typedseg.config.datasets.pascal_voc import PASCAL_VOC_CLASSES as PASCAL_VOC_CLASSES
    from typedseg.config.datasets.pascal_voc import PASCAL_VOC_PALETTE as PASCAL_VOC_PALETTE
    from typedseg.config.datasets.pascal_voc import PascalVOCDataset as PascalVOCDataset
else:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "_base": (
                "Channel",
                "RGB",
                "DatasetMetainfo",
                "DataPrefix",
                "DatasetMeta",
                "_SegDataset",
                "UserDataset",
                "dataset_meta",
            ),
            "_tagged": (
                "METAINFO_KEYS",
                "ConcatDataset",
                "RepeatDataset",
                "_TaggedDatasets",
                "DATASET_TYPES",
                "SegDataset",
                "DatasetLike",
            ),
            "typedseg.config.unions": ("DatasetConfig",),
            "ade20k": (
                "ADE20K_CLASSES",
                "ADE20K_PALETTE",
                "ADE20KDataset",
            ),
            "base_seg": ("BaseSegDataset",),
            "cityscapes": (
                "CITYSCAPES_CLASSES",
                "CITYSCAPES_PALETTE",
                "CityscapesDataset",
            ),
            "pascal_voc": (
                "PASCAL_VOC_CLASSES",
                "PASCAL_VOC_PALETTE",
                "PascalVOCDataset",
            ),
        },
    )
