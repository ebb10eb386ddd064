"""Checkpoint files: atomic writes with a sha256 sidecar, corruption detected and the previous valid checkpoint
used, a full disk that leaves the last good checkpoint intact, weights-only loading of typedseg, MMEngine and
plain state-dict files without running pickled code, and checkpoints of another model refused before iteration 0."""

from __future__ import annotations

import os
import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.engine.run_tiny import tiny_runner
from tests.engine.tiny import LimitFileSize, TinyNet, restore_file_size_limit
from typedseg.engine.checkpoint import (
    find_resume_point,
    load_checkpoint,
    read_pointer,
    read_weights,
    save_checkpoint_file,
    sidecar_of,
    verify,
    write_pointer,
)
from typedseg.engine.errors import RunError, TrainingFault


def save(folder: Path, name: str, value: float) -> Path:
    path = folder / name
    save_checkpoint_file({"state_dict": {"w": torch.full((64,), value)}, "loop": {"iter": int(value)}}, path)
    write_pointer(folder, path)
    return path


def test_a_save_writes_the_file_its_sha256_then_the_pointer(tmp_path: Path) -> None:
    path = save(tmp_path, "iter_1.pth", 1.0)
    assert verify(path) is None
    digest, name = sidecar_of(path).read_text().split()
    assert name == "iter_1.pth" and len(digest) == 64
    assert read_pointer(tmp_path) == path.resolve()
    assert not list(tmp_path.glob(".*.tmp.*"))
    assert torch.equal(load_checkpoint(path)["state_dict"]["w"], torch.full((64,), 1.0))


