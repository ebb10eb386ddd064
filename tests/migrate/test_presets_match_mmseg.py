"""Each preset equals, field by field, the MMSegmentation 1.2.2 `_base_` file it replaces.

The base file is read with `load_mmengine_config` (never executed; helper variables such as `norm_cfg` and
`crop_size` are already substituted). Every key the MMSeg file sets is compared, recursively and lists by index,
with the same key of the preset's `model_dump(mode="json")`; a key MMSeg sets that the preset lacks is a
failure. Keys typedseg does not store (the keys of our models MMSeg leaves to defaults) are not compared.

Spellings that differ only by representation are mapped, and each test lists the paths where a mapping was
needed, so the report is exact:
- tuples are lists (the JSON dump has no tuples): everywhere, not listed;
- `float`: MMSeg writes an int where typedseg stores a float (`pad_val=0` is 0.0): compared by value;
- `scope`: a registry-scoped type (`mmpretrain.ConvNeXt`) is typedseg's plain type (`ConvNeXt`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from typedseg.config.models.segmentor import EncoderDecoder
from typedseg.migrate.mmengine_config import load_mmengine_config
from typedseg.presets import (
    MIT_CHECKPOINTS,
    DatasetSections,
    ade20k,
    cityscapes,
    cityscapes_769x769,
    deeplabv3_r50_d8,
    deeplabv3plus_r50_d8,
    fcn_r50_d8,
    fcn_unet_s5_d16,
    pascal_voc12,
    segformer_mit_b0,
    segformer_mit_b1,
    segformer_mit_b2,
    upernet_convnext,
)

SCOPED_TYPES = {"mmpretrain.ConvNeXt": "ConvNeXt"}
"""Registry-scoped type names MMSeg's configs use -> typedseg's type."""

Key = tuple[str | int, ...]


def dump(value: Any) -> Any:
    """A preset's value as plain JSON data: models dumped, sequences as lists."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [dump(item) for item in value]
    return value


class Comparison:
    """The differences between an MMSeg value and ours, and the paths where a spelling was mapped."""

    def __init__(self) -> None:
        self.differences: dict[Key, tuple[Any, Any]] = {}
        self.mapped: dict[Key, str] = {}

    def compare(self, mmseg: Any, ours: Any, path: Key = ()) -> None:
        if isinstance(mmseg, Mapping):
            if not isinstance(ours, Mapping):
                self.differences[path] = (mmseg, ours)
                return
            for key, value in mmseg.items():
                if key not in ours:
                    self.differences[(*path, key)] = (value, "<missing>")
                else:
                    self.compare(value, ours[key], (*path, key))
        elif isinstance(mmseg, (list, tuple)):
            if not isinstance(ours, (list, tuple)) or len(ours) != len(mmseg):
                self.differences[path] = (mmseg, ours)
                return
            for index, (theirs, mine) in enumerate(zip(mmseg, ours, strict=True)):
                self.compare(theirs, mine, (*path, index))
        elif path[-1:] == ("type",) and mmseg in SCOPED_TYPES:
            self.mapped[path] = "scope"
            if SCOPED_TYPES[mmseg] != ours:
                self.differences[path] = (mmseg, ours)
        elif isinstance(mmseg, bool) or isinstance(ours, bool):
            if type(mmseg) is not type(ours) or mmseg != ours:
                self.differences[path] = (mmseg, ours)
        elif isinstance(mmseg, int) and isinstance(ours, float):
            self.mapped[path] = "float"
            if mmseg != ours:
                self.differences[path] = (mmseg, ours)
        elif type(mmseg) is not type(ours) or mmseg != ours:
            self.differences[path] = (mmseg, ours)


def compare(mmseg: Any, ours: Any, path: Key = ()) -> Comparison:
    comparison = Comparison()
    comparison.compare(mmseg, ours, path)
    return comparison


PREPROCESSOR_FLOATS = {
    ("model", "data_preprocessor", "pad_val"): "float",
    ("model", "data_preprocessor", "seg_pad_val"): "float",
}
"""MMSeg's bases write pad_val=0, seg_pad_val=255; typedseg stores floats (SegDataPreProcessor's own types)."""


def model_comparison(configs: Path, base: str, model: EncoderDecoder, helpers: set[str]) -> Comparison:
    """Compare `model` with the `model` of `base`; every other top-level key must be one of `helpers`."""
    data = load_mmengine_config(configs / base).data
    assert set(data) - {"model"} == helpers
    return compare(data["model"], dump(model), ("model",))


