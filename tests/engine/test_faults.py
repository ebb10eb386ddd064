"""Faults: a non-finite loss stops before the optimizer step (or is skipped), and setup problems (missing data,
a CUDA setting on a CPU machine, a training section missing) are one message before iteration 0."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.engine.run_tiny import tiny_runner
from tests.engine.tiny import experiment
from typedseg.config.optim import AmpOptimWrapper
from typedseg.config.optimizers import SGD
from typedseg.config.replace import replace
from typedseg.engine.errors import RunError, TrainingFault
from typedseg.engine.runner import Runner


def test_a_non_finite_loss_stops_before_the_optimizer_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NaN in iteration 6's loss: the message names iteration 6, and the parameters are those after iteration 5
    (the forward pass still updated BatchNorm's running statistics, as in any framework)."""
    monkeypatch.setenv("TINY_NAN_AT", "6")
    runner = tiny_runner(tmp_path, ema=False)
    after_five: dict[str, torch.Tensor] = {}

    class Snapshot:
        def after_train_iter(self, state: object) -> None:
            if runner.state is not None and runner.state.iter + 1 == 5:
                after_five.update({k: v.clone() for k, v in runner.state.model.named_parameters()})

    with pytest.raises(TrainingFault, match="iteration 6: the loss is not finite") as stopped:
        runner.build_for_training()
        assert runner.hooks is not None
        runner.hooks.add(Snapshot(), 100)
        runner.train_loop.run(None)  # type: ignore[union-attr]
    assert stopped.value.code == "non-finite-loss"
    assert runner.state is not None
    weights = dict(runner.state.model.named_parameters())
    assert all(torch.equal(weights[k], after_five[k]) for k in after_five)


def test_a_non_finite_loss_can_be_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINY_NAN_AT", "3")
    runner = tiny_runner(tmp_path, ema=False, on_nonfinite="skip")
    runner.train()
    assert (tmp_path / "iter_12.pth").is_file()
    log = next(tmp_path.glob("*/*.log")).read_text()
    assert "iteration 3: the loss is not finite" in log and "step skipped" in log
    assert runner.state is not None and all(torch.isfinite(p).all() for p in runner.state.model.parameters())


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
def test_a_cuda_setting_on_a_cpu_machine_is_one_message(tmp_path: Path) -> None:
    exp = replace(experiment(), optim_wrapper=AmpOptimWrapper(optimizer=SGD(lr=0.01)))
    with pytest.raises(RunError, match=r"no CUDA device.*AmpOptimWrapper with float16") as refused:
        Runner(exp, work_dir=tmp_path).train()
    assert refused.value.problems[0].code == "cuda-unavailable"
    assert not list(tmp_path.glob("iter_*"))
    with pytest.raises(RunError, match="device 'cuda'"):
        Runner(experiment(), work_dir=tmp_path, device="cuda").train()


def test_no_training_section_is_one_message(tmp_path: Path) -> None:
    exp = experiment().model_copy(update={"train_cfg": None, "train_dataloader": None, "optim_wrapper": None})
    with pytest.raises(RunError) as refused:
        Runner(exp, work_dir=tmp_path).train()
    assert refused.value.problems[0].code == "no-training"
