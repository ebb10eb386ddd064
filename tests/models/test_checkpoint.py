"""Checkpoints: MMEngine's own files (with pickled non-tensor objects) and plain state_dicts load with
weights_only=True and no pickled code run; a checkpoint of another model is one clear message."""

import os
import pickle
from pathlib import Path

import pytest
import torch

from tests.models.oracle import FIXTURES
from tests.models.test_unet_fcn import unet_fcn
from typedseg.models import build_model
from typedseg.models.checkpoint import load_weights, read_checkpoint
from typedseg.problems import ConfigError

MMENGINE = FIXTURES / "mmengine_checkpoint.pth"


def test_mmengine_checkpoint_needs_more_than_weights_only() -> None:
    with pytest.raises(pickle.UnpicklingError):
        torch.load(MMENGINE, weights_only=True)


def test_mmengine_checkpoint_loads_strictly_with_stand_ins() -> None:
    model = build_model(unet_fcn(), init_weights=False)
    report = load_weights(MMENGINE, model)
    assert not (report.missing or report.unexpected or report.mismatched)
    checkpoint = read_checkpoint(MMENGINE)
    for key, value in model.state_dict().items():
        assert torch.equal(value, checkpoint["state_dict"][key]), key
    assert checkpoint["meta"]["iter"] == 3
    buffer = checkpoint["message_hub"]["log_scalars"]["train/loss"]
    assert type(buffer).__module__ == "mmengine.logging.history_buffer"
    assert "stand-in" in repr(buffer)


def test_no_pickled_code_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "ran"

    class Shell:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    class Print:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("pickled code ran",))

    path = tmp_path / "evil.pt"
    torch.save({"state_dict": {"w": torch.ones(2)}, "meta": [Print(), Shell()]}, path)
    try:
        checkpoint = read_checkpoint(path)
    except ConfigError as error:  # torch blocks some modules outright: then it is refused, with the reason
        assert error.problems[0].code == "checkpoint-unreadable"
    else:
        assert torch.equal(checkpoint["state_dict"]["w"], torch.ones(2))
        assert all("stand-in" in repr(item) for item in checkpoint["meta"])
    assert not marker.exists()
    assert "pickled code ran" not in capsys.readouterr().out


def test_plain_state_dict_and_module_prefix(tmp_path: Path) -> None:
    model = build_model(unet_fcn(), init_weights=False)
    other = build_model(unet_fcn(), init_weights=True)
    path = tmp_path / "plain.pt"
    torch.save({f"module.{k}": v for k, v in other.state_dict().items()}, path)
    load_weights(path, model)
    for key, value in other.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)


def test_prefix_loads_a_part(tmp_path: Path) -> None:
    whole = build_model(unet_fcn(), init_weights=True)
    path = tmp_path / "whole.pt"
    torch.save({"state_dict": whole.state_dict()}, path)
    target = build_model(unet_fcn(), init_weights=False)
    load_weights(path, target.backbone, prefix="backbone")
    for key, value in whole.backbone.state_dict().items():
        assert torch.equal(target.backbone.state_dict()[key], value)
    with pytest.raises(ConfigError) as caught:
        load_weights(path, target.backbone, prefix="encoder.")
    assert caught.value.problems[0].code == "checkpoint-prefix-missing"


def test_another_models_checkpoint_is_one_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    torch.save({"conv.weight": torch.zeros(1), "decode_head.conv_seg.weight": torch.zeros(4, 8, 1, 1)}, path)
    model = build_model(unet_fcn(), init_weights=False)
    with pytest.raises(ConfigError) as caught:
        load_weights(path, model)
    (problem,) = caught.value.problems
    assert problem.code == "checkpoint-keys-mismatch"
    assert "fit no layer (conv.weight)" in problem.message
    assert "missing from it (backbone.encoder.0.0.convs.0.conv.weight" in problem.message
    assert problem.file == str(path)


def test_missing_file_and_url_are_problems(tmp_path: Path) -> None:
    model = build_model(unet_fcn(), init_weights=False)
    for where in (tmp_path / "nope.pth", "https://download.openmmlab.com/x.pth"):
        with pytest.raises(ConfigError) as caught:
            load_weights(where, model)
        assert caught.value.problems[0].code == "checkpoint-missing"


def test_truncated_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "cut.pth"
    path.write_bytes(MMENGINE.read_bytes()[:5000])
    with pytest.raises(ConfigError) as caught:
        read_checkpoint(path)
    assert caught.value.problems[0].code == "checkpoint-unreadable"


def test_legacy_format_with_numpy_objects_loads(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "legacy.pth"
    torch.save(
        {"state_dict": {"w": torch.arange(3.0)}, "meta": {"seed": np.int64(3)}},
        path,
        _use_new_zipfile_serialization=False,
    )
    checkpoint = read_checkpoint(path)
    assert torch.equal(checkpoint["state_dict"]["w"], torch.arange(3.0))
    assert "stand-in" in repr(checkpoint["meta"]["seed"])


@pytest.mark.parametrize("content", [b"PK\x03\x04" + b"x" * 100, b"\x80\x02garbage", b""])
def test_garbage_is_a_problem_not_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.pth"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        read_checkpoint(path)
    assert caught.value.problems[0].code == "checkpoint-unreadable"
