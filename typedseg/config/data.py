"""Dataloaders: batch size, workers, sampler, and the dataset they read (typedseg.config.datasets)."""

from typing import Annotated, Literal, Union

from pydantic import Field

from typedseg.config.base import ConfigModel
from typedseg.config.unions import DatasetConfig

DATALOADERS = ("train_dataloader", "val_dataloader", "test_dataloader")
"""The experiment's dataloader fields, in stage order."""


class DefaultSampler(ConfigModel):
    """Visits each sample once per epoch (shuffled when `shuffle`), split across ranks."""

    type: Literal["DefaultSampler"] = "DefaultSampler"
    shuffle: bool = True
    """Shuffle the order each epoch."""
    seed: int | None = None
    """Shuffle seed; None uses the run's seed."""
    round_up: bool = True
    """Pad the last rank's share so that every rank gets the same number of samples."""


class InfiniteSampler(ConfigModel):
    """Yields samples endlessly (for iteration-based loops), reshuffling after each pass."""

    type: Literal["InfiniteSampler"] = "InfiniteSampler"
    shuffle: bool = True
    """Shuffle the order of each pass."""
    seed: int | None = None
    """Shuffle seed; None uses the run's seed."""


SamplerConfig = Annotated[Union[DefaultSampler, InfiniteSampler], Field(discriminator="type")]


class CollateConfig(ConfigModel):
    """How samples are batched."""

    type: Literal["default_collate", "pseudo_collate"] = "pseudo_collate"
    """pseudo_collate keeps per-sample lists (MMEngine's default); default_collate stacks tensors."""


class DataLoaderConfig(ConfigModel):
    """A dataloader: torch's DataLoader arguments and the dataset it reads."""

    batch_size: Annotated[int, Field(gt=0)] = 1
    """Samples per batch on each process."""
    num_workers: Annotated[int, Field(ge=0)] = 0
    """Worker processes; 0 loads in the main process."""
    persistent_workers: bool = False
    """Keep workers alive between epochs (needs num_workers > 0)."""
    pin_memory: bool = False
    """Copy batches into pinned memory (faster host-to-GPU copies)."""
    drop_last: bool = False
    """Drop the last incomplete batch."""
    sampler: SamplerConfig = DefaultSampler()
    """Which samples each process visits, in what order."""
    collate_fn: CollateConfig = CollateConfig()
    """The function that merges samples into a batch."""
    dataset: DatasetConfig
    """The dataset and its pipeline."""
