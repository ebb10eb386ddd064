"""MMSegmentation's SegTTAModel: run the segmentor on every augmented view of a batch (flips, scales from the
TestTimeAug pipeline) and merge per image by averaging class probabilities (softmax, or sigmoid for one
output channel) at the original size."""

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from typedseg.config.models.segmentor import EncoderDecoder
from typedseg.config.models.segmentor import SegTTAModel as SegTTAModelConfig
from typedseg.models.segmentor import Segmentor
from typedseg.structures import SegBatch, SegDataSample


class SegTTAModel(nn.Module):
    """Wraps a Segmentor (`module`, MMEngine's attribute name, so its state_dict keys are `module.*`)."""

    def __init__(self, module: Segmentor) -> None:
        super().__init__()
        self.module = module

    def test_step(self, data: dict[str, Any] | Sequence[SegBatch]) -> list[SegDataSample]:
        """`data` holds one batch per augmentation: a collated TestTimeAug batch
        ({"inputs": [aug][image], "data_samples": [aug][image]}), or a list of SegBatch, one per augmentation."""
        if isinstance(data, dict):
            batches = [
                SegBatch(inputs=list(data["inputs"][k]), data_samples=list(data["data_samples"][k]))
                for k in range(len(data["inputs"]))
            ]
        else:
            batches = list(data)
        per_aug = []
        for batch in batches:
            prepared = self.module.data_preprocessor(batch, False)
            per_aug.append(self.module.predict(prepared["inputs"], prepared["data_samples"]))
        return self.merge_preds([list(views) for views in zip(*per_aug, strict=True)])

    def merge_preds(self, views_per_image: Sequence[Sequence[SegDataSample]]) -> list[SegDataSample]:
        """Average the probabilities of each image's views; the last view's sample carries the prediction (and the
        first view's gt_sem_seg and img_path), as MMSeg's merge_preds returns it."""
        merged = []
        binary = self.module.out_channels == 1
        for views in views_per_image:
            first, last = views[0], views[-1]
            assert first.seg_logits is not None
            probs = torch.zeros_like(first.seg_logits)
            for view in views:
                assert view.seg_logits is not None
                probs += view.seg_logits.sigmoid() if binary else view.seg_logits.softmax(dim=0)
            probs /= len(views)
            if binary:
                threshold = self.module.decode_head.threshold
                last.pred_sem_seg = (probs > (0.3 if threshold is None else threshold)).long()
            else:
                last.pred_sem_seg = probs.max(dim=0, keepdim=True).indices  # argmax, faster on the CPU
            if first.gt_sem_seg is not None:
                last.gt_sem_seg = first.gt_sem_seg
            if "img_path" in first.metainfo:
                last.metainfo["img_path"] = first.metainfo["img_path"]
            merged.append(last)
        return merged


def build_tta_model(cfg: SegTTAModelConfig, model: Segmentor | None = None) -> SegTTAModel:
    """The TTA wrapper of `model`, or of the segmentor `cfg.module` describes (with `cfg.data_preprocessor` when
    the module has none, as MMEngine fills it in)."""
    if model is None:
        from typedseg.models import build_model

        inner = cfg.module
        if not isinstance(inner, EncoderDecoder):
            raise ValueError("SegTTAModel needs a model: pass the experiment's segmentor, or set module")
        if inner.data_preprocessor is None and cfg.data_preprocessor is not None:
            inner = EncoderDecoder.model_validate({**dict(inner), "data_preprocessor": cfg.data_preprocessor})
        model = build_model(inner)
    return SegTTAModel(model)
