"""The runtime transforms: one class per transform config, each `(results, rng) -> results`, with MMSeg's semantics.

A sample travels through the pipeline as MMCV's `results` dict (`img`, `gt_seg_map`, `img_shape`, `scale_factor`,
`flip`, ...), so PackSegInputs' `meta_keys` mean what they mean in MMSeg. Every random choice comes from the
`numpy.random.Generator` passed in (one per sample, seeded from the run's seed, the pass and the index), never
from global state: a sample's augmentation does not depend on worker count, order or resuming. Each random
transform separates its draws (`draw`) from their application (`apply`), so tests can feed MMSeg's draws.
"""

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Union, assert_never

import numpy as np
import torch

from typedseg.config import transforms as cfgs
from typedseg.datasets import geometry, photometric
from typedseg.datasets.errors import DataError, data_error
from typedseg.datasets.image_io import IMAGE_ERRORS, read_image, read_label_map, why_unreadable
from typedseg.structures import SegDataSample

TransformCfg = Union[
    cfgs.LoadImageFromFile,
    cfgs.LoadAnnotations,
    cfgs.Resize,
    cfgs.RandomResize,
    cfgs.RandomCrop,
    cfgs.RandomFlip,
    cfgs.Pad,
    cfgs.PhotoMetricDistortion,
    cfgs.PackSegInputs,
    cfgs.TestTimeAug,
    cfgs.UserTransform,
]
"""Every transform config a pipeline may hold."""

Results = dict[str, Any]
"""One sample on its way through the pipeline (MMCV's `results` dict)."""


class Transform(Protocol):
    """A pipeline step; None drops the sample (the dataset then fetches another, as MMEngine does)."""

    def __call__(self, results: Results, rng: np.random.Generator) -> Results | None: ...


def _where(results: Results) -> str:
    index = results.get("sample_idx")
    return f"sample {index}" if index is not None else "a sample"


# ----------------------------------------------------------------------------------------------------
# Loading
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadImageFromFile:
    """Reads `img_path` into `img` (BGR uint8, or float32), setting `img_shape` and `ori_shape`."""

    to_float32: bool = False
    color_type: str = "color"
    ignore_empty: bool = False

    def __call__(self, results: Results, rng: np.random.Generator) -> Results | None:
        path = results["img_path"]
        try:
            img = read_image(path, self.color_type)
        except IMAGE_ERRORS as exc:
            if self.ignore_empty:
                return None
            raise data_error(
                "image-unreadable",
                ("img_path",),
                f"{_where(results)}: cannot read the image {path}: {why_unreadable(exc)}.",
                "Check that the file exists and is an image, or remove it from the dataset.",
            ) from None
        if self.to_float32:
            img = img.astype(np.float32)
        results["img"] = img
        results["img_shape"] = img.shape[:2]
        results["ori_shape"] = img.shape[:2]
        return results


@dataclass(frozen=True)
class LoadAnnotations:
    """Reads `seg_map_path` into `gt_seg_map` (uint8), applying reduce_zero_label and the dataset's label_map."""

    reduce_zero_label: bool | None = None
    decode_backend: str = "pillow"

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        path = results["seg_map_path"]
        try:
            seg = read_label_map(path, self.decode_backend)
        except IMAGE_ERRORS as exc:
            raise data_error(
                "image-unreadable",
                ("seg_map_path",),
                f"{_where(results)}: cannot read the label map {path}: {why_unreadable(exc)}.",
                "Check that every image has a label map of the same name (with seg_map_suffix).",
            ) from None
        dataset_reduce = bool(results.get("reduce_zero_label", False))
        if self.reduce_zero_label is not None and self.reduce_zero_label != dataset_reduce:
            raise DataError(
                f"LoadAnnotations(reduce_zero_label={self.reduce_zero_label}) differs from the dataset's "
                f"reduce_zero_label={dataset_reduce}; set it on the dataset only."
            )
        if dataset_reduce:
            seg = seg.copy()
            seg[seg == 0] = 255
            seg = seg - 1
            seg[seg == 254] = 255
        label_map: dict[int, int] | None = results.get("label_map")
        if label_map:
            table = np.arange(256, dtype=np.uint8)
            for old, new in label_map.items():
                table[old] = new
            seg = table[seg]
        results["gt_seg_map"] = seg
        results.setdefault("seg_fields", []).append("gt_seg_map")
        return results


# ----------------------------------------------------------------------------------------------------
# Geometry
# ----------------------------------------------------------------------------------------------------


def _seg_keys(results: Results) -> list[str]:
    keys = list(results.get("seg_fields", []))
    if "gt_seg_map" in results and "gt_seg_map" not in keys:
        keys.append("gt_seg_map")
    return keys


