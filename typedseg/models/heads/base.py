"""MMSegmentation's BaseDecodeHead: input selection, the classifier `conv_seg`, losses with accuracy, and the
resize of logits to the input size at inference."""

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from typedseg.config.models.heads._base import _DecodeHead
from typedseg.models.heads.sampler import OHEMSampler
from typedseg.models.init import BaseModule
from typedseg.models.layers import resize
from typedseg.models.losses import accuracy, build_loss
from typedseg.structures import SegDataSample


class DecodeHead(BaseModule):
    """What every decode head shares; subclasses define `forward(inputs) -> logits`."""

    def __init__(self, cfg: _DecodeHead) -> None:
        super().__init__()
        self.set_init_cfg(cfg.init_cfg)
        self.input_transform = cfg.transform()
        self.in_index: int | tuple[int, ...] = (
            cfg.in_index if isinstance(cfg.in_index, int) else tuple(cfg.in_index)
        )
        channels = cfg.input_channels()
        self.in_channels: int | tuple[int, ...] = (
            sum(channels)
            if self.input_transform == "resize_concat"
            else (channels if self.input_transform == "multiple_select" else channels[0])
        )
        self.channels = cfg.channels
        self.num_classes = cfg.num_classes
        self.out_channels = cfg.classes_out()
        self.threshold = (
            cfg.threshold if cfg.threshold is not None else (0.3 if self.out_channels == 1 else None)
        )
        self.conv_cfg = cfg.conv_cfg
        self.norm_cfg = cfg.norm_cfg
        self.act_cfg = cfg.act_cfg
        self.ignore_index = cfg.ignore_index
        self.align_corners = cfg.align_corners
        losses = [build_loss(loss) for _, loss in cfg.losses()]
        self.loss_decode: nn.Module = (
            nn.ModuleList(losses) if isinstance(cfg.loss_decode, Sequence) else losses[0]
        )
        self.sampler = None if cfg.sampler is None else OHEMSampler(cfg.sampler, self)
        self.conv_seg = nn.Conv2d(cfg.channels, self.out_channels, kernel_size=1)
        self.dropout = nn.Dropout2d(cfg.dropout_ratio) if cfg.dropout_ratio > 0 else None

    def transform_inputs(self, inputs: Sequence[Tensor]) -> Any:
        """The selected map, the selected maps concatenated (resized to the first), or the list of them."""
        if self.input_transform == "resize_concat":
            assert isinstance(self.in_index, tuple)
            chosen = [inputs[i] for i in self.in_index]
            return torch.cat(
                [
                    resize(x, chosen[0].shape[2:], mode="bilinear", align_corners=self.align_corners)
                    for x in chosen
                ],
                dim=1,
            )
        if self.input_transform == "multiple_select":
            assert isinstance(self.in_index, tuple)
            return [inputs[i] for i in self.in_index]
        assert isinstance(self.in_index, int)
        return inputs[self.in_index]

    def cls_seg(self, feat: Tensor) -> Tensor:
        """Dropout, then the 1x1 classifier."""
        if self.dropout is not None:
            feat = self.dropout(feat)
        return self.conv_seg(feat)  # type: ignore[no-any-return]

    def loss(self, inputs: Sequence[Tensor], data_samples: Sequence[SegDataSample]) -> dict[str, Tensor]:
        """The head's losses (summed per loss_name) and `acc_seg` for a batch with gt_sem_seg."""
        return self.loss_by_feat(self(inputs), data_samples)

    def loss_by_feat(self, seg_logits: Tensor, data_samples: Sequence[SegDataSample]) -> dict[str, Tensor]:
        labels = [s.gt_sem_seg for s in data_samples]
        if any(label is None for label in labels):
            raise ValueError("computing the loss needs every data sample's gt_sem_seg")
        seg_label = torch.stack([label for label in labels if label is not None], dim=0)
        seg_logits = resize(
            seg_logits, seg_label.shape[2:], mode="bilinear", align_corners=self.align_corners
        )
        seg_weight = None if self.sampler is None else self.sampler.sample(seg_logits, seg_label)
        seg_label = seg_label.squeeze(1).long()
        ignore = -100 if self.ignore_index is None else self.ignore_index
        losses: dict[str, Tensor] = {}
        modules = (
            list(self.loss_decode) if isinstance(self.loss_decode, nn.ModuleList) else [self.loss_decode]
        )
        for module in modules:
            name = str(getattr(module, "loss_name", "loss"))
            value = module(seg_logits, seg_label, weight=seg_weight, ignore_index=ignore)
            losses[name] = value if name not in losses else losses[name] + value
        losses["acc_seg"] = accuracy(seg_logits, seg_label, ignore_index=self.ignore_index)
        return losses

    def predict(self, inputs: Sequence[Tensor], batch_img_metas: Sequence[dict[str, Any]]) -> Tensor:
        """Logits resized to the (padded) input size, as MMSeg's predict_by_feat."""
        return self.predict_by_feat(self(inputs), batch_img_metas)

    def predict_by_feat(self, seg_logits: Tensor, batch_img_metas: Sequence[dict[str, Any]]) -> Tensor:
        meta = batch_img_metas[0]
        if isinstance(meta["img_shape"], torch.Size):  # a slide-inference crop
            size = meta["img_shape"]
        elif meta.get("pad_shape") is not None:
            size = meta["pad_shape"][:2]
        else:
            size = meta["img_shape"]
        return resize(seg_logits, size, mode="bilinear", align_corners=self.align_corners)
