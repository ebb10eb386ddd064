"""typedseg's transforms against MMSegmentation 1.2.2's on the same input, parameters and random draws.

The fixtures come from scripts/oracle/make_transforms_fixtures.py (MMSeg/MMCV in the oracle venv, with numpy's
random functions replaced by scripted queues); here the same values are fed through a scripted generator.
Label maps, flips, crops, pads, colour distortion and nearest resizes must be equal; bilinear and bicubic image
resizes within one grey level (OpenCV's fixed-point weights against torch's).
"""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from typedseg.config import transforms as cfg
from typedseg.datasets.transforms import Compose, Results, build_transform

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transforms"
CASES: dict[str, dict[str, Any]] = json.loads((FIXTURES / "mmseg_cases.json").read_text(encoding="utf-8"))
ARRAYS = np.load(FIXTURES / "mmseg_outputs.npz")


class ScriptedRng:
    """Stands in for numpy's Generator: each method returns the next scripted value of its queue."""

    def __init__(
        self, random: Sequence[float] = (), integers: Sequence[int] = (), uniform: Sequence[float] = ()
    ) -> None:
        self.queues: dict[str, list[float]] = {
            "random": list(random),
            "integers": list(integers),
            "uniform": list(uniform),
        }

    def random(self) -> float:
        return float(self.queues["random"].pop(0))

    def integers(self, low: int, high: int | None = None) -> int:
        value = int(self.queues["integers"].pop(0))
        lo, hi = (0, low) if high is None else (low, high)
        assert lo <= value < hi, f"scripted {value} outside [{lo}, {hi})"
        return value

    def uniform(self, low: float, high: float) -> float:
        return float(self.queues["uniform"].pop(0))

    def exhausted(self) -> bool:
        return not any(self.queues.values())


def loaded(reduce_zero_label: bool = False, label_map: dict[int, int] | None = None) -> Results:
    results: Results = {
        "img_path": str(FIXTURES / "image.png"),
        "seg_map_path": str(FIXTURES / "labels.png"),
        "reduce_zero_label": reduce_zero_label,
        "label_map": label_map,
        "seg_fields": [],
        "sample_idx": 0,
    }
    rng: Any = ScriptedRng()
    results = build_transform(cfg.LoadImageFromFile())(results, rng)  # type: ignore[assignment]
    return build_transform(cfg.LoadAnnotations())(results, rng)  # type: ignore[return-value]


def run(transform_cfg: Any, rng: ScriptedRng, results: Results | None = None) -> Results:
    out = build_transform(transform_cfg)(loaded() if results is None else results, rng)  # type: ignore[arg-type]
    assert out is not None
    assert rng.exhausted(), f"draws left unused: {rng.queues}"
    return out


def assert_meta(name: str, results: Results) -> None:
    for key, expected in CASES[name]["meta"].items():
        got = results[key]
        got = list(got) if isinstance(got, tuple) else got
        if isinstance(expected, list) and expected and isinstance(expected[0], float):
            assert got == pytest.approx(expected), key
        else:
            assert got == expected, key


def assert_arrays(name: str, results: Results, *, img_tolerance: int = 0) -> None:
    seg = ARRAYS[f"{name}/seg"]
    assert results["gt_seg_map"].shape == seg.shape
    np.testing.assert_array_equal(results["gt_seg_map"], seg)
    img = ARRAYS[f"{name}/img"]
    assert results["img"].shape == img.shape and results["img"].dtype == img.dtype
    diff = np.abs(results["img"].astype(np.int64) - img.astype(np.int64))
    assert diff.max() <= img_tolerance, f"{name}: max difference {diff.max()} (> {img_tolerance})"
    assert_meta(name, results)


def test_loading_equals_mmcv_decoding() -> None:
    for name, file in (("load_png", "image.png"), ("load_jpg", "image.jpg")):
        results = run(cfg.LoadImageFromFile(), ScriptedRng(), {"img_path": str(FIXTURES / file)})
        np.testing.assert_array_equal(results["img"], ARRAYS[f"{name}/img"])
        assert list(results["ori_shape"]) == CASES[name]["meta"]["ori_shape"]
    for name in ("annotations_plain", "annotations_reduce_zero", "annotations_label_map"):
        params = CASES[name]["params"]
        label_map = {int(k): v for k, v in params["label_map"].items()} if params["label_map"] else None
        results = loaded(params["reduce_zero_label"], label_map)
        np.testing.assert_array_equal(results["gt_seg_map"], ARRAYS[f"{name}/seg"])


RESIZES = [name for name in CASES if name.startswith("resize_")]


