"""The MMEngine reference curves again, this time stepping a real torch optimizer through our OptimWrapper,
and a resume through `torch.save` / `torch.load(weights_only=True)` that continues bit for bit."""

import io
from typing import Any

import pytest
import torch

from tests.engine.optim.scheduler_cases import CASES, assert_close, build, replay
from typedseg.engine.optim.wrappers import OptimWrapper

TORCH_CASES = [
    case
    for case in CASES
    if case["name"]
    in {
        "warmup-poly",
        "momentum-adamw",
        "plateau",
        "onecycle-linear-3phase",
        "param-schedulers",
        "convert-to-iter",
    }
]


def torch_wrapper(spec: dict[str, Any]) -> OptimWrapper:
    """The oracle's optimizer: one single-element parameter per group, lr scaled per group."""
    groups: list[dict[str, Any]] = []
    for index, mult in enumerate(spec["groups"]):
        group: dict[str, Any] = {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": spec["lr"] * mult}
        if spec["type"] == "SGD":
            group |= {"weight_decay": 1e-4 * (index + 1), "dampening": 0.5}
        groups.append(group)
    if spec["type"] == "SGD":
        optimizer: torch.optim.Optimizer = torch.optim.SGD(
            groups, lr=spec["lr"], momentum=spec["momentum"], weight_decay=1e-4
        )
    else:
        optimizer = torch.optim.AdamW(groups, lr=spec["lr"], betas=tuple(spec["betas"]))
    return OptimWrapper(optimizer)


@pytest.mark.parametrize("case", TORCH_CASES, ids=[case["name"] for case in TORCH_CASES])
def test_curve_matches_mmengine_on_a_torch_optimizer(case: dict[str, Any]) -> None:
    wrapper = torch_wrapper(case["optimizer"])
    curves = replay(case, wrapper, build(case, wrapper))
    for key, values in curves.items():
        assert_close(values, case[key], f"{case['name']} {key}")


def test_resume_through_a_checkpoint_is_bit_identical() -> None:
    case = next(case for case in CASES if case["name"] == "warmup-poly")
    whole_wrapper = torch_wrapper(case["optimizer"])
    whole = replay(case, whole_wrapper, build(case, whole_wrapper))

    wrapper = torch_wrapper(case["optimizer"])
    schedulers = build(case, wrapper)
    replay(case, wrapper, schedulers, stop=17)
    buffer = io.BytesIO()
    torch.save(
        {"optimizer": wrapper.state_dict(), "schedulers": [s.state_dict() for s in schedulers]}, buffer
    )
    buffer.seek(0)
    checkpoint = torch.load(buffer, weights_only=True)

    resumed_wrapper = torch_wrapper(case["optimizer"])
    resumed = build(case, resumed_wrapper)  # built from the config: values at iteration 0 ...
    resumed_wrapper.load_state_dict(checkpoint["optimizer"])  # ... then the saved groups
    for scheduler, state in zip(resumed, checkpoint["schedulers"], strict=True):
        scheduler.load_state_dict(state)
    rest = replay(case, resumed_wrapper, resumed, start=17)
    assert rest["lr"] == whole["lr"][17:]
    assert rest["momentum"] == whole["momentum"][17:]
