"""Transform models: every type parses from a dict with MMSeg's/MMCV's defaults; JSON arrays fill tuples; each
model rule fires."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from typedseg.config.base import dotted_name
from typedseg.config.transforms import (
    PACK_SEG_META_KEYS,
    TRANSFORM_TYPES,
    LoadAnnotations,
    PackSegInputs,
    Pad,
    PadValues,
    PhotoMetricDistortion,
    RandomCrop,
    RandomFlip,
    RandomResize,
    Resize,
    TestTimeAug,
    TransformConfig,
    UserTransform,
)
from typedseg.problems import ConfigError, Path

ROOT = FsPath(__file__).resolve().parents[2]
TRANSFORM = TypeAdapter(TransformConfig)

# type -> (required arguments, MMSeg's/MMCV's defaults of the other arguments)
DEFAULTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "LoadImageFromFile": (
        {},
        {
            "to_float32": False,
            "color_type": "color",
            "imdecode_backend": "cv2",
            "ignore_empty": False,
            "backend_args": None,
        },
    ),
    "LoadAnnotations": ({}, {"reduce_zero_label": None, "backend_args": None, "imdecode_backend": "pillow"}),
    "Resize": (
        {"scale": [2048, 512]},
        {
            "scale_factor": None,
            "keep_ratio": False,
            "clip_object_border": True,
            "backend": "cv2",
            "interpolation": "bilinear",
        },
    ),
    "RandomResize": (
        {"scale": [2048, 512], "ratio_range": [0.5, 2.0]},
        {
            "resize_type": "Resize",
            "keep_ratio": False,
            "clip_object_border": True,
            "backend": "cv2",
            "interpolation": "bilinear",
        },
    ),
    "RandomCrop": ({"crop_size": [512, 512]}, {"cat_max_ratio": 1.0, "ignore_index": 255}),
    "RandomFlip": ({"prob": 0.5}, {"direction": "horizontal", "swap_seg_labels": None}),
    "Pad": (
        {"size_divisor": 32},
        {
            "size": None,
            "pad_to_square": False,
            "pad_val": PadValues(img=0, seg=255),
            "padding_mode": "constant",
        },
    ),
    "PhotoMetricDistortion": (
        {},
        {
            "brightness_delta": 32,
            "contrast_range": (0.5, 1.5),
            "saturation_range": (0.5, 1.5),
            "hue_delta": 18,
        },
    ),
    "PackSegInputs": (
        {},
        {
            "meta_keys": (
                "img_path",
                "seg_map_path",
                "ori_shape",
                "img_shape",
                "pad_shape",
                "scale_factor",
                "flip",
                "flip_direction",
                "reduce_zero_label",
            )
        },
    ),
    "TestTimeAug": ({"transforms": [[{"type": "PackSegInputs"}]]}, {}),
}


def test_the_table_covers_every_transform_type() -> None:
    assert set(DEFAULTS) == TRANSFORM_TYPES
    assert len(TRANSFORM_TYPES) == 10


@pytest.mark.parametrize("type_", sorted(DEFAULTS))
def test_parses_from_json_with_mmseg_defaults(type_: str) -> None:
    required, defaults = DEFAULTS[type_]
    transform = TRANSFORM.validate_json(json.dumps({"type": type_, **required}))
    assert type(transform).__name__ == type_
    assert transform.type == type_
    assert next(iter(type(transform).model_fields)) == "type"
    for name, value in defaults.items():
        assert getattr(transform, name) == value, name
    # every argument is in the table: no field was added without checking MMSeg's default
    assert set(type(transform).model_fields) == {"type", *required, *defaults}


def test_pack_seg_inputs_meta_keys_are_mmsegs() -> None:
    assert PackSegInputs().meta_keys == PACK_SEG_META_KEYS
    assert PACK_SEG_META_KEYS[1] == "seg_map_path" and PACK_SEG_META_KEYS[-1] == "reduce_zero_label"


def test_json_arrays_fill_tuple_fields() -> None:
    resize = TRANSFORM.validate_json(
        '{"type": "RandomResize", "scale": [2048, 512], "ratio_range": [0.5, 2]}'
    )
    assert isinstance(resize, RandomResize)
    assert resize.scale == (2048, 512) and resize.ratio_range == (0.5, 2.0)
    assert resize.single_scale
    bounds = TRANSFORM.validate_json('{"type": "RandomResize", "scale": [[1024, 256], [4096, 1024]]}')
    assert isinstance(bounds, RandomResize)
    assert bounds.scale == ((1024, 256), (4096, 1024)) and not bounds.single_scale
    crop = TRANSFORM.validate_json('{"type": "RandomCrop", "crop_size": [512, 1024], "cat_max_ratio": 0.75}')
    assert isinstance(crop, RandomCrop)
    assert crop.crop_size == (512, 1024) and crop.crop_hw == (512, 1024)
    flip = TRANSFORM.validate_json(
        '{"type": "RandomFlip", "prob": [0.3, 0.5], "direction": ["horizontal", "vertical"]}'
    )
    assert isinstance(flip, RandomFlip)
    assert flip.prob == (0.3, 0.5) and flip.direction == ("horizontal", "vertical")


def test_python_configs_write_tuples_as_mmseg_requires() -> None:
    assert RandomCrop(crop_size=512).crop_hw == (512, 512)
    assert Resize(scale=512).scale == 512
    # MMSeg's RandomCrop asserts `isinstance(crop_size, tuple)`: a Python list is refused here too.
    with pytest.raises(ConfigError):
        RandomCrop(crop_size=[512, 512])  # type: ignore[arg-type]


def test_int_probabilities_and_factors_become_floats() -> None:
    # MMCV's RandomFlip and Resize check `isinstance(prob, float)`: 1 would fail there, 1.0 does not.
    flip = TRANSFORM.validate_json('{"type": "RandomFlip", "prob": 1}')
    assert isinstance(flip, RandomFlip) and isinstance(flip.prob, float)
    resize = TRANSFORM.validate_json('{"type": "Resize", "scale_factor": 2}')
    assert isinstance(resize, Resize) and isinstance(resize.scale_factor, float)


def test_pad_values() -> None:
    assert Pad(size_divisor=32).seg_pad_value == 255
    assert Pad(size_divisor=32, pad_val=0).seg_pad_value == 255  # MMCV: an int pads only the image
    pad = TRANSFORM.validate_json(
        '{"type": "Pad", "size": [512, 512], "pad_val": {"img": [0, 0, 0], "seg": 0}}'
    )
    assert isinstance(pad, Pad) and isinstance(pad.pad_val, PadValues)
    assert (pad.size, pad.pad_val.img, pad.seg_pad_value) == ((512, 512), (0.0, 0.0, 0.0), 0)
    with pytest.raises(ValidationError):  # MMCV asserts an int or a dict: a float fails there
        TRANSFORM.validate_json('{"type": "Pad", "size_divisor": 32, "pad_val": 0.5}')


def test_test_time_aug_holds_alternatives_of_transforms() -> None:
    tta = TRANSFORM.validate_json(
        json.dumps(
            {
                "type": "TestTimeAug",
                "transforms": [
                    [{"type": "Resize", "scale_factor": r, "keep_ratio": True} for r in (0.5, 1.0, 1.5)],
                    [
                        {"type": "RandomFlip", "prob": 0.0, "direction": "horizontal"},
                        {"type": "RandomFlip", "prob": 1.0, "direction": "horizontal"},
                    ],
                    [{"type": "LoadAnnotations"}],
                    [{"type": "PackSegInputs"}],
                ],
            }
        )
    )
    assert isinstance(tta, TestTimeAug)
    assert [len(step) for step in tta.transforms] == [3, 2, 1, 1]
    first = tta.transforms[0][0]
    assert isinstance(first, Resize) and first.scale_factor == 0.5 and first.keep_ratio
    assert isinstance(tta.transforms[2][0], LoadAnnotations)


def test_misspelt_type_and_field_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        TRANSFORM.validate_python({"type": "RandomCorp", "crop_size": (1, 1)})
    assert caught.value.errors()[0]["type"] == "union_tag_invalid"
    with pytest.raises(ValidationError) as caught:
        TRANSFORM.validate_python({"type": "RandomFlip", "prob": 0.5, "flip_ratio": 0.5})
    errors = caught.value.errors()
    assert [e["type"] for e in errors] == ["extra_forbidden"]
    assert errors[0]["loc"][-1] == "flip_ratio"


def test_strict_and_literal_values() -> None:
    for bad in (
        {"type": "RandomCrop", "crop_size": [512, 512], "ignore_index": "255"},
        {"type": "LoadImageFromFile", "to_float32": 1},
        {"type": "LoadImageFromFile", "color_type": "rgb"},
        {"type": "Resize", "scale": [512, 512], "backend": "PIL"},
        {"type": "RandomFlip", "prob": 0.5, "direction": "horizontally"},
        {"type": "Pad", "size_divisor": 32, "padding_mode": "wrap"},
    ):
        with pytest.raises(ValidationError):
            TRANSFORM.validate_json(json.dumps(bad))


# --- model rules -----------------------------------------------------------------------------------


def _problems(build: Callable[[], BaseModel]) -> list[tuple[str, Path]]:
    with pytest.raises(ConfigError) as caught:
        build()
    for problem in caught.value.problems:
        assert problem.message
    return [(p.code, p.path) for p in caught.value.problems]


RULES: list[tuple[str, Callable[[], BaseModel], str, Path]] = [
    ("resize-neither", Resize, "resize-scale-missing", ()),
    (
        "resize-both",
        lambda: Resize(scale=(512, 512), scale_factor=0.5),
        "resize-scale-conflict",
        ("scale_factor",),
    ),
    (
        "resize-area-pillow",
        lambda: Resize(scale=(512, 512), backend="pillow", interpolation="area"),
        "interpolation-backend",
        ("interpolation",),
    ),
    (
        "resize-hamming-cv2",
        lambda: Resize(scale=(512, 512), interpolation="hamming"),
        "interpolation-backend",
        ("interpolation",),
    ),
    ("resize-zero-scale", lambda: Resize(scale=(0, 512)), "size-not-positive", ("scale",)),
    ("resize-negative-factor", lambda: Resize(scale_factor=-0.5), "size-not-positive", ("scale_factor",)),
    (
        "random-resize-zero-bound",
        lambda: RandomResize(scale=[(0, 256), (4096, 1024)]),
        "size-not-positive",
        ("scale",),
    ),
    (
        "random-resize-no-ratio",
        lambda: RandomResize(scale=(2048, 512)),
        "random-resize-needs-ratio-range",
        ("ratio_range",),
    ),
    (
        "random-resize-ratio-order",
        lambda: RandomResize(scale=(2048, 512), ratio_range=(2.0, 0.5)),
        "range-not-ordered",
        ("ratio_range",),
    ),
    (
        "random-resize-three-bounds",
        lambda: RandomResize(scale=[(1, 1), (2, 2), (3, 3)]),
        "random-resize-scale-bounds",
        ("scale",),
    ),
    (
        "random-resize-unused-ratio",
        lambda: RandomResize(scale=[(1024, 256), (4096, 1024)], ratio_range=(0.5, 2.0)),
        "unused-setting",
        ("ratio_range",),
    ),
    ("crop-zero", lambda: RandomCrop(crop_size=(0, 512)), "size-not-positive", ("crop_size",)),
    ("crop-negative-int", lambda: RandomCrop(crop_size=-1), "size-not-positive", ("crop_size",)),
    (
        "crop-ratio-zero",
        lambda: RandomCrop(crop_size=512, cat_max_ratio=0.0),
        "invalid-value",
        ("cat_max_ratio",),
    ),
    ("flip-prob-above-one", lambda: RandomFlip(prob=1.5), "probability-out-of-range", ("prob",)),
    (
        "flip-prob-negative",
        lambda: RandomFlip(prob=[0.5, -0.1], direction=["horizontal", "vertical"]),
        "probability-out-of-range",
        ("prob", 1),
    ),
    (
        "flip-probs-sum",
        lambda: RandomFlip(prob=[0.6, 0.6], direction=["horizontal", "vertical"]),
        "flip-prob-sum",
        ("prob",),
    ),
    (
        "flip-probs-one-direction",
        lambda: RandomFlip(prob=[0.2, 0.3]),
        "flip-prob-direction-mismatch",
        ("prob",),
    ),
    (
        "flip-probs-count",
        lambda: RandomFlip(prob=[0.2, 0.3], direction=["horizontal", "vertical", "diagonal"]),
        "flip-prob-direction-mismatch",
        ("prob",),
    ),
    ("flip-no-direction", lambda: RandomFlip(prob=0.5, direction=[]), "flip-direction-empty", ("direction",)),
    ("flip-no-prob", lambda: RandomFlip(), "missing", ("prob",)),  # type: ignore[call-arg]  # noqa: PLW0108
    ("pad-nothing", Pad, "pad-size-missing", ()),
    ("pad-both", lambda: Pad(size=(512, 512), size_divisor=32), "pad-size-conflict", ("size_divisor",)),
    ("pad-square-size", lambda: Pad(size=(512, 512), pad_to_square=True), "pad-size-conflict", ("size",)),
    (
        "photometric-contrast-order",
        lambda: PhotoMetricDistortion(contrast_range=(1.5, 0.5)),
        "range-not-ordered",
        ("contrast_range",),
    ),
    (
        "photometric-saturation-order",
        lambda: PhotoMetricDistortion(saturation_range=(1.5, 0.5)),
        "range-not-ordered",
        ("saturation_range",),
    ),
    ("photometric-hue-zero", lambda: PhotoMetricDistortion(hue_delta=0), "hue-delta-zero", ("hue_delta",)),
    (
        "tta-empty-step",
        lambda: TestTimeAug(transforms=[[PackSegInputs()], []]),
        "tta-empty-step",
        ("transforms", 1),
    ),
]


@pytest.mark.parametrize(("build", "code", "path"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_model_rule_fires(build: Callable[[], BaseModel], code: str, path: Path) -> None:
    assert _problems(build) == [(code, path)]


def test_rules_report_every_problem_with_a_hint() -> None:
    with pytest.raises(ConfigError) as caught:
        RandomResize(scale=(2048, 512), backend="pillow", interpolation="area")
    problems = caught.value.problems
    assert [p.code for p in problems] == ["random-resize-needs-ratio-range", "interpolation-backend"]
    assert all(p.hint for p in problems)
    assert "(0.5, 2.0)" in problems[0].hint
    assert "backend='cv2'" in problems[1].hint


def test_rule_messages_name_mmsegs_failure() -> None:
    with pytest.raises(ConfigError) as caught:
        RandomFlip(prob=[0.6, 0.6], direction=["horizontal", "vertical"])
    assert "sum to 1.2" in caught.value.problems[0].message
    with pytest.raises(ConfigError) as caught:
        PhotoMetricDistortion(hue_delta=0)
    assert "randint(0, 0)" in caught.value.problems[0].message
    with pytest.raises(ConfigError) as caught:
        RandomResize(scale=(2048, 512), ratio_range=(2.0, 0.5))
    assert caught.value.problems[0].hint == "Write it as (0.5, 2.0)."


def test_valid_edge_values_pass() -> None:
    assert RandomFlip(prob=[0.5, 0.5], direction=["horizontal", "vertical"]).prob == (0.5, 0.5)
    assert RandomFlip(prob=0.0).prob == 0.0
    assert Resize(scale=(512, 512), backend="pillow", interpolation="box").interpolation == "box"
    assert Pad(pad_to_square=True, size_divisor=32).pad_to_square
    assert RandomCrop(crop_size=(512, 1024), cat_max_ratio=1.0).crop_hw == (512, 1024)
    # a resize type of the user's own: the interpolation is its business
    assert RandomResize(scale=(1, 1), ratio_range=(1.0, 1.0), resize_type="MyResize", interpolation="box")


# --- the user branch -------------------------------------------------------------------------------


class GammaJitter(UserTransform):
    """A user's transform: random gamma."""

    gamma_range: tuple[float, float] = (0.8, 1.2)
    """Range of the gamma drawn per sample."""