@dataclass(frozen=True)
class Resize:
    """Resizes `img` and the label maps to `scale` (w, h), or by `scale_factor` (MMSeg's Resize)."""

    scale: tuple[int, int] | None
    scale_factor: tuple[float, float] | None = None
    keep_ratio: bool = False
    backend: str = "cv2"
    interpolation: geometry.Interpolation = "bilinear"

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        if self.scale is not None:
            scale = self.scale
        else:
            assert self.scale_factor is not None
            h, w = results["img"].shape[:2]
            scale = geometry.scale_size((w, h), self.scale_factor)
        return self.apply(results, scale)

    def apply(self, results: Results, scale: tuple[int, int]) -> Results:
        """Resize to the (w, h) `scale` (with keep_ratio: as large as fits in it)."""
        results["scale"] = scale
        img = results["img"]
        h, w = img.shape[:2]
        if self.keep_ratio:
            size, _ = geometry.rescale_size((w, h), scale)
        else:
            size = scale
        resized = geometry.resize(img, size, self.interpolation, self.backend)
        results["img"] = resized
        results["img_shape"] = resized.shape[:2]
        results["scale_factor"] = (resized.shape[1] / w, resized.shape[0] / h)
        results["keep_ratio"] = self.keep_ratio
        for key in _seg_keys(results):
            results[key] = geometry.resize(results[key], size, "nearest", self.backend)
        return results


@dataclass(frozen=True)
class RandomResize:
    """Resizes to a random scale: `scale` times a ratio from `ratio_range`, or each edge between two bounds."""

    scale: tuple[tuple[int, int], ...]
    ratio_range: tuple[float, float] | None
    resize: Resize

    def draw(self, rng: np.random.Generator) -> tuple[int, int]:
        """The target (w, h), drawn as MMCV's RandomResize draws it."""
        if len(self.scale) == 1:
            return self.ratio_scale(float(rng.random()))
        first, second = self.scale
        edges = [int(rng.integers(min(a, b), max(a, b) + 1)) for a, b in zip(first, second, strict=True)]
        return edges[0], edges[1]

    def ratio_scale(self, u: float) -> tuple[int, int]:
        """The single scale times the ratio at `u` in [0, 1) of ratio_range (MMCV's `_random_sample_ratio`)."""
        assert self.ratio_range is not None
        low, high = self.ratio_range
        ratio = u * (high - low) + low
        return int(self.scale[0][0] * ratio), int(self.scale[0][1] * ratio)

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        return self.resize.apply(results, self.draw(rng))


@dataclass(frozen=True)
class RandomCrop:
    """Crops a random (h, w) window, redrawing up to 10 times while one class takes `cat_max_ratio` or more."""

    crop_size: tuple[int, int]
    cat_max_ratio: float = 1.0
    ignore_index: int = 255

    def offsets(self, shape: tuple[int, ...], rng: np.random.Generator) -> tuple[int, int]:
        """One random top-left corner (MMSeg's generate_crop_bbox)."""
        margin_h = max(shape[0] - self.crop_size[0], 0)
        margin_w = max(shape[1] - self.crop_size[1], 0)
        return int(rng.integers(0, margin_h + 1)), int(rng.integers(0, margin_w + 1))

    def acceptable(self, seg: np.ndarray, top: int, left: int) -> bool:
        """Whether the crop at (top, left) has two classes or more and none above cat_max_ratio."""
        window = np.ascontiguousarray(seg[top : top + self.crop_size[0], left : left + self.crop_size[1]])
        counts = torch.from_numpy(window).view(-1).bincount(minlength=256).numpy()
        if 0 <= self.ignore_index < counts.size:
            counts[self.ignore_index] = 0
        counts = counts[counts > 0]
        return len(counts) > 1 and counts.max() / counts.sum() < self.cat_max_ratio

    def draw(self, results: Results, rng: np.random.Generator) -> tuple[int, int]:
        """The crop's top-left corner, with MMSeg's retries."""
        top, left = self.offsets(results["img"].shape, rng)
        if self.cat_max_ratio < 1.0:
            if "gt_seg_map" not in results:
                raise DataError(
                    "RandomCrop with cat_max_ratio < 1 needs the label map: put LoadAnnotations before it."
                )
            for _ in range(10):
                if self.acceptable(results["gt_seg_map"], top, left):
                    break
                top, left = self.offsets(results["img"].shape, rng)
        return top, left

    def apply(self, results: Results, top: int, left: int) -> Results:
        bottom, right = top + self.crop_size[0], left + self.crop_size[1]
        results["img"] = results["img"][top:bottom, left:right, ...]
        for key in _seg_keys(results):
            results[key] = results[key][top:bottom, left:right, ...]
        results["img_shape"] = results["img"].shape[:2]
        return results

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        return self.apply(results, *self.draw(results, rng))


