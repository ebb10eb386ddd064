"""The data side: datasets over image folders, MMSeg-compatible transforms, samplers and dataloaders, and the
synthetic dataset of the quickstart. Building a dataset imports torch; the configs live in typedseg.config."""

from typedseg.datasets.datasets import (
    ConcatSegDataset,
    FolderSegDataset,
    RepeatSegDataset,
    SegDataset,
    build_dataset,
    sample_rng,
)
from typedseg.datasets.errors import DataError
from typedseg.datasets.loader import SegDataLoader, build_dataloader, pseudo_collate
from typedseg.datasets.samplers import DefaultSampler, InfiniteSampler
from typedseg.datasets.transforms import build_pipeline, build_transform

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
