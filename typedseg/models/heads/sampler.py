"""MMSegmentation's OHEMPixelSampler: weight 1 for the hardest pixels (low confidence, or the highest losses)."""

from typing import Any

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from typedseg.config.models.heads._base import OHEMPixelSampler


class OHEMSampler:
    """Online hard example mining over the pixels of a batch; `head` is the decode head it weights."""

    def __init__(self, cfg: OHEMPixelSampler, head: Any) -> None:
        self.thresh = cfg.thresh
        self.min_kept = cfg.min_kept
        self.head = head

    def sample(self, seg_logit: Tensor, seg_label: Tensor) -> Tensor:
        """Per-pixel weights (N, H, W): 1 for kept pixels, 0 otherwise."""
        with torch.no_grad():
            label = seg_label.squeeze(1).long()
            batch_kept = self.min_kept * label.size(0)
            ignore = self.head.ignore_index
            valid = label != ignore
            weight = seg_logit.new_zeros(label.size())
            valid_weight = weight[valid]
            if self.thresh is not None:
                prob = F.softmax(seg_logit, dim=1)
                gather_label = label.clone().unsqueeze(1)
                gather_label[gather_label == ignore] = 0
                prob = prob.gather(1, gather_label).squeeze(1)
                sorted_prob, _ = prob[valid].sort()
                min_threshold = (
                    float(sorted_prob[min(batch_kept, sorted_prob.numel() - 1)])
                    if sorted_prob.numel()
                    else 0.0
                )
                valid_weight[prob[valid] < max(min_threshold, self.thresh)] = 1.0
            else:
                decode = self.head.loss_decode
                modules = list(decode) if isinstance(decode, nn.ModuleList) else [decode]
                losses: Tensor | float = 0.0
                for module in modules:
                    losses = losses + module(
                        seg_logit, label, weight=None, ignore_index=ignore, reduction_override="none"
                    )
                assert isinstance(losses, Tensor)
                _, order = losses[valid].sort(descending=True)
                valid_weight[order[:batch_kept]] = 1.0
            weight[valid] = valid_weight
            return weight