@dataclass(frozen=True)
class RandomFlip:
    """Flips the image and label maps with probability `prob` in one of `direction` (MMSeg's RandomFlip)."""

    prob: tuple[float, ...]
    direction: tuple[geometry.Direction, ...]
    swap_seg_labels: tuple[tuple[int, int], ...] | None = None

    def draw(self, rng: np.random.Generator) -> geometry.Direction | None:
        """The direction to flip in, or None for no flip."""
        if len(self.prob) == 1:
            probs = [self.prob[0] / len(self.direction)] * len(self.direction)
        else:
            probs = list(self.prob)
        u = float(rng.random())
        for direction, p in zip(self.direction, probs, strict=True):
            if u < p:
                return direction
            u -= p
        return None

    def apply(self, results: Results, direction: geometry.Direction | None) -> Results:
        results["flip"] = direction is not None
        results["flip_direction"] = direction
        if direction is None:
            return results
        results["img"] = geometry.flip(results["img"], direction)
        for key in _seg_keys(results):
            seg = geometry.flip(results[key], direction)
            if self.swap_seg_labels:
                original = seg.copy()
                for a, b in self.swap_seg_labels:
                    seg[original == a] = b
                    seg[original == b] = a
            results[key] = seg
            results["swap_seg_labels"] = list(self.swap_seg_labels) if self.swap_seg_labels else None
        return results

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        return self.apply(results, self.draw(rng))


