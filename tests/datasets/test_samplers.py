"""Samplers: MMEngine's orders (fixture from MMEngine 0.10.7), rank splits, and resuming mid-epoch through a
dataloader with workers, bit for bit."""

import itertools
import json
from pathlib import Path

import pytest
import torch

from typedseg.config.data import DataLoaderConfig
from typedseg.config.data import DefaultSampler as DefaultSamplerConfig
from typedseg.config.data import InfiniteSampler as InfiniteSamplerConfig
from typedseg.config.datasets import BaseSegDataset, DataPrefix, DatasetMetainfo
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
)
from typedseg.datasets import DefaultSampler, InfiniteSampler, build_dataloader
from typedseg.datasets.synthetic import SynthSpec, write_synthetic
from typedseg.structures import SegBatch

ORDERS = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "transforms" / "mmengine_samplers.json").read_text()
)


@pytest.mark.parametrize("key", [k for k in ORDERS if k.startswith("default/")])
def test_default_sampler_order_equals_mmengine(key: str) -> None:
    _, size, shuffle, round_up, world, seed, rank, epoch = key.split("/")
    sampler = DefaultSampler(
        int(size),
        shuffle=shuffle == "True",
        seed=int(seed),
        round_up=round_up == "True",
        rank=int(rank),
        world_size=int(world),
    )
    sampler.set_epoch(int(epoch))
    assert [index for index, _ in sampler] == ORDERS[key]
    assert all(pass_ == int(epoch) for _, pass_ in sampler)
    assert len(sampler) == len(ORDERS[key])


