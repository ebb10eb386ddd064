"""The data that flows between dataloader, model, metric and hooks: one sample's labels, prediction and facts.

MMSegmentation wraps these in `SegDataSample`/`PixelData`; typedseg keeps the same names on a plain dataclass of
tensors, so a hook or metric reads `sample.pred_sem_seg` with types an editor can follow.
"""

from dataclasses import dataclass, field
from typing import Any, TypedDict

import torch


@dataclass
class SegDataSample:
    """One image's annotation and prediction, with the facts transforms recorded about it (MMSeg's names).

    `metainfo` holds `img_path`, `seg_map_path`, `ori_shape`, `img_shape`, `pad_shape`, `scale_factor`, `flip`,
    `flip_direction`, `reduce_zero_label` as MMSeg's `PackSegInputs` records them.
    """

    metainfo: dict[str, Any] = field(default_factory=dict)
    gt_sem_seg: torch.Tensor | None = None
    """Ground truth, int64 of shape (1, H, W)."""
    pred_sem_seg: torch.Tensor | None = None
    """Predicted labels, int64 of shape (1, H, W) at the original image size."""
    seg_logits: torch.Tensor | None = None
    """Logits of shape (num_classes, H, W) at the original image size (before argmax)."""

    def to(self, device: torch.device | str) -> "SegDataSample":
        """The same sample with its tensors on `device`."""

        def move(t: torch.Tensor | None) -> torch.Tensor | None:
            return None if t is None else t.to(device, non_blocking=True)

        return SegDataSample(
            dict(self.metainfo), move(self.gt_sem_seg), move(self.pred_sem_seg), move(self.seg_logits)
        )


class SegBatch(TypedDict):
    """What a dataloader yields (MMEngine's pseudo_collate): per-sample uint8 CHW images and their samples."""

    inputs: list[torch.Tensor]
    data_samples: list[SegDataSample]


class ModelInputs(TypedDict):
    """What the data preprocessor returns: a normalized, padded NCHW float batch and its samples."""

    inputs: torch.Tensor
    data_samples: list[SegDataSample]
