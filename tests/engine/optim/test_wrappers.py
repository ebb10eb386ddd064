"""OptimWrapper and AmpOptimWrapper: accumulation, clipping and checkpoints, checked against hand computations.

The model is linear in its weights with SGD(lr=1), so each gradient is known in advance and each step moves the
weights by exactly minus the (scaled, clipped) gradient.
"""

import io
import logging
from typing import Any

import pytest
import torch
from torch import nn

from typedseg.config.optim import AmpOptimWrapper as AmpConfig
from typedseg.config.optim import ClipGradNorm, ClipGradValue
from typedseg.config.optim import OptimWrapper as WrapperConfig
from typedseg.config.optimizers import SGD
from typedseg.engine.optim.wrappers import AmpOptimWrapper, OptimWrapper, build_optim_wrapper
from typedseg.problems import ConfigError

XS = [torch.tensor([float(i + 1), float(-2 * i)]) for i in range(8)]


class Linear(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.weight * x).sum()


def sgd_wrapper(model: nn.Module, **kwargs: Any) -> OptimWrapper:
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=1.0), **kwargs)


def run(wrapper: OptimWrapper, model: Linear, iterations: range) -> list[bool]:
    updates = []
    for i in iterations:
        with wrapper.optim_context(model):
            loss = model(XS[i])
        wrapper.update_params(loss)
        updates.append(wrapper.should_update())
    return updates


def test_accumulation_scales_the_loss_and_steps_the_remainder() -> None:
    """acc=3 over 7 iterations: steps after 3, 6 (mean of three) and 7 (the remainder, one micro-batch)."""
    model = Linear()
    wrapper = sgd_wrapper(model, accumulative_counts=3)
    wrapper.initialize_count_status(model, 0, 7)
    updates = run(wrapper, model, range(7))
    assert updates == [False, False, True, False, False, True, True]
    expected = -(sum(XS[0:3], torch.zeros(2)) / 3 + sum(XS[3:6], torch.zeros(2)) / 3 + XS[6])
    torch.testing.assert_close(model.weight.detach(), expected, rtol=0, atol=1e-6)
    assert model.weight.grad is None or not model.weight.grad.any()


def test_accumulation_without_count_status_uses_the_full_factor() -> None:
    model = Linear()
    wrapper = sgd_wrapper(model, accumulative_counts=2)
    run(wrapper, model, range(3))
    torch.testing.assert_close(model.weight.detach(), -(XS[0] + XS[1]) / 2)
    torch.testing.assert_close(model.weight.grad, XS[2] / 2)  # accumulating, not stepped yet


def test_resumed_count_status(caplog: pytest.LogCaptureFixture) -> None:
    """Resumed at 4 of 7 with acc=3: iterations 4, 5 step at 6 (factor 3), iteration 6 steps alone."""
    model = Linear()
    wrapper = sgd_wrapper(model, accumulative_counts=3)
    with caplog.at_level(logging.WARNING, logger="typedseg"):
        wrapper.initialize_count_status(model, 4, 7)
    assert "not a multiple" in caplog.text
    assert run(wrapper, model, range(4, 7)) == [False, True, True]
    torch.testing.assert_close(model.weight.detach(), -((XS[4] + XS[5]) / 3 + XS[6]), rtol=0, atol=1e-6)


def test_should_sync_looks_one_iteration_ahead() -> None:
    wrapper = sgd_wrapper(Linear(), accumulative_counts=2)
    wrapper.initialize_count_status(Linear(), 0, 3)
    syncs = []
    for _ in range(3):
        syncs.append(wrapper.should_sync())
        wrapper._inner_count += 1
    assert syncs == [False, True, True]


class TwoGroups(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.zeros(2))
        self.b = nn.Parameter(torch.zeros(1))

    def forward(self) -> torch.Tensor:
        return (self.a * torch.tensor([3.0, 4.0])).sum() + 12.0 * self.b.sum()


def two_group_wrapper(model: TwoGroups, clip: ClipGradNorm | ClipGradValue) -> OptimWrapper:
    groups: list[dict[str, Any]] = [{"params": [model.a]}, {"params": [model.b], "lr": 0.5}]
    optimizer = torch.optim.SGD(groups, lr=1.0)
    return OptimWrapper(optimizer, clip_grad=clip)


def test_clip_by_norm_over_all_groups_returns_the_norm() -> None:
    model = TwoGroups()
    wrapper = two_group_wrapper(model, ClipGradNorm(max_norm=1.0))
    wrapper.update_params(model())
    norm = wrapper.last_grad_norm
    assert norm is not None and float(norm) == pytest.approx(13.0)  # sqrt(3² + 4² + 12²)
    torch.testing.assert_close(model.a.detach(), -torch.tensor([3.0, 4.0]) / 13)
    torch.testing.assert_close(model.b.detach(), -0.5 * torch.tensor([12.0]) / 13)


