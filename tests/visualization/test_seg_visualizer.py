"""Overlays as MMSeg's SegLocalVisualizer draws them, and palette label PNGs."""

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from typedseg.config.runtime import SegLocalVisualizer as SegLocalVisualizerConfig
from typedseg.structures import SegDataSample
from typedseg.visualization import build_visualizer, color_mask, overlay, write_label_png

PALETTE = [[255, 0, 0], [0, 100, 200]]


def test_overlay_blends_class_colours_and_blacks_out_unknown_labels() -> None:
    image = np.full((1, 3, 3), 100, dtype=np.uint8)
    labels = torch.tensor([[[0, 1, 255]]])
    drawn = overlay(image, labels, PALETTE, alpha=0.8)
    # MMSeg: uint8(image * (1 - alpha) + mask * alpha), truncated (100 * (1 - 0.8) is 19.999...);
    # labels outside the palette keep a black mask
    assert drawn.tolist() == [[[224, 19, 19], [19, 100, 180], [19, 19, 19]]]
    assert color_mask(labels, PALETTE).tolist() == [[[255, 0, 0], [0, 100, 200], [0, 0, 0]]]


def test_label_png_keeps_indices_and_shows_the_palette(tmp_path: Path) -> None:
    labels = np.array([[0, 1], [1, 0]], dtype=np.uint8)
    write_label_png(tmp_path / "labels.png", labels, PALETTE)
    with Image.open(tmp_path / "labels.png") as image:
        assert image.mode == "P"
        np.testing.assert_array_equal(np.asarray(image), labels)
        assert np.asarray(image.convert("RGB"))[0, 1].tolist() == PALETTE[1]


def test_add_datasample_writes_ground_truth_beside_prediction(tmp_path: Path) -> None:
    visualizer = build_visualizer(
        SegLocalVisualizerConfig(alpha=0.5),
        {"classes": ("a", "b"), "palette": PALETTE},
        save_dir=str(tmp_path),
    )
    sample = SegDataSample(
        gt_sem_seg=torch.zeros(1, 4, 5, dtype=torch.int64),
        pred_sem_seg=torch.ones(1, 4, 5, dtype=torch.int64),
    )
    image = np.zeros((4, 5, 3), dtype=np.uint8)
    drawn = visualizer.add_datasample("val_img", image, sample, step=30)
    assert drawn.shape == (4, 10, 3)
    assert drawn[0, 0].tolist() == [127, 0, 0] and drawn[0, 9].tolist() == [0, 50, 100]
    saved = np.asarray(Image.open(tmp_path / "vis_image" / "val_img_30.png"))
    np.testing.assert_array_equal(saved, drawn)
    only_pred = visualizer.add_datasample("p", image, sample, draw_gt=False, out_file=str(tmp_path / "p.png"))
    assert only_pred.shape == (4, 5, 3) and (tmp_path / "p.png").is_file()
