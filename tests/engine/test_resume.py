"""Exact resume, for real: a training process is SIGKILLed (mid-run; inside a checkpoint write, mid-epoch) or
SIGTERMed, resumed, and must end with weights, EMA, optimizer and scheduler state bit-identical (torch.equal) to
a run that was never interrupted. A negative control (resuming without the RNG states) must differ, so that the
test can fail. The killed runs are real processes; the resumes and references run in this process (each Runner
seeds everything itself), which keeps the file fast."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.engine.run_tiny import tiny_runner
from tests.engine.tiny import SigtermAt
from typedseg.engine import loops
from typedseg.engine.errors import TrainingInterrupted

ROOT = Path(__file__).resolve().parents[2]


def start_tiny(work_dir: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.engine.run_tiny", str(work_dir), "--ema", *args]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def final_state(work_dir: Path, name: str = "iter_12.pth") -> dict[str, Any]:
    loaded: dict[str, Any] = torch.load(work_dir / name, map_location="cpu", weights_only=True)
    return loaded


def same_tensors(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def assert_same_training(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert same_tensors(a["state_dict"], b["state_dict"])
    assert same_tensors(a["ema_state_dict"], b["ema_state_dict"])
    momentum_a = [s["momentum_buffer"] for s in a["optimizer"]["state"].values()]
    momentum_b = [s["momentum_buffer"] for s in b["optimizer"]["state"].values()]
    assert all(torch.equal(x, y) for x, y in zip(momentum_a, momentum_b, strict=True))
    assert a["param_schedulers"] == b["param_schedulers"]
    assert a["message_hub"] == b["message_hub"] or _same_scalars(a, b)


def _same_scalars(a: dict[str, Any], b: dict[str, Any]) -> bool:
    timing = ("train/time", "train/data_time", "val/time", "val/data_time")

    def strip(checkpoint: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in checkpoint["message_hub"]["log_scalars"].items() if k not in timing}

    return strip(a) == strip(b)


class Killed:
    """The two SIGKILLed processes, run side by side."""

    def __init__(self, root: Path) -> None:
        self.iter_dir, self.epoch_dir = root / "iter", root / "epoch"
        # Killed after iteration 7: the last checkpoint is iter_4 (mid-pass, before a validation at 6).
        iter_run = start_tiny(self.iter_dir, "--kill-after", "7")
        # Epoch loop, killed inside the write of iter_8 (temp written and synced, not moved into place).
        epoch_run = start_tiny(self.epoch_dir, "--epochs", "2", "--kill-in-save", "2", "--max-keep", "1")
        self.iter_result = (iter_run.wait(timeout=300), iter_run.communicate()[0])
        self.epoch_result = (epoch_run.wait(timeout=300), epoch_run.communicate()[0])


@pytest.fixture(scope="module", autouse=True)
def one_thread() -> Any:
    """The killed processes compute with one thread (OMP_NUM_THREADS=1); so do the in-process runs, since CPU
    kernels may sum in another order with another thread count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> Killed:
    return Killed(tmp_path_factory.mktemp("killed"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work_dir = tmp_path_factory.mktemp("reference")
    tiny_runner(work_dir).train()
    return final_state(work_dir)


def resumable_copy(killed: Killed, tmp_path: Path) -> Path:
    code, output = killed.iter_result
    assert code == -signal.SIGKILL, output
    work_dir = tmp_path / "resumed"
    shutil.copytree(killed.iter_dir, work_dir)
    assert (work_dir / "last_checkpoint").read_text().endswith("iter_4.pth")
    (work_dir / "last_checkpoint").write_text(str(work_dir / "iter_4.pth"))
    return work_dir


def test_sigkill_then_resume_is_bit_identical(
    killed: Killed, reference: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    work_dir = resumable_copy(killed, tmp_path)
    tiny_runner(work_dir, resume=True).train()
    assert_same_training(final_state(work_dir), reference)


def test_resume_without_rng_state_differs(
    killed: Killed, reference: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the same resume without restoring the RNG states (dropout) must not match."""
    work_dir = resumable_copy(killed, tmp_path)
    monkeypatch.setattr(loops, "set_rng_state", lambda state: None)
    tiny_runner(work_dir, resume=True).train()
    assert not same_tensors(final_state(work_dir)["state_dict"], reference["state_dict"])


def test_sigkill_inside_a_checkpoint_write_mid_epoch(killed: Killed, tmp_path: Path) -> None:
    """Epoch loop (2 epochs of 6 iterations, checkpoints every 4 iterations, max_keep_ckpts=1), killed after
    iter_8's temp file was written and synced, before it was moved into place: iter_4 and the pointer survive,
    the temp file is swept on restart, and the resume from the middle of epoch 0 is exact."""
    code, output = killed.epoch_result
    assert code == -signal.SIGKILL, output
    work_dir = killed.epoch_dir
    assert (work_dir / "last_checkpoint").read_text().endswith("iter_4.pth")
    assert (work_dir / "iter_4.pth").is_file() and not (work_dir / "iter_8.pth").exists()
    assert list(work_dir.glob(".iter_8.pth.tmp.*"))
    runner = tiny_runner(work_dir, epochs=2, resume=True, max_keep=1)
    runner.train()
    assert runner.state is not None and runner.state.start_iter == 4
    assert not list(work_dir.glob(".*.tmp.*"))
    assert sorted(p.name for p in work_dir.glob("iter_*.pth")) == ["iter_12.pth"]  # max_keep_ckpts=1
    reference_dir = tmp_path / "epoch_reference"
    tiny_runner(reference_dir, epochs=2).train()
    assert_same_training(final_state(work_dir), final_state(reference_dir))


def test_sigterm_saves_at_the_next_boundary_then_resumes_exactly(
    reference: dict[str, Any], tmp_path: Path
) -> None:
    """SIGTERM during iteration 6: the iteration finishes, iter_6.pth is saved (interval 4 would not), the run
    stops with TrainingInterrupted (the CLI's exit 143), and resuming from it ends bit-identical."""
    runner = tiny_runner(tmp_path, hooks=(SigtermAt(at=6),))
    with pytest.raises(TrainingInterrupted) as stopped:
        runner.train()
    assert stopped.value.checkpoint == tmp_path / "iter_6.pth"
    assert (tmp_path / "last_checkpoint").read_text() == str(tmp_path / "iter_6.pth")
    assert not (tmp_path / "iter_8.pth").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is removed again
    resumed = tiny_runner(tmp_path, resume=True)
    resumed.train()
    assert resumed.state is not None and resumed.state.start_iter == 6
    assert_same_training(final_state(tmp_path), reference)


def test_a_checkpoint_after_an_epochs_last_batch_resumes_into_its_end(tmp_path: Path) -> None:
    """Epoch loop, checkpoint every 4 iterations (epochs of 6): iter_12 is saved after epoch 1's last batch and
    before its end; resuming from it runs only that end (no batch of the next epoch twice), as the reference."""
    reference_dir, work_dir = tmp_path / "reference", tmp_path / "resumed"
    tiny_runner(reference_dir, epochs=3, ema=False).train()
    shutil.copytree(reference_dir, work_dir, ignore=shutil.ignore_patterns("iter_16*", "iter_18*", "epoch_*"))
    (work_dir / "last_checkpoint").write_text(str(work_dir / "iter_12.pth"))
    resumed = tiny_runner(work_dir, epochs=3, ema=False, resume=True)
    resumed.train()
    assert resumed.state is not None and resumed.state.start_iter == 12
    a, b = final_state(work_dir, "iter_18.pth"), final_state(reference_dir, "iter_18.pth")
    assert same_tensors(a["state_dict"], b["state_dict"])
