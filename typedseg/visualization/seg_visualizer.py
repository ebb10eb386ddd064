"""Drawing segmentation masks: overlays as MMSeg's SegLocalVisualizer draws them, and palette label PNGs.

The overlay is MMSeg's: each pixel whose label is a known class gets its palette colour, the others stay black,
and the mask is alpha-blended over the RGB image (`uint8(image * (1 - alpha) + mask * alpha)`); with both ground
truth and prediction, the two drawings are side by side (ground truth left). `SegLocalVisualizer.add_datasample`
writes `<save_dir>/vis_image/<name>_<step>.png`, as MMEngine's LocalVisBackend names its images; the engine's
SegVisualizationHook and `typedseg predict` call it (TensorBoard images are the engine's).
"""

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from typedseg.config.runtime import SegLocalVisualizer as SegLocalVisualizerConfig
from typedseg.datasets.image_io import write_png
from typedseg.structures import SegDataSample

Palette = Sequence[Sequence[int]]


def _labels(labels: np.ndarray | torch.Tensor) -> np.ndarray:
    array = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else np.asarray(labels)
    return array.reshape(array.shape[-2:])


def color_mask(labels: np.ndarray | torch.Tensor, palette: Palette) -> np.ndarray:
    """(H, W, 3) uint8: each pixel's class colour; labels outside the palette (ignore, 255) are black."""
    lab = _labels(labels).astype(np.int64)
    table = np.zeros((max(len(palette), 1) + 1, 3), dtype=np.uint8)
    table[: len(palette)] = np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
    index = np.where((lab >= 0) & (lab < len(palette)), lab, len(table) - 1)
    return table[index]


def overlay(
    image_rgb: np.ndarray, labels: np.ndarray | torch.Tensor, palette: Palette, alpha: float = 0.8
) -> np.ndarray:
    """The mask of `labels` blended over `image_rgb` (H, W, 3 uint8) with opacity `alpha` (MMSeg's drawing)."""
    mask = color_mask(labels, palette)
    if mask.shape[:2] != image_rgb.shape[:2]:
        raise ValueError(f"labels of shape {mask.shape[:2]} do not match the image's {image_rgb.shape[:2]}")
    return (image_rgb * (1 - alpha) + mask * alpha).astype(np.uint8)


def write_label_png(path: str | Path, labels: np.ndarray | torch.Tensor, palette: Palette) -> None:
    """`labels` as a palette PNG: the pixel values are the class indices, shown in the class colours."""
    write_png(
        path, _labels(labels).astype(np.uint8), palette=np.asarray(palette, dtype=np.uint8).reshape(-1, 3)
    )


def write_overlay_png(
    path: str | Path,
    image_rgb: np.ndarray,
    labels: np.ndarray | torch.Tensor,
    palette: Palette,
    alpha: float = 0.8,
) -> None:
    """The overlay of `labels` on `image_rgb`, written as an RGB PNG."""
    write_png(path, overlay(image_rgb, labels, palette, alpha))


@dataclass
class SegLocalVisualizer:
    """Draws a sample's ground truth and/or prediction over its image and saves the drawing (MMSeg's names)."""

    classes: tuple[str, ...]
    palette: list[list[int]]
    alpha: float = 0.8
    save_dir: str | None = None

    def draw(
        self, image_rgb: np.ndarray, sample: SegDataSample, *, draw_gt: bool = True, draw_pred: bool = True
    ) -> np.ndarray:
        """The drawing: ground truth and prediction overlays, side by side when both are present and asked for."""
        panels = []
        if draw_gt and sample.gt_sem_seg is not None:
            panels.append(overlay(image_rgb, sample.gt_sem_seg, self.palette, self.alpha))
        if draw_pred and sample.pred_sem_seg is not None:
            panels.append(overlay(image_rgb, sample.pred_sem_seg, self.palette, self.alpha))
        return np.concatenate(panels, axis=1) if panels else image_rgb

    def add_datasample(
        self,
        name: str,
        image_rgb: np.ndarray,
        sample: SegDataSample,
        *,
        draw_gt: bool = True,
        draw_pred: bool = True,
        step: int = 0,
        out_file: str | None = None,
    ) -> np.ndarray:
        """Draw and save to `out_file`, else to `<save_dir>/vis_image/<name>_<step>.png` (when save_dir is set)."""
        drawn = self.draw(image_rgb, sample, draw_gt=draw_gt, draw_pred=draw_pred)
        target = out_file or (
            os.path.join(self.save_dir, "vis_image", f"{name}_{step}.png")
            if self.save_dir is not None
            else None
        )
        if target is not None:
            write_png(target, drawn)
        return drawn


def build_visualizer(
    cfg: SegLocalVisualizerConfig, dataset_meta: dict[str, Any], *, save_dir: str | None = None
) -> SegLocalVisualizer:
    """The visualizer of a SegLocalVisualizer config: its classes and palette, else the dataset's."""
    classes = tuple(cfg.classes) if cfg.classes is not None else tuple(dataset_meta.get("classes", ()))
    palette = (
        [list(c) for c in cfg.palette]
        if cfg.palette is not None
        else [list(c) for c in dataset_meta.get("palette", [])]
    )
    if len(palette) < len(classes):
        from typedseg.datasets.datasets import random_palette

        palette = random_palette(len(classes))
    return SegLocalVisualizer(
        classes, palette, cfg.alpha, cfg.save_dir if cfg.save_dir is not None else save_dir
    )