def test_user_transform_validates_from_its_dotted_type() -> None:
    transform = TRANSFORM.validate_python({"type": dotted_name(GammaJitter), "gamma_range": (0.5, 1.5)})
    assert isinstance(transform, GammaJitter) and transform.gamma_range == (0.5, 1.5)
    instance = GammaJitter()
    assert TRANSFORM.validate_python(instance) is instance


def test_user_branch_refuses_a_class_that_is_not_a_user_transform() -> None:
    with pytest.raises(ValidationError) as caught:
        TRANSFORM.validate_python({"type": dotted_name(Resize)})
    assert caught.value.errors()[0]["type"] == "user-type-base"


# --- documentation ---------------------------------------------------------------------------------

_UNDOCUMENTED = """
import json
from pydantic import TypeAdapter
from typedseg.config.datasets import DatasetConfig
schema = TypeAdapter(DatasetConfig).json_schema()
print(json.dumps([
    f"{name}.{field}"
    for name, model in schema["$defs"].items()
    for field, prop in model.get("properties", {}).items()
    if field != "type" and not prop.get("description")
]))
"""


def test_every_class_and_field_is_documented() -> None:
    # Descriptions come from attribute docstrings, extracted only with TYPEDSEG_FIELD_DOCS=1 (a fresh process).
    # DatasetConfig holds pipelines, so its schema covers every transform too.
    env = {**os.environ, "TYPEDSEG_FIELD_DOCS": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _UNDOCUMENTED], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == []
    for type_ in TRANSFORM_TYPES:
        required, _ = DEFAULTS[type_]
        cls = type(TRANSFORM.validate_json(json.dumps({"type": type_, **required})))
        assert cls.__doc__ and "\n" not in cls.__doc__.strip(), type_
