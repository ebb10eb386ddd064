"""The six recipes in configs/ build (model, optimizer wrapper, schedulers, hooks, at their own settings) and train
2 iterations, then validate, on synthetic data in their dataset's layout (Cityscapes: 19 classes, leftImg8bit/gtFine;
ADE20K: 150 classes + 'other', JPEG images) with every image size divided by 16, so that the test is fast.

What is changed for the short run (through `--set`, applied before the rules): the data root, image sizes (the
pipeline's scales and crops, the preprocessor's size, slide windows), workers, the run length and the schedulers'
windows (squeezed into the 2 iterations), log and checkpoint intervals; the pretrained-weight files (URLs, not
downloaded) are left out, and the ConvNeXt recipe's float16 AMP runs in bfloat16 on a CPU."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from typedseg.datasets.synthetic import SynthSpec, write_synthetic
from typedseg.engine.runner import Runner
from typedseg.loading import load_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
RECIPES = sorted(p.name for p in CONFIGS.glob("*.py") if p.name != "quickstart.py")
SHRINK = 16


def _cityscapes(root: Path) -> Path:
    synth = root / "synth"
    write_synthetic(synth, SynthSpec(classes=19, train=2, val=1, size=(64, 128), seed=0))
    for split, target in (("train", "train"), ("val", "val")):
        for index, image in enumerate(sorted((synth / "images" / split).iterdir())):
            name = f"city_{index:06d}_000019"
            for folder, suffix, source in (
                ("leftImg8bit", "_leftImg8bit.png", image),
                ("gtFine", "_gtFine_labelTrainIds.png", synth / "labels" / split / image.name),
            ):
                out = root / folder / target / "city" / f"{name}{suffix}"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(source.read_bytes())
    return root


def _ade20k(root: Path) -> Path:
    synth = root / "synth"
    write_synthetic(synth, SynthSpec(classes=151, train=2, val=1, size=(64, 64), seed=0))
    for split, target in (("train", "training"), ("val", "validation")):
        for image in sorted((synth / "images" / split).iterdir()):
            (root / "images" / target).mkdir(parents=True, exist_ok=True)
            (root / "annotations" / target).mkdir(parents=True, exist_ok=True)
            Image.open(image).convert("RGB").save(root / "images" / target / f"{image.stem}.jpg", quality=95)
            label = np.asarray(Image.open(synth / "labels" / split / image.name))
            Image.fromarray(label).save(root / "annotations" / target / image.name)
    return root


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("recipes")
    return {"cityscapes": _cityscapes(root / "cityscapes"), "ade20k": _ade20k(root / "ade20k")}


def _pair(value: Any) -> list[int] | int:
    if isinstance(value, int):
        return max(1, value // SHRINK)
    return [max(1, int(v) // SHRINK) for v in value]


def _common(experiment: Any) -> list[str]:
    """Overrides for every run: no pretrained files, AMP in bfloat16 (CPU)."""
    sets = ["model.pretrained=null", "model.backbone.init_cfg=null"]
    if type(experiment.optim_wrapper).__name__ == "AmpOptimWrapper":
        sets.append("optim_wrapper.dtype=bfloat16")
    return sets


def _short_run(experiment: Any, root: Path) -> list[str]:
    """Overrides that make the recipe a 2-iteration run on the small data under `root`."""
    sets = [
        "train_cfg.max_iters=2",
        "train_cfg.val_interval=2",
        "default_hooks.logger.interval=1",
        "default_hooks.checkpoint.interval=2",
        "train_dataloader.num_workers=0",
        "train_dataloader.persistent_workers=false",
        "val_dataloader.num_workers=0",
        "val_dataloader.persistent_workers=false",
        "test_dataloader=null",
        "test_cfg=null",
        "test_evaluator=null",
    ]
    for loader in ("train_dataloader", "val_dataloader"):
        sets.append(f"{loader}.dataset.data_root={root}")
        for step in getattr(experiment, loader).dataset.pipeline:
            kind = type(step).__name__
            if kind in ("Resize", "RandomResize") and step.scale is not None:
                sets.append(f"{loader}.dataset.pipeline[{kind}].scale={_pair(step.scale)}")
            if kind == "RandomCrop":
                sets.append(f"{loader}.dataset.pipeline[RandomCrop].crop_size={_pair(step.crop_size)}")
    model = experiment.model
    if model.data_preprocessor is not None and model.data_preprocessor.size is not None:
        sets.append(f"model.data_preprocessor.size={_pair(model.data_preprocessor.size)}")
    if model.test_cfg is not None and model.test_cfg.crop_size is not None:
        sets.append(f"model.test_cfg.crop_size={_pair(model.test_cfg.crop_size)}")
        if model.test_cfg.stride is not None:
            sets.append(f"model.test_cfg.stride={_pair(model.test_cfg.stride)}")
    max_iters, schedulers = experiment.train_cfg.max_iters, []
    for (
        scheduler
    ) in experiment.param_scheduler:  # each window squeezed: [0, 1500) -> [0, 1), [1500, end) -> [1, 2)
        fields = scheduler.model_dump(mode="json", exclude_unset=True)
        fields["type"] = scheduler.type
        fields["begin"] = 0 if scheduler.begin == 0 else 1
        fields["end"] = 2 if scheduler.end is None or scheduler.end >= max_iters else 1
        schedulers.append(fields)
    return [*sets, f"param_scheduler={json.dumps(schedulers)}"]


@pytest.mark.parametrize("recipe", RECIPES)
def test_recipe_builds_and_trains_two_iterations(recipe: str, data: dict[str, Path], tmp_path: Path) -> None:
    path = CONFIGS / recipe
    raw = load_config(path).experiment
    full = load_config(path, _common(raw)).experiment
    runner = Runner(full, work_dir=tmp_path / "full", progress=False)
    state, hooks, _, _, _ = runner.build_for_training(dry_run=True)  # the recipe's own sizes and schedule
    assert len(state.schedulers) == len(full.param_scheduler) and state.optim_wrapper is not None
    assert any(stage == "after_train_iter" for stage, _ in hooks.by_stage())
    hooks.call("after_run", state)

    root = data["ade20k" if "ade20k" in recipe else "cityscapes"]
    small = load_config(path, [*_common(raw), *_short_run(raw, root)]).experiment
    runner = Runner(small, work_dir=tmp_path / "small", progress=False)
    runner.train()
    scalars = (runner.log_dir / "vis_data" / "scalars.json").read_text().splitlines()
    assert len(scalars) == 3  # two training lines (loss, lr) and the validation metrics
    assert all(np.isfinite(float(v)) for v in json.loads(scalars[1]).values() if not isinstance(v, str))
    assert "mIoU" in scalars[2]
    assert (runner.work_dir / "iter_2.pth").is_file()