@pytest.mark.parametrize("name", RESIZES)
def test_resize(name: str) -> None:
    params = dict(CASES[name]["params"])
    if "scale" in params:
        params["scale"] = tuple(params["scale"])
    exact = params.get("interpolation") == "nearest" or params.get("backend") == "pillow"
    results = run(cfg.Resize(**params), ScriptedRng())
    assert_arrays(name, results, img_tolerance=0 if exact else 1)


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("random_resize")])
def test_random_resize(name: str) -> None:
    case = CASES[name]
    params = dict(case["params"])
    params["scale"] = (
        tuple(tuple(s) for s in params["scale"])
        if isinstance(params["scale"][0], list)
        else tuple(params["scale"])
    )
    if "ratio_range" in params:
        params["ratio_range"] = tuple(params["ratio_range"])
    rng = ScriptedRng(
        random=case["draws"].get("random_sample", []), integers=case["draws"].get("randint", [])
    )
    # MMCV draws each bound with randint(low, high + 1); our scripted integers check the same range
    assert_arrays(name, run(cfg.RandomResize(**params), rng), img_tolerance=1)


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("crop_")])
def test_random_crop_with_cat_max_ratio(name: str) -> None:
    case = CASES[name]
    params = dict(case["params"])
    params["crop_size"] = tuple(params["crop_size"])
    assert_arrays(name, run(cfg.RandomCrop(**params), ScriptedRng(integers=case["draws"]["randint"])))


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("flip_")])
def test_random_flip(name: str) -> None:
    case = CASES[name]
    params = dict(case["params"])
    if "swap_seg_labels" in params:
        params["swap_seg_labels"] = tuple(tuple(p) for p in params["swap_seg_labels"])
    # MMCV picks the direction with numpy's choice; typedseg compares one uniform draw with prob
    u = 0.0 if case["draws"]["choice"][0] is not None else 0.999
    assert_arrays(name, run(cfg.RandomFlip(**params), ScriptedRng(random=[u])))


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("pad_")])
def test_pad(name: str) -> None:
    params = dict(CASES[name]["params"])
    if "size" in params:
        params["size"] = tuple(params["size"])
    if isinstance(params.get("pad_val"), dict):
        params["pad_val"] = cfg.PadValues(img=tuple(params["pad_val"]["img"]), seg=params["pad_val"]["seg"])
    results = run(cfg.Pad(**params), ScriptedRng())
    assert_arrays(name, results)
    assert list(results["pad_shape"]) == CASES[name]["meta"]["pad_shape"]


@pytest.mark.parametrize("name", [name for name in CASES if name.startswith("pmd_")])
def test_photometric_distortion_is_exact(name: str) -> None:
    draws = CASES[name]["draws"]
    rng = ScriptedRng(integers=draws["randint"], uniform=draws["uniform"])
    assert_arrays(name, run(cfg.PhotoMetricDistortion(), rng))


PIPELINE = (
    cfg.RandomResize(scale=(96, 48), ratio_range=(0.5, 2.0), keep_ratio=True),
    cfg.RandomCrop(crop_size=(24, 24), cat_max_ratio=0.75),
    cfg.RandomFlip(prob=0.5),
    cfg.PhotoMetricDistortion(),
    cfg.PackSegInputs(),
)


def pipeline_rng(with_resize: bool) -> ScriptedRng:
    draws = CASES["pipeline"]["draws"]
    flip_u = 0.0 if draws["choice"][0] is not None else 0.999
    randoms = [draws["random_sample"][0], flip_u] if with_resize else [flip_u]
    return ScriptedRng(random=randoms, integers=draws["randint"], uniform=draws["uniform"])


def check_packed(packed: Results | None, rng: ScriptedRng) -> np.ndarray:
    """The packed image's absolute difference from MMSeg's, after checking everything that must be equal."""
    assert packed is not None and rng.exhausted()
    sample = packed["data_samples"]
    np.testing.assert_array_equal(sample.gt_sem_seg.numpy(), ARRAYS["pipeline/gt"])
    assert sorted(sample.metainfo) == CASES["pipeline"]["meta_keys"]
    for key, value in CASES["pipeline"]["meta"].items():
        got = sample.metainfo[key]
        got = list(got) if isinstance(got, tuple) else got
        assert got == (pytest.approx(value) if key == "scale_factor" else value), key
    inputs = packed["inputs"].numpy()
    expected = ARRAYS["pipeline/inputs"]
    assert inputs.shape == expected.shape and inputs.dtype == expected.dtype
    diff: np.ndarray = np.abs(inputs.astype(np.int64) - expected.astype(np.int64))
    return diff


def test_training_pipeline_after_the_resize_is_exact() -> None:
    """Crop (with cat_max_ratio), flip, distortion and packing of MMSeg's resized sample: equal arrays."""
    results = loaded()
    results["img"] = ARRAYS["pipeline/resized_img"].copy()
    results["gt_seg_map"] = ARRAYS["pipeline/resized_seg"].copy()
    results["img_shape"] = results["img"].shape[:2]
    resize = PIPELINE[0]
    h, w = results["img"].shape[:2]
    results["scale"] = build_transform(resize).ratio_scale(CASES["pipeline"]["draws"]["random_sample"][0])  # type: ignore[attr-defined]
    results["scale_factor"] = (w / 53, h / 37)
    results["keep_ratio"] = True
    pipeline = Compose(tuple(build_transform(t) for t in PIPELINE[1:]))
    rng = pipeline_rng(with_resize=False)
    assert check_packed(pipeline(results, rng), rng).max() == 0  # type: ignore[arg-type]


def test_training_pipeline_end_to_end() -> None:
    """The whole pipeline from the files: labels and metadata equal; the image as close as the resize allows
    (one grey level there, which the colour steps can stretch: a hue turn moves a low-saturation pixel more)."""
    rng = pipeline_rng(with_resize=True)
    pipeline = Compose(tuple(build_transform(t) for t in PIPELINE))
    diff = check_packed(pipeline(loaded(), rng), rng)  # type: ignore[arg-type]
    assert diff.mean() < 0.5 and np.percentile(diff, 95) <= 2 and diff.max() <= 8


def test_interpolations_typedseg_cannot_reproduce_are_refused_when_built() -> None:
    from typedseg.datasets import DataError

    with pytest.raises(DataError, match=r"interpolation='area'\) with backend='cv2' is not implemented"):
        build_transform(cfg.Resize(scale=(8, 8), interpolation="area"))
    with pytest.raises(DataError, match="'lanczos'"):
        build_transform(cfg.RandomResize(scale=(8, 8), ratio_range=(0.5, 2.0), interpolation="lanczos"))
    build_transform(cfg.Resize(scale=(8, 8), interpolation="lanczos", backend="pillow"))
