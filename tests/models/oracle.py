"""Comparing a typedseg model with the MMSegmentation fixtures of scripts/oracle/models_fixtures.py."""

import hashlib
import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from typedseg.structures import SegDataSample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "models"


def load_fixture(name: str) -> dict[str, Any]:
    """A fixture file, read as typedseg reads checkpoints: weights_only=True."""
    data: dict[str, Any] = torch.load(FIXTURES / f"{name}.pt", weights_only=True)
    return data


def keys_and_shapes(model: nn.Module) -> list[list[Any]]:
    return [[name, list(t.shape)] for name, t in model.state_dict().items()]


def signature(model: nn.Module) -> str:
    """sha256 of the (name, shape) list, as scripts/oracle/models_fixtures.py computes it for real-size models."""
    return hashlib.sha256(json.dumps(keys_and_shapes(model)).encode()).hexdigest()


def assert_logits_close(actual: Tensor, expected: Tensor) -> None:
    """Within 1e-4 of the largest logit (the issue's tolerance)."""
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    scale = float(expected.abs().max())
    error = float((actual - expected).abs().max())
    assert error <= 1e-4 * scale, f"max error {error:.3g} > 1e-4 x {scale:.3g}"


def check_model(model: nn.Module, fixture: dict[str, Any]) -> None:
    """Keys and shapes, strict loading, "tensor" logits, losses and "predict" outputs against the fixture."""
    if "state_dict" not in fixture:
        assert keys_and_shapes(model) == fixture["keys"]
        return
    weights = fixture["state_dict"]
    assert keys_and_shapes(model) == [[name, list(t.shape)] for name, t in weights.items()]
    model.load_state_dict(weights, strict=True)
    model.eval()
    inputs: Tensor = fixture["inputs"]
    n, _, h, w = inputs.shape
    gt = fixture["labels"].long()
    with torch.no_grad():
        assert_logits_close(model(inputs, None, mode="tensor"), fixture["tensor"])
        losses = model(inputs, [SegDataSample(gt_sem_seg=gt[i]) for i in range(n)], mode="loss")
        assert sorted(losses) == sorted(fixture["loss"])
        for key, expected in fixture["loss"].items():
            torch.testing.assert_close(losses[key].reshape(-1)[0], expected, rtol=1e-4, atol=1e-5, msg=key)
        metas: list[dict[str, Any]] = [
            {
                "ori_shape": (h - 5, w + 7),
                "img_shape": (h - 3, w - 4),
                "pad_shape": (h, w),
                "padding_size": [0, 4, 0, 3],
            }
            for _ in range(n)
        ]
        if n > 1:
            metas[1].update(flip=True, flip_direction="horizontal")
        preds = model(inputs, [SegDataSample(metainfo=m) for m in metas], mode="predict")
        assert_logits_close(torch.stack([p.seg_logits for p in preds]), fixture["predict_logits"])
        labels = torch.stack([p.pred_sem_seg for p in preds])
        assert labels.dtype == torch.int64
        assert float((labels == fixture["predict_labels"].long()).float().mean()) > 0.999
        if "predict_bare_logits" in fixture:
            bare = model(inputs, None, mode="predict")
            assert_logits_close(torch.stack([p.seg_logits for p in bare]), fixture["predict_bare_logits"])
        if "loss_train" in fixture:  # last: training mode updates the running statistics
            model.train()
            losses = model(inputs, [SegDataSample(gt_sem_seg=gt[i]) for i in range(n)], mode="loss")
            for key, expected in fixture["loss_train"].items():
                torch.testing.assert_close(
                    losses[key].reshape(-1)[0], expected, rtol=1e-4, atol=1e-5, msg=key
                )
