"""The data side: datasets over image folders, MMSeg-compatible transforms, samplers and dataloaders, and the
synthetic dataset of the quickstart.

Names load lazily: `typedseg data synth` (typedseg.datasets.synthetic) needs numpy and Pillow, not torch.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typedseg.datasets.datasets import ConcatSegDataset as ConcatSegDataset
    from typedseg.datasets.datasets import FolderSegDataset as FolderSegDataset
    from typedseg.datasets.datasets import RepeatSegDataset as RepeatSegDataset
    from typedseg.datasets.datasets import SegDataset as SegDataset
    from typedseg.datasets.datasets import build_dataset as build_dataset
    from typedseg.datasets.datasets import sample_rng as sample_rng
    from typedseg.datasets.errors import DataError as DataError
    from typedseg.datasets.loader import SegDataLoader as SegDataLoader
    from typedseg.datasets.loader import build_dataloader as build_dataloader
    from typedseg.datasets.loader import pseudo_collate as pseudo_collate
    from typedseg.datasets.samplers import DefaultSampler as DefaultSampler
    from typedseg.datasets.samplers import InfiniteSampler as InfiniteSampler
    from typedseg.datasets.transforms import build_pipeline as build_pipeline
    from typedseg.datasets.transforms import build_transform as build_transform

_EXPORTS = {
    "ConcatSegDataset": "datasets",
    "FolderSegDataset": "datasets",
    "RepeatSegDataset": "datasets",
    "SegDataset": "datasets",
    "build_dataset": "datasets",
    "sample_rng": "datasets",
    "DataError": "errors",
    "SegDataLoader": "loader",
    "build_dataloader": "loader",
    "pseudo_collate": "loader",
    "DefaultSampler": "samplers",
    "InfiniteSampler": "samplers",
    "build_pipeline": "transforms",
    "build_transform": "transforms",
}
__all__ = [
    "ConcatSegDataset",
    "DataError",
    "DefaultSampler",
    "FolderSegDataset",
    "InfiniteSampler",
    "RepeatSegDataset",
    "SegDataLoader",
    "SegDataset",
    "build_dataloader",
    "build_dataset",
    "build_pipeline",
    "build_transform",
    "pseudo_collate",
    "sample_rng",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
