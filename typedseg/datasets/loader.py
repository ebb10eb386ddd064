"""`build_dataloader`: a torch DataLoader over a typed dataset config, yielding SegBatch, resumable mid-epoch."""

from collections.abc import Iterator, Sequence
from typing import Any, assert_never

import torch
import torch.utils.data

from typedseg.config import data as cfgs
from typedseg.datasets.datasets import SegDataset, build_dataset
from typedseg.datasets.samplers import DefaultSampler, InfiniteSampler, Sampler
from typedseg.structures import SegBatch


def pseudo_collate(samples: Sequence[dict[str, Any]]) -> SegBatch:
    """MMEngine's pseudo_collate for packed samples: per-key lists, nothing stacked.

    Test-time augmentation samples (each a dict of lists, one entry per augmentation) become, as in MMEngine,
    one list per augmentation of the batch's samples.
    """
    if samples and isinstance(samples[0].get("inputs"), list):
        views = len(samples[0]["inputs"])
        nested: Any = {
            "inputs": [[s["inputs"][v] for s in samples] for v in range(views)],
            "data_samples": [[s["data_samples"][v] for s in samples] for v in range(views)],
        }
        return nested  # type: ignore[no-any-return]
    return {"inputs": [s["inputs"] for s in samples], "data_samples": [s["data_samples"] for s in samples]}


def same_shape_collate(samples: Sequence[dict[str, Any]]) -> SegBatch:
    """`default_collate`: as pseudo_collate (the data preprocessor takes per-sample lists), after checking that the
    images have one shape, which stacking requires."""
    shapes = {tuple(s["inputs"].shape) for s in samples}
    if len(shapes) > 1:
        raise ValueError(
            f"default_collate stacks the images of a batch, and these have different shapes {sorted(shapes)}; "
            "use collate_fn=CollateConfig(type='pseudo_collate') or resize/crop them to one size"
        )
    return pseudo_collate(samples)


class SegDataLoader(torch.utils.data.DataLoader[Any]):
    """A DataLoader that tells its sampler how many samples the loop has taken, so that its state resumes there."""

    sampler: Sampler

    def __iter__(self) -> Iterator[SegBatch]:  # type: ignore[override]
        for batch in super().__iter__():
            samples = batch["data_samples"]
            nested = bool(samples) and isinstance(
                samples[0], list
            )  # test-time augmentation: one list per view
            self.sampler.advance(len(samples[0]) if nested else len(samples))
            yield batch


def build_sampler(cfg: cfgs.DataLoaderConfig, size: int, *, seed: int, rank: int, world_size: int) -> Sampler:
    sampler = cfg.sampler
    sampler_seed = sampler.seed if sampler.seed is not None else seed
    match sampler:
        case cfgs.DefaultSampler():
            return DefaultSampler(
                size,
                shuffle=sampler.shuffle,
                seed=sampler_seed,
                round_up=sampler.round_up,
                rank=rank,
                world_size=world_size,
            )
        case cfgs.InfiniteSampler():
            return InfiniteSampler(
                size, shuffle=sampler.shuffle, seed=sampler_seed, rank=rank, world_size=world_size
            )
        case _:
            assert_never(sampler)


def build_dataloader(
    cfg: cfgs.DataLoaderConfig,
    *,
    seed: int,
    rank: int = 0,
    world_size: int = 1,
    dataset: SegDataset | None = None,
) -> SegDataLoader:
    """The dataloader of `cfg`: its dataset (built here unless given), sampler, workers and collate function."""
    data = dataset if dataset is not None else build_dataset(cfg.dataset, seed=seed)
    sampler = build_sampler(cfg, len(data), seed=seed, rank=rank, world_size=world_size)
    collate = pseudo_collate if cfg.collate_fn.type == "pseudo_collate" else same_shape_collate
    workers = cfg.num_workers
    # Workers' base seed comes from this generator, not from torch's global one: creating an iterator (each epoch,
    # or after a resume) then draws nothing from the training's random stream. Augmentation does not use it.
    generator = torch.Generator()
    generator.manual_seed(seed + rank)
    return SegDataLoader(
        data,
        batch_size=cfg.batch_size,
        sampler=sampler,
        num_workers=workers,
        persistent_workers=cfg.persistent_workers and workers > 0,
        pin_memory=cfg.pin_memory,
        drop_last=cfg.drop_last,
        collate_fn=collate,
        generator=generator,
    )
