"""MMSegmentation's PascalVOCDataset: 21 classes, images listed by an ann_file."""

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from typedseg.config.datasets._base import RGB, _SegDataset

PASCAL_VOC_CLASSES: tuple[str, ...] = (
    "background",
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "pottedplant",
    "sheep",
    "sofa",
    "train",
    "tvmonitor",
)
"""PascalVOCDataset.METAINFO classes (21), in label order; copied from MMSegmentation 1.2.2."""


PASCAL_VOC_PALETTE: tuple[RGB, ...] = (
    (0, 0, 0),
    (128, 0, 0),
    (0, 128, 0),
    (128, 128, 0),
    (0, 0, 128),
    (128, 0, 128),
    (0, 128, 128),
    (128, 128, 128),
    (64, 0, 0),
    (192, 0, 0),
    (64, 128, 0),
    (192, 128, 0),
    (64, 0, 128),
    (192, 0, 128),
    (64, 128, 128),
    (192, 128, 128),
    (0, 64, 0),
    (128, 64, 0),
    (0, 192, 0),
    (128, 192, 0),
    (0, 64, 128),
)
"""PascalVOCDataset.METAINFO palette: the (R, G, B) colour of each class, in label order."""


class PascalVOCDataset(_SegDataset):
    """Pascal VOC 2012 (20 classes and background), over the samples listed in ann_file."""

    METAINFO_CLASSES: ClassVar[tuple[str, ...]] = PASCAL_VOC_CLASSES
    METAINFO_PALETTE: ClassVar[tuple[tuple[int, int, int], ...]] = PASCAL_VOC_PALETTE

    type: Literal["PascalVOCDataset"] = "PascalVOCDataset"
    ann_file: Annotated[str, Field(min_length=1)]
    """Split file listing the samples (e.g. ImageSets/Segmentation/train.txt), relative to data_root;
    required: MMSeg asserts it is a file."""