@pytest.mark.parametrize("damage", ["truncate", "flip"])
def test_a_damaged_latest_checkpoint_is_reported_and_the_previous_one_used(
    tmp_path: Path, damage: str
) -> None:
    first = save(tmp_path, "iter_1.pth", 1.0)
    os.utime(first, ns=(1, 1))  # older
    latest = save(tmp_path, "iter_2.pth", 2.0)
    data = bytearray(latest.read_bytes())
    if damage == "truncate":
        latest.write_bytes(bytes(data[: len(data) // 2]))
    else:  # one byte inside the tensor data: torch.load alone would not notice
        data[len(data) // 2] ^= 0x01
        latest.write_bytes(bytes(data))
    assert "does not match" in (verify(latest) or "")
    with pytest.raises(RunError, match="sha256"):
        load_checkpoint(latest)
    point = find_resume_point(tmp_path)
    assert point is not None and point.path == first
    assert point.skipped[0][0] == latest.resolve() and "truncated or corrupted" in point.skipped[0][1]


def test_no_valid_checkpoint_at_all_is_one_clear_error(tmp_path: Path) -> None:
    path = save(tmp_path, "iter_1.pth", 1.0)
    path.write_bytes(b"garbage")
    with pytest.raises(RunError, match=r"no checkpoint .* can be resumed from") as error:
        find_resume_point(tmp_path)
    assert error.value.problems[0].code == "no-valid-checkpoint"
    assert find_resume_point(tmp_path / "empty") is None


def test_a_full_disk_while_saving_keeps_the_previous_checkpoint(tmp_path: Path) -> None:
    """Files may not grow past 8 kB after iteration 4 (the checkpoints are ~30 kB): the save at 8 fails, says
    so, and iter_4.pth, its sidecar and the pointer are byte-identical to before; no temp file is left."""
    runner = tiny_runner(tmp_path, ema=False, hooks=(LimitFileSize(after=4, limit=8192),))
    try:
        with pytest.raises(TrainingFault, match=r"could not write checkpoint .*iter_8\.pth") as stopped:
            runner.train()
    finally:
        restore_file_size_limit()
    message = str(stopped.value)
    assert "intact" in message and "[checkpoint-write-failed]" in message
    assert verify(tmp_path / "iter_4.pth") is None
    assert read_pointer(tmp_path) == (tmp_path / "iter_4.pth").resolve()
    assert not (tmp_path / "iter_8.pth").exists() and not list(tmp_path.glob(".*.tmp.*"))


class Payload:
    """Pickled into a foreign checkpoint: unpickling it for real would create the sentinel file."""

    def __init__(self, sentinel: str) -> None:
        self.sentinel = sentinel

    def __reduce__(self) -> Any:
        return (Path.touch, (Path(self.sentinel),))


def test_load_from_reads_plain_and_mmengine_checkpoints_without_running_pickled_code(tmp_path: Path) -> None:
    weights = TinyNet(3).state_dict()
    plain = tmp_path / "plain.pth"
    torch.save({f"module.{k}": v for k, v in weights.items()}, plain)
    assert read_weights(plain).keys() == weights.keys()  # DataParallel's prefix dropped

    # A real MMEngine 0.10.7 checkpoint (tests/models' fixture): its message hub pickles a HistoryBuffer and
    # numpy values, which weights_only=True refuses; the weights are read all the same.
    mmengine_file = Path(__file__).resolve().parents[1] / "fixtures" / "models" / "mmengine_checkpoint.pth"
    with pytest.raises(pickle.UnpicklingError):
        torch.load(mmengine_file, weights_only=True)
    loaded = read_weights(mmengine_file)
    assert len(loaded) == 118 and all(isinstance(v, torch.Tensor) for v in loaded.values())

    sentinel = tmp_path / "pwned"
    evil = tmp_path / "evil.pth"
    torch.save({"state_dict": weights, "x": Payload(str(sentinel))}, evil)
    with pytest.raises(Exception) as refused:
        read_weights(evil)
    assert "checkpoint-unreadable" in str(getattr(refused.value, "problems", refused.value))
    assert not sentinel.exists()


def test_a_checkpoint_of_another_model_is_refused_before_iteration_0(tmp_path: Path) -> None:
    other = tmp_path / "other.pth"
    torch.save(TinyNet(5).state_dict(), other)  # 5 classes: the head differs
    runner = tiny_runner(tmp_path / "work", ema=False)
    runner.load_from = other
    with pytest.raises(RunError, match="does not fit this model") as refused:
        runner.train()
    assert refused.value.problems[0].code == "checkpoint-model-mismatch"
    assert not list((tmp_path / "work").glob("iter_*.pth"))  # nothing trained

    unrelated = tmp_path / "unrelated.pth"
    torch.save({"encoder.weight": torch.zeros(3)}, unrelated)
    runner = tiny_runner(tmp_path / "work2", ema=False)
    runner.load_from = unrelated
    with pytest.raises(RunError, match="weights of another model"):
        runner.train()


def test_every_checkpoint_loads_with_weights_only_and_holds_the_whole_state(tmp_path: Path) -> None:
    tiny_runner(tmp_path).train()
    checkpoint = torch.load(tmp_path / "iter_4.pth", map_location="cpu", weights_only=True)
    assert {
        "meta",
        "state_dict",
        "optimizer",
        "param_schedulers",
        "ema_state_dict",
        "message_hub",
        "loop",
        "rng",
        "hooks",
    } <= checkpoint.keys()
    assert checkpoint["meta"]["iter"] == 4 and checkpoint["loop"]["iter"] == 4
    assert {"python", "numpy", "torch"} <= checkpoint["rng"].keys()
    assert checkpoint["loop"]["sampler"]["consumed"] == 8  # 4 batches of 2


def test_weights_only_is_passed_explicitly_everywhere() -> None:
    """Every torch.load in the engine says weights_only=True."""
    source = Path(__file__).resolve().parents[2] / "typedseg" / "engine"
    calls = subprocess.run(
        ["grep", "-rn", "torch.load(", str(source)], capture_output=True, text=True, check=True
    ).stdout
    assert calls, "expected torch.load calls"
    assert all("weights_only=True" in line for line in calls.splitlines())


def test_resuming_with_another_scheduler_list_is_refused(tmp_path: Path) -> None:
    from typedseg.config.replace import replace
    from typedseg.config.schedulers import LinearLR, PolyLR

    tiny_runner(tmp_path, ema=False).train()
    runner = tiny_runner(tmp_path, ema=False, resume=True)
    runner.experiment = replace(
        runner.experiment,
        param_scheduler=[LinearLR(start_factor=0.1, end=2, by_epoch=False), PolyLR(begin=2, by_epoch=False)],
    )
    with pytest.raises(RunError, match="holds 1 schedulers and the config has 2") as refused:
        runner.train()
    assert refused.value.problems[0].code == "resume-schedulers-mismatch"
