"""SegVisualizationHook (MMSegmentation 1.2.2's): every `interval`-th validation/test batch, each prediction drawn
over its image (ground truth beside it when the sample has one) and sent to the visualizer's backends.

MMSeg's names and steps: the drawing of `<img_path>` in mode `val`/`test` is `<mode>_<basename(img_path)>` at
step `runner.iter`; a LocalVisBackend writes it to `<log_dir>/vis_data/vis_image/<name>_<step>.png`, a
TensorboardVisBackend adds it as an image to the run's event file (the LoggerHook's writers are reused, so one run
has one event file). With `show=True` the drawings are shown in a window (matplotlib) instead of being stored.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from typedseg.config.hooks import SegVisualizationHook as SegVisualizationHookConfig
from typedseg.config.runtime import LocalVisBackend, SegLocalVisualizer
from typedseg.engine.errors import RunError
from typedseg.engine.hooks.base import Hook
from typedseg.engine.logs import ScalarWriters
from typedseg.engine.state import RunState

log = logging.getLogger("typedseg")


def check_backend_args(backend_args: dict[str, Any] | None) -> None:
    """Images are read from local files only (typedseg never fetches remote data)."""
    backend = (backend_args or {}).get("backend", "local")
    if backend != "local":
        raise RunError(
            "file-backend-unsupported",
            f"SegVisualizationHook(backend_args={backend_args!r}): typedseg reads images from local files only.",
            "Leave backend_args out (or use backend='local') and put the images on a local disk.",
        )


class SegVisualizationHook(Hook):
    """Draws val/test predictions every `interval` batches (MMSeg's `every_n_inner_iters`: batch_idx + 1)."""

    priority = 50

    def __init__(self, cfg: SegVisualizationHookConfig) -> None:
        check_backend_args(cfg.backend_args)
        self.interval = cfg.interval
        self.show = cfg.show
        self.wait_time = cfg.wait_time
        self._pyplot: Any = None
        if self.show:
            try:
                from matplotlib import pyplot  # type: ignore[import-not-found]
            except ImportError:
                raise RunError(
                    "visualization-unavailable",
                    "SegVisualizationHook(show=True) shows drawings in a window, which needs matplotlib, and "
                    "it is not installed.",
                    "pip install matplotlib, or set show=False to store the drawings under the work_dir.",
                ) from None
            self._pyplot = pyplot
        self._visualizer: Any = None
        self._own_writers: ScalarWriters | None = None

    def _drawer(self, state: RunState) -> Any:
        if self._visualizer is None:
            from typedseg.visualization import build_visualizer

            cfg = state.experiment.visualizer
            seg_cfg = cfg if isinstance(cfg, SegLocalVisualizer) else SegLocalVisualizer()
            self._visualizer = build_visualizer(seg_cfg, state.dataset_meta)
        return self._visualizer

    def _writers(self, state: RunState) -> ScalarWriters:
        """The LoggerHook's writers; without a LoggerHook, this hook's own (the visualizer's backends)."""
        if state.writers is not None:
            writers: ScalarWriters = state.writers
            return writers
        if self._own_writers is None:
            from pathlib import Path

            cfg = state.experiment.visualizer
            root = Path(cfg.save_dir) if cfg is not None and cfg.save_dir else state.log_dir
            backends = tuple(cfg.vis_backends or ()) if cfg is not None else ()
            self._own_writers = ScalarWriters(root / "vis_data", backends or (LocalVisBackend(),))
        return self._own_writers

    def _after_iter(self, state: RunState) -> None:
        if (state.batch_idx + 1) % self.interval != 0 or not state.outputs:
            return
        from pathlib import Path

        from typedseg.datasets.image_io import IMAGE_ERRORS, read_image, why_unreadable

        drawer = self._drawer(state)
        for sample in state.outputs:
            img_path = sample.metainfo.get("img_path")
            if img_path is None:
                log.warning("SegVisualizationHook: a %s sample has no img_path; not drawn.", state.mode)
                continue
            try:
                image_rgb = np.ascontiguousarray(read_image(img_path)[:, :, ::-1])
            except IMAGE_ERRORS as exc:
                raise RunError(
                    "image-unreadable",
                    f"SegVisualizationHook: cannot read the image {img_path}: {why_unreadable(exc)}.",
                    "Replace the file, or set draw=False.",
                ) from None
            drawn = drawer.draw(image_rgb, sample)
            name = f"{state.mode}_{Path(img_path).name}"
            if self.show:
                self._show(name, drawn)
            else:
                self._writers(state).add_image(name, drawn, state.iter)

    after_val_iter = _after_iter
    after_test_iter = _after_iter

    def _show(self, name: str, drawn: np.ndarray) -> None:
        pyplot = self._pyplot
        pyplot.figure(name)
        pyplot.clf()
        pyplot.imshow(drawn)
        pyplot.axis("off")
        if self.wait_time > 0:
            pyplot.pause(self.wait_time)
        else:
            pyplot.show()

    def after_run(self, state: RunState) -> None:
        if self._own_writers is not None:
            self._own_writers.close()
            self._own_writers = None
