"""Run-time problem codes that no cheap `typedseg` command reaches (they need a training step, a validation, a
damaged file, a missing optional package, a second process): each is triggered here for real and its code
asserted, which is how docs/errors.md's sections for them count as checked (see tests/test_docs.py)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import torch

from tests.engine.tiny import TinyModel, TinyNet, experiment
from typedseg.config.hooks import DefaultHooks, UserHook
from typedseg.config.hooks import EarlyStoppingHook as EarlyStoppingConfig
from typedseg.config.hooks import SegVisualizationHook as SegVisualizationHookConfig
from typedseg.config.replace import replace
from typedseg.config.runtime import DistConfig, WandbVisBackend
from typedseg.engine.checkpoint import load_checkpoint, save_checkpoint_file
from typedseg.engine.dist import init_distributed
from typedseg.engine.errors import RunError, TrainingFault
from typedseg.engine.hooks.build import build_hooks
from typedseg.engine.hooks.extras import EarlyStoppingHook
from typedseg.engine.hooks.visualization import SegVisualizationHook
from typedseg.engine.launch import LaunchOptions, launch
from typedseg.engine.logs import ScalarWriters
from typedseg.engine.runner import Runner
from typedseg.structures import SegDataSample


def _code(error: RunError) -> str:
    (problem,) = error.problems
    return problem.code


class _NoLossNet(TinyNet):
    """The tiny model, with its loss logged under a key without 'loss' in it (so nothing is optimized)."""

    def forward(
        self, inputs: torch.Tensor, data_samples: list[SegDataSample] | None = None, mode: str = "tensor"
    ) -> Any:
        out = super().forward(inputs, data_samples, mode)
        return {"decode.ce": out["decode.loss_ce"]} if mode == "loss" else out


class NoLossModel(TinyModel):
    def build(self, *args: Any, **kwargs: Any) -> TinyNet:
        return _NoLossNet(self.classes)


def test_a_loss_dict_without_a_loss_key_stops_the_run(tmp_path: Path) -> None:
    exp = replace(experiment(max_iters=2, interval=1, with_val=False), model=NoLossModel())
    with pytest.raises(TrainingFault, match=r"have no key with 'loss' in it") as stopped:
        Runner(exp, work_dir=tmp_path, progress=False).train()
    assert stopped.value.code == "no-loss"
    assert "['decode.ce']" in str(stopped.value)
    assert not list(tmp_path.glob("iter_*.pth"))


def test_a_strict_early_stopping_monitor_the_evaluator_does_not_report_stops_the_run() -> None:
    hook = EarlyStoppingHook(EarlyStoppingConfig(monitor="mDice", strict=True))
    state: Any = SimpleNamespace(metrics={"aAcc": 90.0, "mIoU": 40.0})
    with pytest.raises(TrainingFault, match=r"monitors 'mDice'.*reported aAcc, mIoU") as stopped:
        hook.after_val_epoch(state)
    assert stopped.value.code == "monitor-missing"
    EarlyStoppingHook(EarlyStoppingConfig(monitor="mDice")).after_val_epoch(state)  # not strict: a warning


class _Typo:
    def after_train_itr(self, state: object) -> None:  # a typo of after_train_iter: never called
        raise AssertionError("not a hook event")


class TypoHook(UserHook):
    def build(self, *args: Any, **kwargs: Any) -> Any:
        return _Typo()


def test_a_user_hook_method_that_is_no_event_is_refused() -> None:
    with pytest.raises(RunError, match=r"_Typo .* has after_train_itr, which is no hook event") as refused:
        build_hooks(DefaultHooks(), (TypoHook(),), progress=False)
    assert _code(refused.value) == "unknown-hook-event"
    assert "after_train_iter" in refused.value.problems[0].hint


def test_val_without_a_val_section_is_one_message(tmp_path: Path) -> None:
    runner = Runner(experiment(with_val=False), work_dir=tmp_path, progress=False)
    with pytest.raises(RunError, match=r"no val section") as refused:
        runner.val()
    assert _code(refused.value) == "no-val"
    with pytest.raises(RunError, match=r"no test section") as refused:
        runner.test()
    assert _code(refused.value) == "no-test"


def test_a_checkpoint_whose_bytes_changed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "iter_4.pth"
    save_checkpoint_file({"meta": {"iter": 4}, "state_dict": {"w": torch.arange(64.0)}}, path)
    assert load_checkpoint(path)["meta"] == {"iter": 4}
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit flipped: the size is unchanged, the sha256 is not
    path.write_bytes(bytes(data))
    with pytest.raises(RunError, match=r"does not match iter_4\.pth\.sha256.*corrupted") as refused:
        load_checkpoint(path)
    assert _code(refused.value) == "checkpoint-invalid"


def test_a_checkpoint_that_holds_no_dict_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "iter_4.pth"
    save_checkpoint_file([torch.zeros(2)], path)  # type: ignore[arg-type]
    with pytest.raises(RunError, match=r"does not hold a checkpoint dict") as refused:
        load_checkpoint(path)
    assert _code(refused.value) == "checkpoint-invalid"


def test_show_without_matplotlib_is_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(RunError, match=r"show=True.*needs matplotlib") as refused:
        SegVisualizationHook(SegVisualizationHookConfig(draw=True, show=True))
    assert _code(refused.value) == "visualization-unavailable"


def test_a_wandb_backend_without_wandb_is_one_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "wandb", None)
    with pytest.raises(RunError, match=r"WandbVisBackend, and the wandb package is not installed") as refused:
        ScalarWriters(tmp_path / "vis", (WandbVisBackend(),))
    assert _code(refused.value) == "backend-unavailable"


def test_a_master_whose_port_is_taken_is_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rank 0 hosts the rendezvous store at MASTER_PORT; another program listens there, so it cannot start."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"RANK": "0", "WORLD_SIZE": "2", "LOCAL_RANK": "0", "MASTER_ADDR": "127.0.0.1"}
        for name, value in {**env, "MASTER_PORT": str(port)}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("TYPEDSEG_LAUNCHER_PID", raising=False)
        with pytest.raises(
            RunError, match=rf"rank 0 of 2 could not join the process group at 127\.0\.0\.1:{port}"
        ) as e:
            init_distributed("pytorch", DistConfig(backend="gloo", timeout=1), torch.device("cpu"))
    assert _code(e.value) == "dist-init-failed"
    assert "address already in use" in e.value.problems[0].message
    assert not torch.distributed.is_initialized()


def test_a_rendezvous_port_in_use_is_one_message() -> None:
    """The launcher of node 0 hosts the rendezvous at --master-port; another program listens there."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        options = LaunchOptions(nproc=1, nnodes=2, node_rank=0, master_addr="127.0.0.1", master_port=port)
        with pytest.raises(RunError, match=rf"the rendezvous port 127\.0\.0\.1:{port} is in use") as refused:
            launch(options, [sys.executable, "-c", "raise SystemExit(3)"])  # no worker may start
    assert _code(refused.value) == "dist-port-in-use"
