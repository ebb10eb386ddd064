"""MMSegmentation's BaseSegDataset: any folder of images and label maps."""

from typing import Literal

from typedseg.config.datasets._base import _SegDataset


class BaseSegDataset(_SegDataset):
    """A folder of images and label maps of the same names (or the names listed in ann_file): MMSeg's base."""

    type: Literal["BaseSegDataset"] = "BaseSegDataset"
