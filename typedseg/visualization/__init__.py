"""Visualization: segmentation overlays (MMSeg's SegLocalVisualizer drawing) and palette label PNGs, written for the
SegVisualizationHook and `typedseg predict`."""

from typedseg.visualization.seg_visualizer import (
    SegLocalVisualizer,
    build_visualizer,
    color_mask,
    overlay,
    write_label_png,
    write_overlay_png,
)

__all__ = [
    "SegLocalVisualizer",
    "build_visualizer",
    "color_mask",
    "overlay",
    "write_label_png",
    "write_overlay_png",
]
