"""SegDataPreProcessor, CrossEntropyLoss, DiceLoss and accuracy against MMSegmentation 1.2.2's own outputs."""

from typing import Any

import pytest
import torch

from tests.models.oracle import load_fixture
from typedseg.config.models.heads import FCNHead, OHEMPixelSampler
from typedseg.config.models.losses import CrossEntropyLoss, DiceLoss
from typedseg.config.models.segmentor import PreprocessorTestCfg
from typedseg.config.models.segmentor import SegDataPreProcessor as PreprocessorConfig
from typedseg.models.heads import build_head
from typedseg.models.losses import accuracy, build_loss
from typedseg.models.preprocessor import SegDataPreProcessor
from typedseg.structures import SegBatch, SegDataSample

PRE = load_fixture("preprocessor")
LOSSES = load_fixture("losses")

CONFIGS = {
    "size": PreprocessorConfig(
        mean=[120.0, 110.0, 100.0],
        std=[60.0, 50.0, 40.0],
        bgr_to_rgb=True,
        size=(32, 40),
        pad_val=3,
        seg_pad_val=200,
    ),
    "divisor": PreprocessorConfig(
        mean=[1.0, 2.0, 3.0], std=[2.0, 2.0, 2.0], rgb_to_bgr=True, size_divisor=16
    ),
    "plain": PreprocessorConfig(size=(26, 31)),
}


def _batch(images: list[torch.Tensor], gts: list[torch.Tensor] | None) -> SegBatch:
    samples = [SegDataSample(gt_sem_seg=None if gts is None else gts[i].clone()) for i in range(len(images))]
    return SegBatch(inputs=[image.clone() for image in images], data_samples=samples)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_training_batches_match_mmseg(name: str) -> None:
    out = SegDataPreProcessor(CONFIGS[name])(_batch(PRE["images"], PRE["gts"]), training=True)
    expected: dict[str, Any] = PRE[name]
    torch.testing.assert_close(out["inputs"], expected["inputs"], rtol=0, atol=1e-5)
    gts = torch.stack([s.gt_sem_seg for s in out["data_samples"] if s.gt_sem_seg is not None])
    assert torch.equal(gts, expected["gts"])
    for sample, meta in zip(out["data_samples"], expected["meta"], strict=True):
        assert {k: [int(x) for x in v] for k, v in sample.metainfo.items()} == meta


def test_test_batches_pad_to_divisor_as_mmseg() -> None:
    cfg = PreprocessorConfig(
        mean=[120.0, 110.0, 100.0],
        std=[60.0, 50.0, 40.0],
        bgr_to_rgb=True,
        test_cfg=PreprocessorTestCfg(size_divisor=16),
    )
    expected = PRE["test"]
    out = SegDataPreProcessor(cfg)(_batch(expected["images"], None), training=False)
    torch.testing.assert_close(out["inputs"], expected["inputs"], rtol=0, atol=1e-5)
    for sample, meta in zip(out["data_samples"], expected["meta"], strict=True):
        assert {k: [int(x) for x in v] for k, v in sample.metainfo.items()} == meta


def test_test_batch_of_different_sizes_is_refused() -> None:
    with pytest.raises(ValueError, match="different sizes"):
        SegDataPreProcessor(None)(_batch(PRE["images"], None), training=False)


CE = {
    "plain": CrossEntropyLoss(),
    "non_ignore": CrossEntropyLoss(avg_non_ignore=True),
    "weight": CrossEntropyLoss(class_weight=[0.5, 1.0, 2.0, 0.25], loss_weight=0.7),
    "weight_non_ignore": CrossEntropyLoss(class_weight=[0.5, 1.0, 2.0, 0.25], avg_non_ignore=True),
    "sum": CrossEntropyLoss(reduction="sum", loss_weight=2.0),
    "sigmoid_multi": CrossEntropyLoss(use_sigmoid=True),
    "sigmoid_multi_non_ignore": CrossEntropyLoss(use_sigmoid=True, avg_non_ignore=True),
}


