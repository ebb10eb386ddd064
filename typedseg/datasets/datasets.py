"""Datasets: a folder of images and label maps (MMSeg's BaseSegDataset and its ADE20K/Cityscapes/VOC layouts), and
MMEngine's ConcatDataset and RepeatDataset wrappers, built from their configs by `build_dataset`.

Every dataset is indexed by an int or by a `(index, pass)` key from typedseg's samplers; the sample's random
generator is seeded from (seed, pass, index) at the outermost dataset, so a sample's augmentation is the same
whichever worker loads it and whether or not the run was resumed. Sample lists are read and checked when the
dataset is built: a missing folder, an empty one or a missing label map is one message before training starts.
"""

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Union, assert_never

import numpy as np
import torch.utils.data

from typedseg.config import datasets as cfgs
from typedseg.datasets.errors import DataError, data_error
from typedseg.datasets.transforms import Compose, Results, build_pipeline

SampleKey = Union[int, tuple[int, int]]
"""What a sampler yields: an index, or (index, pass) so that a sample's random draws differ between passes."""

LeafConfig = Union[cfgs.BaseSegDataset, cfgs.ADE20KDataset, cfgs.CityscapesDataset, cfgs.PascalVOCDataset]
DatasetCfg = Union[LeafConfig, cfgs.ConcatDataset, cfgs.RepeatDataset, cfgs.UserDataset]


def sample_rng(seed: int, pass_: int, index: int) -> np.random.Generator:
    """The random generator of one sample in one pass: independent of workers, order and resuming."""
    return np.random.default_rng([seed & 0xFFFFFFFF, pass_, index])


def random_palette(num_classes: int) -> list[list[int]]:
    """MMSeg's palette for a dataset without one: `randint(0, 255, (n, 3))` from numpy's legacy seed 42."""
    return [[int(c) for c in row] for row in np.random.RandomState(42).randint(0, 255, size=(num_classes, 3))]


def metainfo_of(cfg: LeafConfig) -> dict[str, Any]:
    """The `metainfo` dict MMSeg builds for this dataset config (classes, palette, label_map, reduce_zero_label)."""
    meta = cfg.meta()
    palette = (
        random_palette(meta.palette) if isinstance(meta.palette, int) else [list(c) for c in meta.palette]
    )
    info: dict[str, Any] = {}
    if meta.classes is not None:
        info["classes"] = tuple(meta.classes)
    info["palette"] = palette
    info["label_map"] = dict(meta.label_map) if meta.label_map is not None else None
    info["reduce_zero_label"] = meta.reduce_zero_label
    return info


class SegDataset(torch.utils.data.Dataset[Results]):
    """Base of typedseg's datasets: `fetch(index, rng)` runs the pipeline; `__getitem__` seeds and refetches."""

    metainfo: dict[str, Any]
    seed: int = 0
    test_mode: bool = False
    max_refetch: int = 1000

    def __len__(self) -> int:
        raise NotImplementedError

    def fetch(self, index: int, rng: np.random.Generator) -> Results | None:
        """Sample `index` through the pipeline; None when a transform dropped it."""
        raise NotImplementedError

    def __getitem__(self, key: SampleKey) -> Results:
        index, pass_ = (key, 0) if isinstance(key, int) else key
        size = len(self)
        if not -size <= index < size:
            raise IndexError(f"sample {index} is out of range for a dataset of {size}")
        index %= size
        rng = sample_rng(self.seed, pass_, index)
        out = self.fetch(index, rng)
        if out is not None:
            return out
        if self.test_mode:
            raise DataError(
                f"sample {index}: the test pipeline dropped it; test pipelines must keep every sample"
            )
        for _ in range(self.max_refetch):
            out = self.fetch(int(rng.integers(size)), rng)
            if out is not None:
                return out
        raise DataError(
            f"sample {index}: the pipeline dropped it and the {self.max_refetch} samples tried instead "
            "(max_refetch); check the files (LoadImageFromFile(ignore_empty=True) drops unreadable images)."
        )


def _synth_hint(cfg: LeafConfig) -> str:
    root = cfg.data_root if cfg.data_root is not None else "ROOT"
    return f" (synthetic shapes: `typedseg data synth {root}`)"


def _join(root: str | None, path: str) -> str:
    return path if root is None or os.path.isabs(path) else os.path.join(root, path)


