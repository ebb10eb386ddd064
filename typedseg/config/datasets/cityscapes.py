"""MMSegmentation's CityscapesDataset: 19 classes, `_leftImg8bit`/`_gtFine_labelTrainIds` files."""

from typing import ClassVar, Literal

from typedseg.config.datasets._base import RGB, _SegDataset

CITYSCAPES_CLASSES: tuple[str, ...] = (
    "road",
    "sidewalk",
    "building",
    "wall",
    "fence",
    "pole",
    "traffic light",
    "traffic sign",
    "vegetation",
    "terrain",
    "sky",
    "person",
    "rider",
    "car",
    "truck",
    "bus",
    "train",
    "motorcycle",
    "bicycle",
)
"""CityscapesDataset.METAINFO classes (19), in label order; copied from MMSegmentation 1.2.2."""


CITYSCAPES_PALETTE: tuple[RGB, ...] = (
    (128, 64, 128),
    (244, 35, 232),
    (70, 70, 70),
    (102, 102, 156),
    (190, 153, 153),
    (153, 153, 153),
    (250, 170, 30),
    (220, 220, 0),
    (107, 142, 35),
    (152, 251, 152),
    (70, 130, 180),
    (220, 20, 60),
    (255, 0, 0),
    (0, 0, 142),
    (0, 0, 70),
    (0, 60, 100),
    (0, 80, 100),
    (0, 0, 230),
    (119, 11, 32),
)
"""CityscapesDataset.METAINFO palette: the (R, G, B) colour of each class, in label order."""


class CityscapesDataset(_SegDataset):
    """Cityscapes (19 train classes), reading `*_leftImg8bit.png` images and `*_gtFine_labelTrainIds.png` labels."""

    METAINFO_CLASSES: ClassVar[tuple[str, ...]] = CITYSCAPES_CLASSES
    METAINFO_PALETTE: ClassVar[tuple[tuple[int, int, int], ...]] = CITYSCAPES_PALETTE

    type: Literal["CityscapesDataset"] = "CityscapesDataset"
    img_suffix: str = "_leftImg8bit.png"
    """Image file name = sample name + this."""
    seg_map_suffix: str = "_gtFine_labelTrainIds.png"
    """Label map file name = sample name + this (train ids, made by MMSeg's cityscapes converter)."""