def test_clip_by_value() -> None:
    model = TwoGroups()
    wrapper = two_group_wrapper(model, ClipGradValue(clip_value=3.5))
    wrapper.update_params(model())
    assert wrapper.last_grad_norm is None
    torch.testing.assert_close(model.a.detach(), -torch.tensor([3.0, 3.5]))
    torch.testing.assert_close(model.b.detach(), torch.tensor([-1.75]))


def test_get_lr_and_state_dict_round_trip_under_weights_only() -> None:
    model = TwoGroups()
    wrapper = two_group_wrapper(model, ClipGradNorm(max_norm=1.0))
    assert wrapper.get_lr() == {"base_lr": [1.0], "lr": [1.0, 0.5]}
    assert wrapper.get_momentum() == {"momentum": [0.0, 0.0]}
    wrapper.update_params(model())
    assert wrapper.base_param_settings is not None
    wrapper.base_param_settings["lr"] = 0.25  # as a scheduler would
    buffer = io.BytesIO()
    torch.save(wrapper.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    fresh = two_group_wrapper(TwoGroups(), ClipGradNorm(max_norm=1.0))
    fresh.load_state_dict(state)
    assert fresh.get_lr() == {"base_lr": [0.25], "lr": [1.0, 0.5]}


def test_build_from_config() -> None:
    model = TwoGroups()
    cfg = WrapperConfig(
        optimizer=SGD(lr=0.1, momentum=0.9), accumulative_counts=2, clip_grad=ClipGradNorm(max_norm=2.0)
    )
    wrapper = build_optim_wrapper(cfg, model)
    assert type(wrapper) is OptimWrapper
    assert isinstance(wrapper.optimizer, torch.optim.SGD)
    assert wrapper.accumulative_counts == 2 and wrapper.clip_grad == cfg.clip_grad
    assert wrapper.param_names == [["a", "b"]]
    assert wrapper.get_momentum() == {"momentum": [0.9]}


def test_amp_float16_on_cpu_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        build_optim_wrapper(AmpConfig(optimizer=SGD(lr=0.1)), Linear())
    (problem,) = raised.value.problems
    assert problem.code == "amp-float16-needs-cuda"
    assert problem.path == ("optim_wrapper", "dtype")


def test_amp_bfloat16_on_cpu_autocasts_without_a_scaler() -> None:
    model = nn.Linear(4, 1)
    wrapper = build_optim_wrapper(AmpConfig(optimizer=SGD(lr=0.1), dtype="bfloat16"), model)
    assert isinstance(wrapper, AmpOptimWrapper) and wrapper.loss_scaler is None
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.ones(2, 4))
        assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().sum())
    assert model.weight.dtype == torch.float32
    torch.testing.assert_close(model.weight.detach(), before - 0.1 * 2 * torch.ones(1, 4), rtol=0, atol=1e-2)
    assert "loss_scaler" not in wrapper.state_dict()


def test_a_user_optimizer_builds_itself() -> None:
    from typedseg.config.optimizers import UserOptimizer

    class PlainSGD(UserOptimizer):
        lr: float | None = 0.5

        def build(self, params: Any) -> torch.optim.Optimizer:
            return torch.optim.SGD(params, lr=self.lr or 0.0)

    model = Linear()
    wrapper = build_optim_wrapper(WrapperConfig(optimizer=PlainSGD()), model)
    assert isinstance(wrapper.optimizer, torch.optim.SGD) and wrapper.get_lr() == {"lr": [0.5]}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="float16 autocast and its GradScaler need CUDA")
def test_amp_float16_on_cuda_scales_and_checkpoints_the_scaler() -> None:
    model = nn.Linear(4, 1).cuda()
    wrapper = build_optim_wrapper(AmpConfig(optimizer=SGD(lr=0.1), loss_scale=1024.0), model)
    assert isinstance(wrapper, AmpOptimWrapper) and wrapper.loss_scaler is not None
    before = model.weight.detach().clone()
    with wrapper.optim_context(model):
        out = model(torch.ones(2, 4, device="cuda"))
        assert out.dtype == torch.float16
    wrapper.update_params(out.float().sum())
    torch.testing.assert_close(model.weight.detach(), before - 0.2, rtol=0, atol=1e-3)
    state = wrapper.state_dict()
    assert state["loss_scaler"]["scale"] == 1024.0  # a static scale stays
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    fresh = build_optim_wrapper(AmpConfig(optimizer=SGD(lr=0.1)), nn.Linear(4, 1).cuda())
    assert isinstance(fresh, AmpOptimWrapper) and fresh.loss_scaler is not None
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    assert fresh.loss_scaler.get_scale() == 1024.0