def _list_files(folder: str, suffix: str) -> Iterator[str]:
    """Files under `folder` ending in `suffix`, recursively, relative to it (MMEngine's list_dir_or_file)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith(".") and entry.is_file():
                if entry.name.endswith(suffix):
                    yield entry.name
            elif entry.is_dir():
                yield from (os.path.join(entry.name, sub) for sub in _list_files(entry.path, suffix))


class FolderSegDataset(SegDataset):
    """Images and label maps of the same names in two folders, or the names listed in `ann_file`."""

    def __init__(self, cfg: LeafConfig, *, seed: int = 0) -> None:
        self.cfg = cfg
        self.seed = seed
        self.test_mode = cfg.test_mode
        self.max_refetch = cfg.max_refetch
        self.metainfo = metainfo_of(cfg)
        self.pipeline: Compose = build_pipeline(cfg.pipeline)
        self._entries: list[dict[str, Any]] | None = None if cfg.lazy_init else self._load()

    @property
    def entries(self) -> list[dict[str, Any]]:
        """One dict per sample: img_path, seg_map_path, label_map, reduce_zero_label, seg_fields, sample_idx."""
        if self._entries is None:
            self._entries = self._load()
        return self._entries

    def __len__(self) -> int:
        return len(self.entries)

    def fetch(self, index: int, rng: np.random.Generator) -> Results | None:
        entry = self.entries[index]
        results: Results = {**entry, "seg_fields": [], "sample_idx": index}
        return self.pipeline(results, rng)

    def _load(self) -> list[dict[str, Any]]:
        cfg = self.cfg
        img_dir = _join(cfg.data_root, cfg.data_prefix.img_path)
        seg_dir = _join(cfg.data_root, cfg.data_prefix.seg_map_path)
        where = ("dataset", "data_prefix", "img_path")
        if cfg.ann_file:
            ann_file = _join(cfg.data_root, cfg.ann_file)
            if not os.path.isfile(ann_file):
                raise data_error(
                    "data-not-found",
                    ("dataset", "ann_file"),
                    f"the {cfg.type} split file {ann_file} does not exist.",
                    f"Check data_root and ann_file, or create the data{_synth_hint(cfg)}.",
                )
            names = [line.strip() for line in Path(ann_file).read_text(encoding="utf-8").splitlines()]
            names = [name for name in names if name]
        else:
            if not os.path.isdir(img_dir):
                raise data_error(
                    "data-not-found",
                    where,
                    f"the {cfg.type} image folder {img_dir} does not exist.",
                    f"Check data_root and data_prefix.img_path, or create the data{_synth_hint(cfg)}.",
                )
            suffix = cfg.img_suffix
            names = sorted(name[: len(name) - len(suffix)] for name in _list_files(img_dir, suffix))
        entries = [
            {
                "img_path": os.path.join(img_dir, name + cfg.img_suffix),
                "seg_map_path": os.path.join(seg_dir, name + cfg.seg_map_suffix),
                "label_map": self.metainfo["label_map"],
                "reduce_zero_label": cfg.reduce_zero_label,
            }
            for name in names
        ]
        if not cfg.ann_file:
            entries.sort(key=lambda e: e["img_path"])
        entries = _subset(entries, cfg.indices)
        if not entries:
            source = f"the split file {_join(cfg.data_root, cfg.ann_file)}" if cfg.ann_file else img_dir
            raise data_error(
                "data-not-found",
                where,
                f"{source} lists no samples (no files ending in {cfg.img_suffix!r}).",
                f"Check img_suffix and the folder, or create the data{_synth_hint(cfg)}.",
            )
        self._check_files(entries)
        return entries

    def _check_files(self, entries: Sequence[dict[str, Any]]) -> None:
        missing = [
            (index, entry[key])
            for index, entry in enumerate(entries)
            for key in ("img_path", "seg_map_path")
            if not os.path.isfile(entry[key])
        ]
        if missing:
            shown = "; ".join(f"sample {index}: {path}" for index, path in missing[:3])
            more = f" (and {len(missing) - 3} more)" if len(missing) > 3 else ""
            raise data_error(
                "data-not-found",
                ("dataset",),
                f"{len(missing)} file(s) of the {self.cfg.type} are missing: {shown}{more}.",
                "Every image needs a label map of the same name (seg_map_suffix); restore or remove them.",
            )


def _subset(entries: list[dict[str, Any]], indices: int | Sequence[int] | None) -> list[dict[str, Any]]:
    if indices is None:
        return entries
    if isinstance(indices, int):
        return entries[:indices] if indices >= 0 else entries[indices:]
    return [entries[i] for i in indices]


class ConcatSegDataset(SegDataset):
    """Several datasets one after the other (MMEngine's ConcatDataset); the first one's metainfo."""

    def __init__(self, datasets: Sequence[SegDataset], *, seed: int = 0) -> None:
        self.datasets = list(datasets)
        self.seed = seed
        self.metainfo = dict(self.datasets[0].metainfo)
        self.test_mode = self.datasets[0].test_mode
        self.cumulative = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return int(self.cumulative[-1]) if self.cumulative else 0

    def fetch(self, index: int, rng: np.random.Generator) -> Results | None:
        which = int(np.searchsorted(self.cumulative, index, side="right"))
        start = self.cumulative[which - 1] if which > 0 else 0
        return self.datasets[which].fetch(index - int(start), rng)


class RepeatSegDataset(SegDataset):
    """One dataset `times` times over (MMEngine's RepeatDataset); each repeat draws its own augmentation."""

    def __init__(self, dataset: SegDataset, times: int, *, seed: int = 0) -> None:
        self.dataset = dataset
        self.times = times
        self.seed = seed
        self.metainfo = dict(dataset.metainfo)
        self.test_mode = dataset.test_mode

    def __len__(self) -> int:
        return len(self.dataset) * self.times

    def fetch(self, index: int, rng: np.random.Generator) -> Results | None:
        return self.dataset.fetch(index % len(self.dataset), rng)


class UserSegDataset(SegDataset):
    """A user's dataset (built by its config's `build()`), indexed by int; it draws its own randomness."""

    def __init__(self, dataset: Any, *, seed: int = 0) -> None:
        self.dataset = dataset
        self.seed = seed
        self.metainfo = dict(getattr(dataset, "metainfo", {}))

    def __len__(self) -> int:
        return len(self.dataset)

    def fetch(self, index: int, rng: np.random.Generator) -> Results | None:
        fetch = getattr(self.dataset, "fetch", None)
        out: Results | None = fetch(index, rng) if callable(fetch) else self.dataset[index]
        return out


def build_dataset(cfg: DatasetCfg, *, seed: int = 0) -> SegDataset:
    """The runtime dataset of a dataset config; `seed` seeds every sample's augmentation."""
    match cfg:
        case (
            cfgs.BaseSegDataset() | cfgs.ADE20KDataset() | cfgs.CityscapesDataset() | cfgs.PascalVOCDataset()
        ):
            return FolderSegDataset(cfg, seed=seed)
        case cfgs.ConcatDataset():
            return ConcatSegDataset([build_dataset(d, seed=seed) for d in cfg.datasets], seed=seed)
        case cfgs.RepeatDataset():
            return RepeatSegDataset(build_dataset(cfg.dataset, seed=seed), cfg.times, seed=seed)
        case cfgs.UserDataset():
            built = cfg.build()
            return built if isinstance(built, SegDataset) else UserSegDataset(built, seed=seed)
        case _:
            assert_never(cfg)


def leaves(dataset: SegDataset) -> list[FolderSegDataset]:
    """The folder datasets inside `dataset` (itself, or those its wrappers hold), in order."""
    if isinstance(dataset, FolderSegDataset):
        return [dataset]
    if isinstance(dataset, ConcatSegDataset):
        return [leaf for inner in dataset.datasets for leaf in leaves(inner)]
    if isinstance(dataset, RepeatSegDataset):
        return leaves(dataset.dataset)
    return []


def check_readable(dataset: SegDataset) -> int:
    """Decode every image and label map of the folder datasets in `dataset`; raises a DataError naming the first
    file that cannot be read and its sample index. Returns how many files were read."""
    from typedseg import startup
    from typedseg.datasets.image_io import IMAGE_ERRORS, read_image, read_label_map, why_unreadable

    startup.resume()  # the collector, if the command line paused it while it started: a dataset can be large
    count = 0
    for leaf in leaves(dataset):
        for index, entry in enumerate(leaf.entries):
            for key, read in (("img_path", read_image), ("seg_map_path", read_label_map)):
                try:
                    read(entry[key])
                except IMAGE_ERRORS as exc:
                    what = "image" if key == "img_path" else "label map"
                    raise data_error(
                        "image-unreadable",
                        ("dataset", key),
                        f"sample {index}: cannot read the {what} {entry[key]}: {why_unreadable(exc)}.",
                        "Replace or remove the file (and its partner), then check again.",
                    ) from None
                count += 1
    return count
