"""SegVisualizationHook (MMSeg 1.2.2's semantics): every `interval`-th val/test batch, each prediction drawn over
its image and stored as `vis_data/vis_image/<mode>_<file>_<iter>.png` and as a TensorBoard image at `iter`.

The quickstart config on a tiny synthetic dataset (real files, real loading), trained 2 iterations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.engine.quickstart_tiny import PALETTE, experiment, write_data
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import SegVisualizationHook
from typedseg.config.replace import replace
from typedseg.config.runtime import (
    LocalVisBackend,
    SegLocalVisualizer,
    TensorboardVisBackend,
    VisBackendConfig,
)
from typedseg.engine.errors import RunError
from typedseg.engine.runner import Runner
from typedseg.visualization import overlay


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data(tmp_path_factory.mktemp("synth"))


def quickstart(data: Path, hook: SegVisualizationHook, backends: list[VisBackendConfig] | None) -> Experiment:
    base = experiment(data)
    visualizer = SegLocalVisualizer(vis_backends=backends) if backends is not None else None
    hooks = replace(base.default_hooks, visualization=hook)
    result: Experiment = replace(base, default_hooks=hooks, visualizer=visualizer)
    return result


def test_val_drawings_as_png_and_tensorboard(data: Path, tmp_path: Path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import (  # type: ignore[import-untyped]
        EventAccumulator,
    )

    experiment = quickstart(
        data,
        SegVisualizationHook(draw=True, interval=1),
        [LocalVisBackend(), TensorboardVisBackend()],
    )
    runner = Runner(experiment, work_dir=tmp_path / "run", progress=False)
    runner.train()
    vis_dir = runner.log_dir / "vis_data"
    names = sorted(p.name for p in (vis_dir / "vis_image").iterdir())
    # Validation after iteration 2, batches of 2 with interval 1: every val image, at step runner.iter == 2.
    assert names == ["val_00000.png_2.png", "val_00001.png_2.png", "val_00002.png_2.png"]
    drawn = np.asarray(Image.open(vis_dir / "vis_image" / "val_00001.png_2.png"))
    image = np.asarray(Image.open(data / "images" / "val" / "00001.png").convert("RGB"))
    label = np.asarray(Image.open(data / "labels" / "val" / "00001.png"))
    h, w = image.shape[:2]
    assert drawn.shape == (h, 2 * w, 3)  # ground truth left, prediction right
    np.testing.assert_array_equal(drawn[:, :w], overlay(image, label, PALETTE, 0.8))

    events = EventAccumulator(str(vis_dir), size_guidance={"images": 0})
    events.Reload()
    assert sorted(events.Tags()["images"]) == ["val_00000.png", "val_00001.png", "val_00002.png"]
    (event,) = events.Images("val_00001.png")
    assert event.step == 2 and (event.width, event.height) == (2 * w, h)
    assert "mIoU" in events.Tags()["scalars"]  # the LoggerHook's writer: one event file for both


def test_interval_counts_batches_and_test_uses_the_iteration(data: Path, tmp_path: Path) -> None:
    experiment = quickstart(data, SegVisualizationHook(draw=True, interval=2), None)
    assert experiment.test_dataloader is not None
    experiment = replace(experiment, test_dataloader=replace(experiment.test_dataloader, batch_size=1))
    runner = Runner(experiment, work_dir=tmp_path / "run", progress=False)
    runner.test()
    names = sorted(p.name for p in (runner.log_dir / "vis_data" / "vis_image").iterdir())
    assert names == ["test_00001.png_0.png"]  # batch 1 of 0..2 ((batch_idx + 1) % 2 == 0), step 0


def test_draw_false_builds_no_hook_and_remote_backend_is_refused(data: Path, tmp_path: Path) -> None:
    runner = Runner(quickstart(data, SegVisualizationHook(), None), work_dir=tmp_path / "a", progress=False)
    runner.test()
    assert not (runner.log_dir / "vis_data" / "vis_image").exists()
    hook = SegVisualizationHook(draw=True, backend_args={"backend": "petrel"})
    with pytest.raises(RunError) as caught:
        Runner(quickstart(data, hook, None), work_dir=tmp_path / "b", progress=False).test()
    assert caught.value.problems[0].code == "file-backend-unsupported"