@dataclass(frozen=True)
class Pad:
    """Pads the image (bottom and right) to `size` (w, h), to a multiple of `size_divisor`, or to a square."""

    size: tuple[int, int] | None
    size_divisor: int | None
    pad_to_square: bool
    img_value: float | tuple[float, ...]
    seg_value: int
    padding_mode: geometry.PaddingMode

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        img = results["img"]
        target: tuple[int, int] | None = None
        if self.pad_to_square:
            side = max(img.shape[:2])
            target = (side, side)
        if self.size_divisor is not None:
            base = target or (img.shape[0], img.shape[1])
            d = self.size_divisor
            target = (-(-base[0] // d) * d, -(-base[1] // d) * d)
        elif self.size is not None:
            target = (self.size[1], self.size[0])
        assert target is not None
        padded = geometry.pad(img, target, self.img_value, self.padding_mode)
        results["img"] = padded
        results["pad_shape"] = padded.shape
        results["pad_fixed_size"] = self.size
        results["pad_size_divisor"] = self.size_divisor
        results["img_shape"] = padded.shape[:2]
        if "gt_seg_map" in results:
            results["gt_seg_map"] = geometry.pad(
                results["gt_seg_map"], padded.shape[:2], self.seg_value, self.padding_mode
            )
        return results


# ----------------------------------------------------------------------------------------------------
# Photometry
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoMetricDistortion:
    """Random brightness, contrast (before or after the colour steps), saturation and hue (MMSeg's numbers)."""

    brightness_delta: int = 32
    contrast_range: tuple[float, float] = (0.5, 1.5)
    saturation_range: tuple[float, float] = (0.5, 1.5)
    hue_delta: int = 18

    def draw(self, rng: np.random.Generator) -> photometric.DistortionDraws:
        return photometric.draw_distortion(
            rng, self.brightness_delta, self.contrast_range, self.saturation_range, self.hue_delta
        )

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        img = results["img"]
        if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] != 3:
            raise DataError(
                f"PhotoMetricDistortion needs a 3-channel uint8 image, got {img.dtype} of shape {img.shape}: "
                "load images with to_float32=False and color_type='color'."
            )
        results["img"] = photometric.distort(img, self.draw(rng))
        return results


# ----------------------------------------------------------------------------------------------------
# Packing, composition, test-time augmentation
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackSegInputs:
    """`{"inputs": uint8 CHW tensor, "data_samples": SegDataSample}` with the listed meta keys (MMSeg's)."""

    meta_keys: tuple[str, ...] = cfgs.PACK_SEG_META_KEYS

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        packed: Results = {}
        if "img" in results:
            img = results["img"]
            if img.ndim < 3:
                img = img[:, :, None]
            packed["inputs"] = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        sample = SegDataSample()
        if "gt_seg_map" in results:
            seg = results["gt_seg_map"]
            sample.gt_sem_seg = torch.from_numpy((seg[None] if seg.ndim == 2 else seg).astype(np.int64))
        sample.metainfo = {key: results[key] for key in self.meta_keys if key in results}
        packed["data_samples"] = sample
        return packed


@dataclass(frozen=True)
class Compose:
    """The transforms in order; stops at the first that drops the sample."""

    transforms: tuple[Transform, ...]

    def __call__(self, results: Results, rng: np.random.Generator) -> Results | None:
        current = results
        for transform in self.transforms:
            out = transform(current, rng)
            if out is None:
                return None
            current = out
        return current


@dataclass(frozen=True)
class TestTimeAug:
    """Every combination of one transform per step, each on a copy of the sample; the outputs as lists
    (`{"inputs": [...], "data_samples": [...]}`), as MMCV's TestTimeAug."""

    __test__ = False
    branches: tuple[Compose, ...]

    def __call__(self, results: Results, rng: np.random.Generator) -> Results:
        collected: dict[str, list[Any]] = {}
        for branch in self.branches:
            out = branch(copy.deepcopy(results), rng)
            if out is None:
                raise DataError(f"{_where(results)}: a TestTimeAug branch dropped the sample")
            for key, value in out.items():
                collected.setdefault(key, []).append(value)
        return dict(collected)


# ----------------------------------------------------------------------------------------------------
# The builder
# ----------------------------------------------------------------------------------------------------


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _factor(value: float | tuple[float, float] | None) -> tuple[float, float] | None:
    if value is None:
        return None
    return (float(value), float(value)) if isinstance(value, (int, float)) else (value[0], value[1])


def _check_interpolation(backend: str, interpolation: str) -> None:
    if backend == "cv2" and interpolation not in ("nearest", "bilinear", "bicubic"):
        raise DataError(
            f"Resize(interpolation={interpolation!r}) with backend='cv2' is not implemented by typedseg (it "
            "reproduces OpenCV's nearest, bilinear and bicubic); use one of those, or backend='pillow'."
        )


def build_transform(cfg: TransformCfg) -> Transform:
    """The runtime transform of one pipeline step."""
    match cfg:
        case cfgs.LoadImageFromFile():
            return LoadImageFromFile(cfg.to_float32, cfg.color_type, cfg.ignore_empty)
        case cfgs.LoadAnnotations():
            return LoadAnnotations(cfg.reduce_zero_label, cfg.imdecode_backend)
        case cfgs.Resize():
            _check_interpolation(cfg.backend, cfg.interpolation)
            scale = _pair(cfg.scale) if cfg.scale is not None else None
            return Resize(scale, _factor(cfg.scale_factor), cfg.keep_ratio, cfg.backend, cfg.interpolation)
        case cfgs.RandomResize():
            if cfg.resize_type != "Resize":
                raise DataError(
                    f"RandomResize(resize_type={cfg.resize_type!r}): typedseg builds 'Resize' only"
                )
            scales = (
                (_pair(cfg.scale),)  # type: ignore[arg-type]
                if cfg.single_scale
                else tuple(_pair(s) for s in cfg.scale)
            )
            _check_interpolation(cfg.backend, cfg.interpolation)
            resize = Resize(None, None, cfg.keep_ratio, cfg.backend, cfg.interpolation)
            return RandomResize(scales, cfg.ratio_range, resize)
        case cfgs.RandomCrop():
            return RandomCrop(cfg.crop_hw, cfg.cat_max_ratio, cfg.ignore_index)
        case cfgs.RandomFlip():
            probs = cfg.prob if isinstance(cfg.prob, tuple) else (cfg.prob,)
            directions = (cfg.direction,) if isinstance(cfg.direction, str) else tuple(cfg.direction)
            swaps = tuple(tuple(p) for p in cfg.swap_seg_labels) if cfg.swap_seg_labels else None
            return RandomFlip(tuple(float(p) for p in probs), directions, swaps)  # type: ignore[arg-type]
        case cfgs.Pad():
            if isinstance(cfg.pad_val, int):
                img_value: float | tuple[float, ...] = float(cfg.pad_val)
            else:
                img_value = cfg.pad_val.img if isinstance(cfg.pad_val.img, float) else tuple(cfg.pad_val.img)
            return Pad(
                cfg.size, cfg.size_divisor, cfg.pad_to_square, img_value, cfg.seg_pad_value, cfg.padding_mode
            )
        case cfgs.PhotoMetricDistortion():
            return PhotoMetricDistortion(
                cfg.brightness_delta, cfg.contrast_range, cfg.saturation_range, cfg.hue_delta
            )
        case cfgs.PackSegInputs():
            return PackSegInputs(tuple(cfg.meta_keys))
        case cfgs.TestTimeAug():
            steps = [[build_transform(t) for t in step] for step in cfg.transforms]
            return TestTimeAug(tuple(Compose(tuple(chain)) for chain in itertools.product(*steps)))
        case cfgs.UserTransform():
            built: Transform = cfg.build()
            return built
        case _:
            assert_never(cfg)


def build_pipeline(cfgs_: Sequence[TransformCfg]) -> Compose:
    """The runtime pipeline of a dataset's `pipeline` list."""
    return Compose(tuple(build_transform(cfg) for cfg in cfgs_))