MODEL_HELPERS = {"norm_cfg", "data_preprocessor"}
"""Helper variables of the r50/segformer/unet model bases, substituted into `model` by the reader."""


@pytest.mark.parametrize(
    ("base", "preset"),
    [
        ("_base_/models/fcn_r50-d8.py", fcn_r50_d8),
        ("_base_/models/deeplabv3_r50-d8.py", deeplabv3_r50_d8),
        ("_base_/models/deeplabv3plus_r50-d8.py", deeplabv3plus_r50_d8),
        ("_base_/models/segformer_mit-b0.py", segformer_mit_b0),
        ("_base_/models/fcn_unet_s5-d16.py", fcn_unet_s5_d16),
    ],
)
def test_model_preset_equals_its_base(
    mmseg_configs: Path, base: str, preset: Callable[[], EncoderDecoder]
) -> None:
    result = model_comparison(mmseg_configs, base, preset(), MODEL_HELPERS)
    assert result.differences == {}
    assert result.mapped == PREPROCESSOR_FLOATS


def test_upernet_convnext_equals_its_base_but_the_auxiliary_channels(mmseg_configs: Path) -> None:
    # checkpoint_file is substituted into the backbone's init_cfg; custom_imports has no counterpart: typedseg has
    # no registries, and `mmpretrain.ConvNeXt` is our ConvNeXt (the scope mapping below).
    result = model_comparison(
        mmseg_configs,
        "_base_/models/upernet_convnext.py",
        upernet_convnext(),
        {"norm_cfg", "data_preprocessor", "checkpoint_file", "custom_imports"},
    )
    # The one allowed difference: MMSeg's base gives the auxiliary head 384 input channels (ConvNeXt-tiny's third
    # stage) under arch='base', whose third stage has 512; typedseg refuses that (in-channels-mismatch) and every
    # MMSeg leaf overrides it (base 512, large 768, xlarge 1024).
    assert result.differences == {("model", "auxiliary_head", "in_channels"): (384, 512)}
    assert result.mapped == {**PREPROCESSOR_FLOATS, ("model", "backbone", "type"): "scope"}


@pytest.mark.parametrize(
    ("leaf", "preset", "variant"),
    [
        ("segformer/segformer_mit-b1_8xb2-160k_ade20k-512x512.py", segformer_mit_b1, "b1"),
        ("segformer/segformer_mit-b2_8xb2-160k_ade20k-512x512.py", segformer_mit_b2, "b2"),
    ],
)
def test_segformer_b1_b2_equal_the_model_of_their_mmseg_configs(
    mmseg_configs: Path, leaf: str, preset: Callable[..., EncoderDecoder], variant: str
) -> None:
    # MMSeg has no `_base_` file for MiT-b1/b2: its configs widen the b0 base. Compare with their whole model.
    data = load_mmengine_config(mmseg_configs / leaf).data
    model = preset(150, checkpoint=MIT_CHECKPOINTS[variant], crop_size=(512, 512))  # type: ignore[index]
    result = compare(data["model"], dump(model), ("model",))
    assert result.differences == {}
    assert result.mapped == PREPROCESSOR_FLOATS


DATASET_HELPERS = {"dataset_type", "data_root", "crop_size", "img_ratios"}
"""Helper variables of the dataset bases: substituted into the dataloaders and tta_pipeline by the reader."""


@pytest.mark.parametrize(
    ("base", "preset"),
    [
        ("_base_/datasets/ade20k.py", ade20k),
        ("_base_/datasets/cityscapes.py", cityscapes),
        ("_base_/datasets/cityscapes_769x769.py", cityscapes_769x769),
        ("_base_/datasets/pascal_voc12.py", pascal_voc12),
    ],
)
def test_dataset_preset_equals_its_base(
    mmseg_configs: Path, base: str, preset: Callable[[], DatasetSections]
) -> None:
    data = load_mmengine_config(mmseg_configs / base).data
    sections = preset()
    ours = {name: dump(getattr(sections, name)) for name in vars(sections)}
    assert set(data) - set(ours) == DATASET_HELPERS
    result = compare({key: value for key, value in data.items() if key in ours}, ours)
    assert result.differences == {}
    assert result.mapped == {}
    assert set(ours) <= set(data)  # the preset adds no section of its own
