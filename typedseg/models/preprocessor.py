"""MMSegmentation's SegDataPreProcessor: moves a batch to the model's device, reverses BGR/RGB, normalizes and
pads it into one NCHW tensor (labels padded with seg_pad_val), recording the padding in each sample's metainfo."""

from collections.abc import Sequence

import torch
import torch.nn.functional as F  # noqa: N812
from torch import Tensor, nn

from typedseg.config.models.segmentor import SegDataPreProcessor as SegDataPreProcessorConfig
from typedseg.structures import ModelInputs, SegBatch, SegDataSample


def stack_batch(
    inputs: Sequence[Tensor],
    data_samples: Sequence[SegDataSample] | None,
    *,
    size: tuple[int, int] | None,
    size_divisor: int | None,
    pad_val: float,
    seg_pad_val: float,
) -> tuple[Tensor, list[dict[str, object]]]:
    """MMSeg's stack_batch: pad each CHW image at the right and bottom to `size`, or to the batch's largest size
    rounded up to a multiple of `size_divisor`; pad labels alike. Returns the batch and each image's pad facts."""
    if (size is None) == (size_divisor is None):
        raise ValueError("stack_batch pads to exactly one of size and size_divisor")
    heights = [int(t.shape[-2]) for t in inputs]
    widths = [int(t.shape[-1]) for t in inputs]
    max_h, max_w = max(heights), max(widths)
    if size_divisor is not None and size_divisor > 1:
        max_h = (max_h + size_divisor - 1) // size_divisor * size_divisor
        max_w = (max_w + size_divisor - 1) // size_divisor * size_divisor
    padded: list[Tensor] = []
    facts: list[dict[str, object]] = []
    for i, tensor in enumerate(inputs):
        target_h, target_w = size if size is not None else (max_h, max_w)
        padding = (0, max(target_w - tensor.shape[-1], 0), 0, max(target_h - tensor.shape[-2], 0))
        image = F.pad(tensor, padding, value=pad_val)
        padded.append(image)
        if data_samples is not None:
            sample = data_samples[i]
            pad_shape: tuple[int, ...] | None = None
            if sample.gt_sem_seg is not None:
                sample.gt_sem_seg = F.pad(sample.gt_sem_seg, padding, value=seg_pad_val)
                pad_shape = tuple(sample.gt_sem_seg.shape[-2:])
            info: dict[str, object] = {
                "img_shape": tuple(tensor.shape[-2:]),
                "pad_shape": pad_shape,
                "padding_size": padding,
            }
        else:
            info = {"img_padding_size": padding, "pad_shape": tuple(image.shape[-2:])}
        facts.append(info)
    return torch.stack(padded, dim=0), facts


class SegDataPreProcessor(nn.Module):
    """Batches a dataloader's SegBatch for the model, as MMSegmentation's SegDataPreProcessor."""

    mean: Tensor
    std: Tensor
    _device: Tensor

    def __init__(self, cfg: SegDataPreProcessorConfig | None) -> None:
        super().__init__()
        cfg = cfg if cfg is not None else SegDataPreProcessorConfig()
        self.size = cfg.size
        self.size_divisor = cfg.size_divisor
        self.pad_val = cfg.pad_val
        self.seg_pad_val = cfg.seg_pad_val
        self.channel_conversion = cfg.bgr_to_rgb or cfg.rgb_to_bgr
        self.test_size = None if cfg.test_cfg is None else cfg.test_cfg.size
        self.test_size_divisor = None if cfg.test_cfg is None else cfg.test_cfg.size_divisor
        self.normalize = cfg.mean is not None
        self.register_buffer("_device", torch.zeros(0), persistent=False)
        if cfg.mean is not None:
            std = cfg.std if cfg.std is not None else [1.0] * len(cfg.mean)
            self.register_buffer("mean", torch.tensor(cfg.mean).view(-1, 1, 1), persistent=False)
            self.register_buffer("std", torch.tensor(std).view(-1, 1, 1), persistent=False)

    @property
    def device(self) -> torch.device:
        return self._device.device

    def forward(self, batch: SegBatch, training: bool = False) -> ModelInputs:
        device = self.device
        inputs = [image.to(device, non_blocking=True) for image in batch["inputs"]]
        samples = [sample.to(device) for sample in batch["data_samples"]]
        if self.channel_conversion and inputs[0].size(0) == 3:
            inputs = [image[[2, 1, 0], ...] for image in inputs]
        floats = [image.float() for image in inputs]
        if self.normalize:
            floats = [(image - self.mean) / self.std for image in floats]
        if training:
            stacked, facts = stack_batch(
                floats,
                samples,
                size=self.size,
                size_divisor=self.size_divisor,
                pad_val=self.pad_val,
                seg_pad_val=self.seg_pad_val,
            )
            for sample, info in zip(samples, facts, strict=True):
                sample.metainfo.update(info)
            return ModelInputs(inputs=stacked, data_samples=samples)
        size = floats[0].shape[1:]
        if any(image.shape[1:] != size for image in floats):
            raise ValueError(
                "the images of a test batch have different sizes "
                f"({[tuple(image.shape[1:]) for image in floats]}); MMSegmentation stacks them unpadded. Use "
                "batch_size=1, or set data_preprocessor.test_cfg to pad them."
            )
        if self.test_size is not None or self.test_size_divisor is not None:
            stacked, facts = stack_batch(
                floats,
                None,
                size=self.test_size,
                size_divisor=self.test_size_divisor,
                pad_val=self.pad_val,
                seg_pad_val=self.seg_pad_val,
            )
            for sample, info in zip(samples, facts, strict=True):
                sample.metainfo.update(info)
            return ModelInputs(inputs=stacked, data_samples=samples)
        return ModelInputs(inputs=torch.stack(floats, dim=0), data_samples=samples)
