"""Decode-head losses with MMSegmentation's numbers: CrossEntropyLoss (softmax or sigmoid), DiceLoss, and the
pixel accuracy logged beside them (`acc_seg`)."""

import json
from collections.abc import Sequence
from pathlib import Path
from typing import assert_never

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from typedseg.config.models.losses import CrossEntropyLoss, DiceLoss, UserLoss
from typedseg.models.user import user_module
from typedseg.problems import ConfigError, Problem

_EPS = float(torch.finfo(torch.float32).eps)


def _weight_reduce(
    loss: Tensor, weight: Tensor | None, reduction: str, avg_factor: float | Tensor | None
) -> Tensor:
    """MMSeg's weight_reduce_loss."""
    if weight is not None:
        loss = loss * weight
    if avg_factor is None:
        if reduction == "mean":
            return loss.mean()
        if reduction == "sum":
            return loss.sum()
        return loss
    if reduction == "mean":
        return loss.sum() / (avg_factor + _EPS)
    if reduction == "none":
        return loss
    raise ValueError('avg_factor can not be used with reduction="sum"')


def read_class_weight(value: Sequence[float] | str | None) -> list[float] | None:
    """class_weight inline, or read from a .npy or .json/.yaml file (pickles are refused: they run code)."""
    if value is None:
        return None
    if not isinstance(value, str):
        return [float(v) for v in value]
    path = Path(value)
    if path.suffix == ".npy":
        return [float(v) for v in np.load(path, allow_pickle=False).reshape(-1)]
    if path.suffix == ".json":
        return [float(v) for v in json.loads(path.read_text())]
    if path.suffix in (".yaml", ".yml"):
        import yaml

        return [float(v) for v in yaml.safe_load(path.read_text())]
    raise ConfigError(
        [
            Problem(
                "class-weight-file",
                ("class_weight",),
                f"class_weight file '{value}' is a pickle; typedseg does not unpickle files (it can run code).",
                "Save the weights as .npy, .json or .yaml.",
            )
        ]
    )


class CrossEntropy(nn.Module):
    """MMSeg's CrossEntropyLoss: softmax cross-entropy over classes, or binary cross-entropy per channel."""

    def __init__(self, cfg: CrossEntropyLoss) -> None:
        super().__init__()
        self.use_sigmoid = cfg.use_sigmoid
        self.reduction = cfg.reduction
        self.loss_weight = cfg.loss_weight
        self.class_weight = read_class_weight(cfg.class_weight)
        self.avg_non_ignore = cfg.avg_non_ignore
        self.loss_name = cfg.loss_name

    def forward(
        self,
        logits: Tensor,
        label: Tensor,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction_override: str | None = None,
    ) -> Tensor:
        class_weight = None if self.class_weight is None else logits.new_tensor(self.class_weight)
        reduction = reduction_override or self.reduction
        if self.use_sigmoid:
            loss = self._binary(logits, label, weight, class_weight, ignore_index, reduction)
        else:
            loss = self._softmax(logits, label, weight, class_weight, ignore_index, reduction)
        return self.loss_weight * loss

    def _softmax(
        self,
        logits: Tensor,
        label: Tensor,
        weight: Tensor | None,
        class_weight: Tensor | None,
        ignore_index: int,
        reduction: str,
    ) -> Tensor:
        loss = F.cross_entropy(
            logits, label, weight=class_weight, reduction="none", ignore_index=ignore_index
        )
        avg_factor: float | Tensor | None = None
        if reduction == "mean":
            ignored = label == ignore_index
            if class_weight is None:
                avg_factor = float(label.numel() - (int(ignored.sum()) if self.avg_non_ignore else 0))
            else:
                # MMSeg indexes class_weight by every label (an ignored label would be out of range): the
                # ignored pixels' weight is 0 here.
                label_weights = class_weight[label.clamp(0, class_weight.numel() - 1)]
                if self.avg_non_ignore:
                    label_weights = label_weights.masked_fill(ignored, 0.0)
                avg_factor = label_weights.sum()
        return _weight_reduce(loss, None if weight is None else weight.float(), reduction, avg_factor)

    def _binary(
        self,
        logits: Tensor,
        label: Tensor,
        weight: Tensor | None,
        class_weight: Tensor | None,
        ignore_index: int,
        reduction: str,
    ) -> Tensor:
        if logits.size(1) == 1:
            logits = logits.squeeze(1)
        if logits.dim() != label.dim():
            valid = (label >= 0) & (label != ignore_index)
            target = torch.zeros_like(logits, dtype=label.dtype)
            where = torch.nonzero(valid, as_tuple=True)
            if where[0].numel() > 0:
                target[where[0], label[valid], where[1], where[2]] = 1
            valid_mask = valid.unsqueeze(1).expand(logits.shape).float()
            weight = valid_mask if weight is None else weight.unsqueeze(1).expand(logits.shape) * valid_mask
            label = target
        else:
            valid_mask = ((label >= 0) & (label != ignore_index)).float()
            weight = valid_mask if weight is None else weight * valid_mask
        avg_factor = float(valid_mask.sum().item()) if reduction == "mean" and self.avg_non_ignore else None
        loss = F.binary_cross_entropy_with_logits(
            logits, label.float(), pos_weight=class_weight, reduction="none"
        )
        return _weight_reduce(loss, weight, reduction, avg_factor)