@pytest.mark.parametrize("name", sorted(CE))
def test_cross_entropy_matches_mmseg(name: str) -> None:
    label = LOSSES["label"]
    if name.startswith("weight"):
        label = label.clone()
        label[label == 255] = 1
    value = build_loss(CE[name])(LOSSES["logits"], label, ignore_index=255)
    torch.testing.assert_close(value, LOSSES["results"][f"ce_{name}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("non_ignore", [False, True])
def test_binary_cross_entropy_matches_mmseg(non_ignore: bool) -> None:
    loss = build_loss(CrossEntropyLoss(use_sigmoid=True, avg_non_ignore=non_ignore))
    value = loss(LOSSES["binary_logits"], LOSSES["binary_label"], ignore_index=255)
    key = "ce_binary_non_ignore" if non_ignore else "ce_binary"
    torch.testing.assert_close(value, LOSSES["results"][key], rtol=1e-5, atol=1e-6)


def test_class_weight_ignores_ignored_pixels() -> None:
    """MMSeg 1.2.2 fails (IndexError) on class_weight with ignored pixels; typedseg gives them weight 0."""
    logits, label = LOSSES["logits"], LOSSES["label"]
    weights = torch.tensor([0.5, 1.0, 2.0, 0.25])
    value = build_loss(CrossEntropyLoss(class_weight=[0.5, 1.0, 2.0, 0.25], avg_non_ignore=True))(
        logits, label, ignore_index=255
    )
    valid = label != 255
    per_pixel = torch.nn.functional.cross_entropy(
        logits, label, weight=weights, reduction="none", ignore_index=255
    )
    expected = per_pixel.sum() / (weights[label[valid]].sum() + torch.finfo(torch.float32).eps)
    torch.testing.assert_close(value, expected)


DICE = {
    "plain": DiceLoss(),
    "softmax": DiceLoss(use_sigmoid=False),
    "naive": DiceLoss(naive_dice=True, eps=1.0),
    "ignore_class": DiceLoss(ignore_index=2, loss_weight=3.0),
    "no_ignore": DiceLoss(ignore_index=None, use_sigmoid=False),
    "sum": DiceLoss(reduction="sum"),
}


@pytest.mark.parametrize("name", sorted(DICE))
def test_dice_matches_mmseg(name: str) -> None:
    value = build_loss(DICE[name])(LOSSES["logits"], LOSSES["label"])
    torch.testing.assert_close(value, LOSSES["results"][f"dice_{name}"], rtol=1e-5, atol=1e-6)


def test_accuracy_matches_mmseg() -> None:
    logits, label = LOSSES["logits"], LOSSES["label"]
    torch.testing.assert_close(accuracy(logits, label, ignore_index=255), LOSSES["results"]["accuracy"])
    clean = label.clone()
    clean[label == 255] = 1
    torch.testing.assert_close(accuracy(logits, clean), LOSSES["results"]["accuracy_all"])


@pytest.mark.parametrize(
    ("name", "sampler"),
    [
        ("ohem_thresh", OHEMPixelSampler(thresh=0.7, min_kept=30)),
        ("ohem_loss", OHEMPixelSampler(min_kept=40)),
    ],
)
def test_ohem_sampled_loss_matches_mmseg(name: str, sampler: OHEMPixelSampler) -> None:
    head = build_head(FCNHead(in_channels=4, channels=4, num_classes=4, sampler=sampler))
    label = LOSSES["label"]
    samples = [SegDataSample(gt_sem_seg=label[i : i + 1].clone()) for i in range(label.shape[0])]
    losses = head.loss_by_feat(LOSSES["logits"], samples)
    torch.testing.assert_close(losses["loss_ce"], LOSSES["results"][name], rtol=1e-5, atol=1e-6)


def test_accuracy_takes_the_first_of_tied_maxima_as_argmax_does() -> None:
    logits = torch.zeros(1, 4, 2, 2)
    logits[0, 1] = 1.0
    logits[0, 3] = 1.0  # tied with class 1 everywhere: argmax (and MMSeg's topk) picks class 1
    label = torch.tensor([[[1, 3], [3, 1]]])
    assert accuracy(logits, label).item() == pytest.approx(50.0)  # the two pixels labelled 1
