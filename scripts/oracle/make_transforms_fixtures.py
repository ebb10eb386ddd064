"""Reference outputs of MMSegmentation 1.2.2 / MMCV 2.1 transforms, for tests/datasets/test_transforms_vs_mmseg.py.

Run in the oracle venv (never imported by the package or the tests):

    /work/oracle-venv/bin/python scripts/oracle/make_transforms_fixtures.py

It writes small inputs (a PNG image, a JPEG, a label PNG) and, per case, the transform's parameters, the random
draws it was fed and its output arrays, under tests/fixtures/transforms/. Random draws are fed explicitly by
replacing numpy.random's functions with scripted queues while a transform runs; the tests feed the same values
to typedseg's transforms.
"""

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mmseg_stub  # noqa: F401  (before any mmseg import)
import numpy as np
from mmcv.transforms import LoadImageFromFile, Pad, RandomResize
from mmseg.datasets.transforms import LoadAnnotations, PackSegInputs
from mmseg.datasets.transforms.transforms import PhotoMetricDistortion, RandomCrop, RandomFlip, Resize
from mmseg.utils import register_all_modules
from PIL import Image

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "transforms"
H, W = 37, 53


def make_inputs() -> None:
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:H, 0:W]
    rgb = np.stack(
        [
            (xs * 255 / (W - 1)),
            (ys * 255 / (H - 1)),
            128 + 100 * np.sin(xs / 5.0) * np.cos(ys / 4.0),
        ],
        axis=-1,
    )
    rgb = np.clip(rgb + rng.normal(0, 20, size=rgb.shape), 0, 255).astype(np.uint8)
    Image.fromarray(rgb).save(OUT / "image.png")
    Image.fromarray(rgb).save(OUT / "image.jpg", quality=90)
    labels = (xs // 9 + 2 * (ys // 13)).astype(np.uint8) % 6
    labels[rng.random((H, W)) < 0.05] = 255
    labels[:4, :4] = 0
    Image.fromarray(labels).save(OUT / "labels.png")


class Script:
    """Scripted replacements of numpy.random's functions: each call pops the next value of its queue."""

    def __init__(self, **queues: list[Any]) -> None:
        self.queues = {name: list(values) for name, values in queues.items()}
        self.calls: list[tuple[str, list[Any], Any]] = []

    def _fn(self, name: str) -> Callable[..., Any]:
        def pop(*args: Any, **kwargs: Any) -> Any:
            value = self.queues[name].pop(0)
            self.calls.append((name, [a if not isinstance(a, list) else list(a) for a in args], value))
            return value

        return pop

    @contextmanager
    def active(self) -> Iterator[None]:
        saved = {name: getattr(np.random, name) for name in self.queues}
        for name in self.queues:
            setattr(np.random, name, self._fn(name))
        try:
            yield
        finally:
            for name, fn in saved.items():
                setattr(np.random, name, fn)
        left = {name: q for name, q in self.queues.items() if q}
        if left:
            raise AssertionError(f"scripted draws left unused: {left}")


def loaded(reduce_zero_label: bool = False, label_map: dict[int, int] | None = None) -> dict[str, Any]:
    results = {
        "img_path": str(OUT / "image.png"),
        "seg_map_path": str(OUT / "labels.png"),
        "reduce_zero_label": reduce_zero_label,
        "label_map": label_map,
        "seg_fields": [],
    }
    results = LoadImageFromFile()(results)
    return LoadAnnotations()(results)


def plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


CASES: dict[str, dict[str, Any]] = {}
ARRAYS: dict[str, np.ndarray] = {}


def record(
    name: str, params: dict[str, Any], results: dict[str, Any], draws: dict[str, list[Any]] | None = None
) -> None:
    keys = [
        k
        for k in ("img_shape", "scale", "scale_factor", "keep_ratio", "flip", "flip_direction", "pad_shape")
        if k in results
    ]
    CASES[name] = {"params": params, "draws": draws or {}, "meta": {k: plain(results[k]) for k in keys}}
    ARRAYS[f"{name}/img"] = np.ascontiguousarray(results["img"])
    if "gt_seg_map" in results:
        ARRAYS[f"{name}/seg"] = np.ascontiguousarray(results["gt_seg_map"])


def loading_cases() -> None:
    for name, path in (("load_png", "image.png"), ("load_jpg", "image.jpg")):
        results = LoadImageFromFile()({"img_path": str(OUT / path)})
        ARRAYS[f"{name}/img"] = results["img"]
        CASES[name] = {
            "params": {"file": path},
            "draws": {},
            "meta": {"ori_shape": list(results["ori_shape"])},
        }
    for name, reduce, label_map in (
        ("annotations_plain", False, None),
        ("annotations_reduce_zero", True, None),
        ("annotations_label_map", False, {0: 2, 1: 255, 2: 0, 3: 1, 4: 255, 5: 3}),
    ):
        results = loaded(reduce, label_map)
        CASES[name] = {
            "params": {
                "reduce_zero_label": reduce,
                "label_map": label_map and {str(k): v for k, v in label_map.items()},
            },
            "draws": {},
            "meta": {},
        }
        ARRAYS[f"{name}/seg"] = results["gt_seg_map"]


def resize_cases() -> None:
    for name, params in {
        "resize_up": {"scale": (80, 61), "keep_ratio": False},
        "resize_down": {"scale": (31, 17), "keep_ratio": False},
        "resize_keep_ratio": {"scale": (100, 40), "keep_ratio": True},
        "resize_factor": {"scale_factor": 0.73, "keep_ratio": False},
        "resize_factor_keep": {"scale_factor": 1.61, "keep_ratio": True},
        "resize_bicubic": {"scale": (70, 45), "keep_ratio": False, "interpolation": "bicubic"},
        "resize_nearest": {"scale": (64, 29), "keep_ratio": False, "interpolation": "nearest"},
        "resize_pillow": {"scale": (40, 30), "keep_ratio": False, "backend": "pillow"},
    }.items():
        record(name, plain(params), Resize(**params)(loaded()))


def random_resize_cases() -> None:
    for name, params, queues in (
        (
            "random_resize_ratio",
            {"scale": (64, 32), "ratio_range": (0.5, 2.0), "keep_ratio": True},
            {"random_sample": [0.6180339]},
        ),
        (
            "random_resize_ratio_free",
            {"scale": (64, 32), "ratio_range": (0.5, 2.0), "keep_ratio": False},
            {"random_sample": [0.1234]},
        ),
        ("random_resize_bounds", {"scale": [(40, 30), (90, 70)], "keep_ratio": False}, {"randint": [77, 31]}),
    ):
        script = Script(**queues)
        transform = RandomResize(**params)
        with script.active():
            results = transform(loaded())
        record(name, plain(params), results, {k: list(v) for k, v in queues.items()})


def crop_cases() -> None:
    labels = loaded()["gt_seg_map"]
    for name, params, offsets in (
        ("crop_plain", {"crop_size": (20, 30)}, [5, 11]),
        ("crop_larger_than_image", {"crop_size": (50, 70)}, [0, 0]),
        # cat_max_ratio: the first windows hold one class only and are redrawn, then one passes
        ("crop_cat_max_ratio", {"crop_size": (6, 6), "cat_max_ratio": 0.75}, [0, 0, 0, 0, 20, 20, 14, 5]),
        ("crop_cat_ten_tries", {"crop_size": (3, 3), "cat_max_ratio": 0.5}, [0, 0] * 11),
    ):
        script = Script(randint=offsets)
        with script.active():
            results = RandomCrop(**params)(loaded())
        record(name, plain(params), results, {"randint": offsets})
    del labels


def flip_cases() -> None:
    for name, params, direction in (
        ("flip_horizontal", {"prob": 1.0, "direction": "horizontal"}, "horizontal"),
        ("flip_vertical", {"prob": 1.0, "direction": "vertical"}, "vertical"),
        ("flip_diagonal", {"prob": 1.0, "direction": "diagonal"}, "diagonal"),
        ("flip_none", {"prob": 0.5, "direction": "horizontal"}, None),
        ("flip_swap", {"prob": 1.0, "direction": "horizontal", "swap_seg_labels": [(1, 2)]}, "horizontal"),
    ):
        script = Script(choice=[direction])
        with script.active():
            results = RandomFlip(**params)(loaded())
        record(name, plain(params), results, {"choice": [direction]})


def pad_cases() -> None:
    for name, params in {
        "pad_size": {"size": (60, 45)},
        "pad_divisor": {"size_divisor": 16},
        "pad_square": {"pad_to_square": True, "pad_val": {"img": (1, 2, 3), "seg": 254}},
        "pad_reflect": {"size": (64, 40), "padding_mode": "reflect"},
        "pad_symmetric": {"size": (64, 40), "padding_mode": "symmetric"},
        "pad_edge": {"size_divisor": 32, "padding_mode": "edge"},
        "pad_int_value": {"size": (56, 40), "pad_val": 7},
    }.items():
        record(name, plain(params), Pad(**params)(loaded()))


def distortion_cases() -> None:
    import mmseg.datasets.transforms.transforms as mmseg_transforms

    assert (
        mmseg_transforms.random is np.random
    )  # `from numpy import random`: scripting numpy.random reaches it
    for name, randint, uniform in (
        ("pmd_all_contrast_first", [1, 1, 1, 1, 1, 7], [20.5, 1.3, 0.6]),
        ("pmd_all_contrast_last", [1, 0, 1, 1, -11, 1], [-25.25, 1.4, 0.7]),
        ("pmd_saturation_only", [0, 0, 1, 0, 0], [1.45]),
        ("pmd_hue_only", [0, 1, 0, 0, 1, -18], []),
        ("pmd_none", [0, 0, 0, 0, 0], []),
        ("pmd_bright_contrast", [1, 1, 1, 0, 0], [31.9, 0.51]),
    ):
        script = Script(randint=randint, uniform=uniform)
        with script.active():
            results = PhotoMetricDistortion()(loaded())
        record(name, {}, results, {"randint": randint, "uniform": uniform})


def pipeline_case() -> None:
    steps = [
        RandomResize(scale=(96, 48), ratio_range=(0.5, 2.0), keep_ratio=True),
        RandomCrop(crop_size=(24, 24), cat_max_ratio=0.75),
        RandomFlip(prob=0.5),
        PhotoMetricDistortion(),
        PackSegInputs(),
    ]
    queues = {
        "random_sample": [0.4321],
        "randint": [3, 9, 1, 1, 1, 1, 1, 5],
        "choice": ["horizontal"],
        "uniform": [-10.5, 0.8, 1.2],
    }
    script = Script(**queues)
    with script.active():
        results = steps[0](loaded())
        # what the rest of the pipeline starts from: a test feeds it to typedseg's steps after the resize
        ARRAYS["pipeline/resized_img"] = results["img"].copy()
        ARRAYS["pipeline/resized_seg"] = results["gt_seg_map"].copy()
        for step in steps[1:]:
            results = step(results)
    packed = results
    sample = packed["data_samples"]
    CASES["pipeline"] = {
        "params": {},
        "draws": queues,
        "meta": {k: plain(v) for k, v in sample.metainfo.items() if k not in ("img_path", "seg_map_path")},
        "meta_keys": sorted(sample.metainfo.keys()),
    }
    ARRAYS["pipeline/inputs"] = packed["inputs"].numpy()
    ARRAYS["pipeline/gt"] = sample.gt_sem_seg.data.numpy()


def sampler_orders() -> dict[str, Any]:
    """MMEngine's DefaultSampler and InfiniteSampler orders (what a dataloader visits), for the samplers' tests."""
    import itertools

    from mmengine.dataset import DefaultSampler, InfiniteSampler

    class Sized:
        def __init__(self, n: int) -> None:
            self.n = n

        def __len__(self) -> int:
            return self.n

    orders: dict[str, Any] = {}
    for size, shuffle, round_up, world, seed in (
        (10, True, True, 3, 5),
        (10, False, False, 3, 0),
        (7, True, True, 1, 42),
    ):
        for rank in range(world):
            sampler = DefaultSampler.__new__(DefaultSampler)
            sampler.rank, sampler.world_size = rank, world
            sampler.dataset, sampler.shuffle, sampler.seed, sampler.epoch = Sized(size), shuffle, seed, 0
            sampler.round_up = round_up
            if round_up:
                sampler.num_samples = -(-size // world)
                sampler.total_size = sampler.num_samples * world
            else:
                sampler.num_samples = -(-(size - rank) // world)
                sampler.total_size = size
            for epoch in (0, 1):
                sampler.set_epoch(epoch)
                key = f"default/{size}/{shuffle}/{round_up}/{world}/{seed}/{rank}/{epoch}"
                orders[key] = list(iter(sampler))
    for size, shuffle, world, seed in ((6, True, 2, 3), (5, False, 1, 0)):
        for rank in range(world):
            sampler = InfiniteSampler.__new__(InfiniteSampler)
            sampler.rank, sampler.world_size = rank, world
            sampler.dataset, sampler.size, sampler.shuffle, sampler.seed = Sized(size), size, shuffle, seed
            sampler.indices = sampler._indices_of_rank()
            orders[f"infinite/{size}/{shuffle}/{world}/{seed}/{rank}"] = list(
                itertools.islice(iter(sampler), 20)
            )
    return orders


def main() -> None:
    register_all_modules()
    OUT.mkdir(parents=True, exist_ok=True)
    make_inputs()
    loading_cases()
    resize_cases()
    random_resize_cases()
    crop_cases()
    flip_cases()
    pad_cases()
    distortion_cases()
    pipeline_case()
    (OUT / "mmengine_samplers.json").write_text(
        json.dumps(sampler_orders(), indent=0) + "\n", encoding="utf-8"
    )
    np.savez_compressed(OUT / "mmseg_outputs.npz", **ARRAYS)
    (OUT / "mmseg_cases.json").write_text(
        json.dumps(CASES, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(CASES)} cases, {len(ARRAYS)} arrays to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