class Dice(nn.Module):
    """MMSeg 1.2.2's DiceLoss (V-Net squares, or naive), over one-hot labels with its own ignore_index."""

    def __init__(self, cfg: DiceLoss) -> None:
        super().__init__()
        self.use_sigmoid = cfg.use_sigmoid
        self.activate = cfg.activate
        self.reduction = cfg.reduction
        self.naive_dice = cfg.naive_dice
        self.loss_weight = cfg.loss_weight
        self.ignore_index = cfg.ignore_index
        self.eps = cfg.eps
        self.loss_name = cfg.loss_name

    def forward(
        self,
        logits: Tensor,
        label: Tensor,
        weight: Tensor | None = None,
        ignore_index: int = 255,
        reduction_override: str | None = None,
    ) -> Tensor:
        num_classes = logits.shape[1]
        target = label
        if logits.shape != label.shape:  # labels -> one-hot; out-of-range labels (255) hit no class
            target = F.one_hot(torch.clamp(label, 0, num_classes), num_classes + 1)[..., :num_classes]
            target = target.permute(0, 3, 1, 2)
        pred = logits
        if self.activate:
            if self.use_sigmoid:
                pred = pred.sigmoid()
            elif num_classes != 1:
                pred = pred.softmax(dim=1)
        if self.ignore_index is not None:  # the class channel numbered ignore_index is left out
            keep = torch.arange(num_classes, device=pred.device) != self.ignore_index
            pred, target = pred[:, keep], target[:, keep]
        flat_pred = pred.flatten(1)
        flat_target = target.flatten(1).float()
        a = torch.sum(flat_pred * flat_target, 1)
        if self.naive_dice:
            d = (2 * a + self.eps) / (torch.sum(flat_pred, 1) + torch.sum(flat_target, 1) + self.eps)
        else:
            b = torch.sum(flat_pred * flat_pred, 1) + self.eps
            c = torch.sum(flat_target * flat_target, 1) + self.eps
            d = (2 * a) / (b + c)
        per_sample_weight = weight if weight is not None and weight.ndim == 1 else None
        reduction = reduction_override or self.reduction
        return self.loss_weight * _weight_reduce(1 - d, per_sample_weight, reduction, None)


SegLoss = CrossEntropy | Dice | nn.Module


def build_loss(cfg: CrossEntropyLoss | DiceLoss | UserLoss) -> nn.Module:
    """The loss module of one `loss_decode` entry."""
    match cfg:
        case CrossEntropyLoss():
            return CrossEntropy(cfg)
        case DiceLoss():
            return Dice(cfg)
        case UserLoss():
            return user_module(cfg)
        case _:
            assert_never(cfg)


def accuracy(pred: Tensor, target: Tensor, ignore_index: int | None = None) -> Tensor:
    """MMSeg's top-1 `accuracy` in percent, over the pixels that are not ignore_index."""
    label = pred.max(
        dim=1
    ).indices  # argmax's first-maximum index; on the CPU, argmax over dim 1 is ~3x slower
    correct = label == target
    if ignore_index is not None:
        correct = correct[target != ignore_index]
        total = target[target != ignore_index].numel() + _EPS
    else:
        total = target.numel() + _EPS
    hits = correct.reshape(-1).float().sum(0, keepdim=True) + _EPS
    return hits.mul_(100.0 / total)
