"""Real-size models compute MMSegmentation 1.2.2's logits: weights drawn from NumPy's frozen RandomState stream
in state_dict order (the same names and order as MMSegmentation's), so the fixture stores only the logits."""

from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from tests.models.oracle import assert_logits_close, load_fixture
from typedseg.config.models.common import BN
from typedseg.models import build_model
from typedseg.presets.models import deeplabv3plus_r50_d8, segformer_mit_b0

LOGITS = load_fixture("real_logits")


def fill_from_random_state(model: nn.Module, seed: int) -> None:
    """scripts/oracle/models_fixtures.py's fill_from_random_state, for typedseg's model."""
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            shape = tuple(tensor.shape)
            if name.endswith("running_var"):
                values = rng.uniform(0.5, 1.5, shape)
            elif tensor.ndim >= 2:
                values = rng.standard_normal(shape) / np.sqrt(int(np.prod(shape[1:])))
            elif name.endswith("weight") or name.endswith("gamma"):
                values = 1.0 + 0.1 * rng.standard_normal(shape)
            else:
                values = 0.1 * rng.standard_normal(shape)
            tensor.copy_(torch.from_numpy(np.asarray(values, dtype=np.float32).reshape(shape)))


@pytest.mark.parametrize(
    ("name", "preset", "size"),
    [
        ("segformer_mit_b0", lambda: segformer_mit_b0(num_classes=19, norm_cfg=BN()), 64),
        (
            "deeplabv3plus_r50_d8",
            lambda: deeplabv3plus_r50_d8(num_classes=19, norm_cfg=BN(), pretrained=None),
            32,
        ),
    ],
)
def test_real_size_logits_match_mmseg(name: str, preset: Any, size: int) -> None:
    model = build_model(preset(), init_weights=False)
    fill_from_random_state(model, 7)
    model.eval()
    inputs = torch.from_numpy(np.random.RandomState(8).standard_normal((1, 3, size, size)).astype(np.float32))
    with torch.no_grad():
        assert_logits_close(model(inputs, mode="tensor"), LOGITS[name])