@pytest.mark.parametrize("key", [k for k in ORDERS if k.startswith("infinite/")])
def test_infinite_sampler_order_equals_mmengine(key: str) -> None:
    _, size, shuffle, world, seed, rank = key.split("/")
    sampler = InfiniteSampler(
        int(size), shuffle=shuffle == "True", seed=int(seed), rank=int(rank), world_size=int(world)
    )
    keys = list(itertools.islice(iter(sampler), 20))
    assert [index for index, _ in keys] == ORDERS[key]
    # the pass of the i-th global sample is i // size
    assert [pass_ for _, pass_ in keys] == [(i * int(world) + int(rank)) // int(size) for i in range(20)]


def test_default_sampler_resumes_inside_an_epoch() -> None:
    sampler = DefaultSampler(9, shuffle=True, seed=1)
    sampler.set_epoch(2)
    full = list(sampler)
    sampler.advance(4)
    state = sampler.state_dict()
    resumed = DefaultSampler(9, shuffle=True, seed=1)
    resumed.load_state_dict(state)
    resumed.set_epoch(2)  # the loop sets the epoch it resumes in: the position is kept
    assert list(resumed) == full[4:]
    resumed.set_epoch(3)
    assert len(list(resumed)) == 9
    with pytest.raises(ValueError, match="resuming would visit other samples"):
        DefaultSampler(10, shuffle=True, seed=1).load_state_dict(state)


@pytest.fixture(scope="module")
def synthetic_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth")
    write_synthetic(root, SynthSpec(train=10, val=2, size=(40, 40), seed=3), force=True)
    return root


def loader_cfg(
    root: Path, sampler: DefaultSamplerConfig | InfiniteSamplerConfig, workers: int
) -> DataLoaderConfig:
    dataset = BaseSegDataset(
        data_root=str(root),
        data_prefix=DataPrefix(img_path="images/train", seg_map_path="labels/train"),
        img_suffix=".png",
        seg_map_suffix=".png",
        metainfo=DatasetMetainfo(classes=("background", "square", "disc", "stripe")),
        pipeline=[
            LoadImageFromFile(),
            LoadAnnotations(),
            RandomCrop(crop_size=(24, 24), cat_max_ratio=0.75),
            RandomFlip(prob=0.5),
            PhotoMetricDistortion(),
            PackSegInputs(),
        ],
    )
    return DataLoaderConfig(
        batch_size=3, num_workers=workers, persistent_workers=workers > 0, sampler=sampler, dataset=dataset
    )


def flat(batches: list[SegBatch]) -> list[torch.Tensor]:
    tensors: list[torch.Tensor] = []
    for batch in batches:
        tensors += batch["inputs"]
        tensors += [s.gt_sem_seg for s in batch["data_samples"] if s.gt_sem_seg is not None]
    return tensors


def test_augmentation_does_not_depend_on_workers(synthetic_root: Path) -> None:
    cfg0 = loader_cfg(synthetic_root, DefaultSamplerConfig(shuffle=True), 0)
    cfg2 = loader_cfg(synthetic_root, DefaultSamplerConfig(shuffle=True), 2)
    single, multi = build_dataloader(cfg0, seed=7), build_dataloader(cfg2, seed=7)
    for epoch in (0, 1):
        single.sampler.set_epoch(epoch)
        multi.sampler.set_epoch(epoch)
        a, b = flat(list(single)), flat(list(multi))
        assert len(a) == len(b) == 20 and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    # another epoch draws other crops for the same images
    single.sampler.set_epoch(0)
    first = flat(list(single))
    single.sampler.set_epoch(1)
    assert not all(torch.equal(x, y) for x, y in zip(first, flat(list(single)), strict=True))


def test_default_loader_resumes_mid_epoch_bit_identically(synthetic_root: Path) -> None:
    cfg = loader_cfg(synthetic_root, DefaultSamplerConfig(shuffle=True), 2)
    reference = build_dataloader(cfg, seed=11)
    reference.sampler.set_epoch(1)
    expected = list(reference)

    interrupted = build_dataloader(cfg, seed=11)
    interrupted.sampler.set_epoch(1)
    iterator = iter(interrupted)
    taken = [next(iterator), next(iterator)]  # workers have prefetched further than this
    state = interrupted.sampler.state_dict()
    assert state["consumed"] == 6 and state["epoch"] == 1
    del iterator

    resumed = build_dataloader(cfg, seed=11)
    resumed.sampler.load_state_dict(state)
    resumed.sampler.set_epoch(1)
    rest = list(resumed)
    assert len(rest) == 2  # samples 6-8 and 9 of 10
    assert all(torch.equal(x, y) for x, y in zip(flat(taken + rest), flat(expected), strict=True))


def test_infinite_loader_resumes_bit_identically(synthetic_root: Path) -> None:
    cfg = loader_cfg(synthetic_root, InfiniteSamplerConfig(shuffle=True), 2)
    reference = iter(build_dataloader(cfg, seed=5))
    expected = [next(reference) for _ in range(6)]  # 18 samples: into the second pass
    loader = build_dataloader(cfg, seed=5)
    iterator = iter(loader)
    for _ in range(4):
        next(iterator)
    state = loader.sampler.state_dict()
    assert state["consumed"] == 12
    resumed = build_dataloader(cfg, seed=5)
    resumed.sampler.load_state_dict(state)
    again = iter(resumed)
    rest = [next(again), next(again)]
    assert all(torch.equal(x, y) for x, y in zip(flat(rest), flat(expected[4:]), strict=True))


def test_ranks_split_the_data(synthetic_root: Path) -> None:
    cfg = loader_cfg(synthetic_root, DefaultSamplerConfig(shuffle=True), 0)
    seen = []
    for rank in range(3):
        loader = build_dataloader(cfg, seed=2, rank=rank, world_size=3)
        seen += [s.metainfo["img_path"] for batch in loader for s in batch["data_samples"]]
    assert len(seen) == 12 and len(set(seen)) == 10  # round_up pads 10 samples to 12


def test_creating_iterators_leaves_the_global_torch_stream_alone(synthetic_root: Path) -> None:
    loader = build_dataloader(loader_cfg(synthetic_root, DefaultSamplerConfig(shuffle=True), 2), seed=0)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    next(iter(loader))
    assert torch.equal(torch.rand(3), expected)
