"""DistributedDataParallel as the config sets it, in a real 2-process gloo group (torch.multiprocessing,
127.0.0.1): broadcast_buffers really broadcasts rank 0's buffers at each training forward (MMEngine's default
without model_wrapper_cfg does not), SyncBuffersHook still averages them, detect_anomalous_params names the
parameters outside the loss's graph, and a model with an unused head trains with find_unused_parameters=True
(the top-level key or model_wrapper_cfg's) and stops with one clear message without it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import torch
from torch import nn

from tests.engine.dist.cases import branched
from tests.engine.dist.group import in_two_processes
from typedseg.config.model_wrapper import MMDistributedDataParallel
from typedseg.engine.dist import anomalous_parameters, wrap_model
from typedseg.engine.errors import TrainingFault
from typedseg.engine.hooks.extras import SyncBuffersHook
from typedseg.engine.runner import Runner

CPU = torch.device("cpu")


class Buffered(nn.Module):
    """A linear layer and a float buffer; the forward returns MMSeg's loss dict (one unused head: `spare`)."""

    stat: torch.Tensor

    def __init__(self) -> None:
        super().__init__()
        self.used = nn.Linear(2, 1)
        self.spare = nn.Linear(2, 1)
        self.register_buffer("stat", torch.zeros(2))

    def forward(self, inputs: torch.Tensor, mode: str = "loss") -> dict[str, torch.Tensor]:
        return {"decode.loss_ce": self.used(inputs).sum(), "decode.acc_seg": torch.tensor(50.0)}


def _buffer_after_forward(rank: int, cfg: MMDistributedDataParallel | None) -> list[float]:
    """The buffer of rank `rank` after one training step, its value having been made rank + 1 after wrapping."""
    net = Buffered()
    model = wrap_model(net, CPU, cfg, find_unused_parameters=True)
    net.stat.fill_(float(rank + 1))
    model(torch.ones(1, 2), mode="loss")["decode.loss_ce"].backward()
    return net.stat.tolist()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _anomalous_logged(detect: bool) -> list[str]:
    records = _Records()
    logger = logging.getLogger("typedseg")
    logger.addHandler(records)
    try:
        cfg = MMDistributedDataParallel(find_unused_parameters=True, detect_anomalous_params=detect)
        model = wrap_model(Buffered(), CPU, cfg)
        model(torch.ones(1, 2), mode="loss")["decode.loss_ce"].backward()
    finally:
        logger.removeHandler(records)
    return records.messages


def _train(folder: Path, **fields: Any) -> dict[str, Any]:
    """Two SGD steps of the model with an unused head; its weights, or the fault that stopped it."""
    try:
        model = Runner(branched(**fields), work_dir=folder, progress=False).train()
    except TrainingFault as fault:
        return {"fault": (fault.code, str(fault))}
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def _checks(rank: int, world: int, folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    found["buffer_default"] = _buffer_after_forward(rank, None)  # MMEngine's Runner: broadcast_buffers=False
    found["buffer_wrapper"] = _buffer_after_forward(
        rank, MMDistributedDataParallel()
    )  # torch's default: True
    found["buffer_off"] = _buffer_after_forward(rank, MMDistributedDataParallel(broadcast_buffers=False))
    # SyncBuffersHook averages the buffers of the wrapped model's module (what hooks see).
    net = Buffered()
    wrap_model(net, CPU)
    net.stat.fill_(float(rank + 1))
    SyncBuffersHook().after_train_epoch(type("State", (), {"model": net})())
    found["buffer_hook"] = net.stat.tolist()
    found["anomalous"] = _anomalous_logged(detect=True)
    found["anomalous_off"] = _anomalous_logged(detect=False)
    # Training through the Runner: the config reaches DistributedDataParallel.
    found["top_level"] = _train(folder / "top", find_unused_parameters=True)
    wrapper = MMDistributedDataParallel(find_unused_parameters=True)
    found["wrapper"] = _train(folder / "wrapper", model_wrapper_cfg=wrapper)
    found["without"] = _train(folder / "without")
    found["wrapper_without"] = _train(
        folder / "wrapper_without", model_wrapper_cfg=MMDistributedDataParallel()
    )
    return found


def test_ddp_options_in_a_two_process_group(tmp_path: Path) -> None:
    ranks = in_two_processes(_checks, tmp_path)
    for found in ranks:
        assert "error" not in found, found.get("error")
    # broadcast_buffers: rank 0's buffer (1.0) reaches rank 1 at the forward; without it each keeps its own.
    assert [r["buffer_wrapper"] for r in ranks] == [[1.0, 1.0], [1.0, 1.0]]
    assert [r["buffer_default"] for r in ranks] == [[1.0, 1.0], [2.0, 2.0]]
    assert [r["buffer_off"] for r in ranks] == [[1.0, 1.0], [2.0, 2.0]]
    assert [r["buffer_hook"] for r in ranks] == [[1.5, 1.5], [1.5, 1.5]]
    expected = [f"spare.{p} is not in the computational graph of the loss" for p in ("weight", "bias")]
    assert ranks[0]["anomalous"] == expected and ranks[0]["anomalous_off"] == []
    # find_unused_parameters=True (either place): both steps ran (the second is where torch would refuse), and
    # the ranks hold the same weights (the gradients were all-reduced).
    for case, folder in (("top_level", "top"), ("wrapper", "wrapper")):
        weights = [r[case] for r in ranks]
        assert "fault" not in weights[0] and "fault" not in weights[1], weights
        assert weights[0].keys() == {
            f"{m}.{p}" for m in ("body.0", "head", "spare") for p in ("weight", "bias")
        }
        for name, value in weights[0].items():
            assert torch.equal(weights[1][name], value), name
        saved = torch.load(tmp_path / folder / "iter_2.pth", map_location="cpu", weights_only=True)
        assert all(torch.equal(saved["state_dict"][n], v) for n, v in weights[0].items())
    # Without it: the same fault on both ranks, naming the parameters and the setting to change.
    for found in ranks:
        code, message = found["without"]["fault"]
        assert code == "unused-parameters"
        assert "(rank " in message and "spare.weight, spare.bias)" in message
        assert "Set find_unused_parameters=True" in message
        code, message = found["wrapper_without"]["fault"]
        assert code == "unused-parameters"
        assert "Set model_wrapper_cfg.find_unused_parameters=True" in message


def test_anomalous_parameters_are_those_outside_the_loss_graph() -> None:
    net = Buffered()
    net.used.bias.requires_grad_(False)  # frozen parameters are not anomalous
    losses = net(torch.ones(1, 2))
    assert anomalous_parameters([losses["decode.loss_ce"]], net) == ["spare.weight", "spare.bias"]
    both = losses["decode.loss_ce"] + net.spare(torch.ones(1, 2)).sum()
    assert anomalous_parameters([both], net) == []
