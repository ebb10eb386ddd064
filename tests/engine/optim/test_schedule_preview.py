"""`typedseg schedule`: the torch-free preview gives MMEngine's curves, and the command's outputs and errors."""

import json
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from typer.testing import CliRunner

from cli.main import app
from tests.engine.optim.scheduler_cases import CASES, assert_close, configs
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.optim import OptimWrapper
from typedseg.engine.optim.preview import section_curves
from typedseg.problems import ConfigError

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()
PER_GROUP = "onecycle-linear-3phase"  # eta_max per param group: only with the real groups
PREVIEWED = [
    case
    for case in CASES
    if case["optimizer"]["type"] == "SGD" and not case["metrics"] and case["name"] != PER_GROUP
]


@pytest.mark.parametrize("case", PREVIEWED, ids=[case["name"] for case in PREVIEWED])
def test_preview_group_0_is_mmengines_base_lr(case: dict[str, Any]) -> None:
    """Group 0 of the preview is the optimizer's own lr: MMEngine's base-lr record (the fixture's last group)."""
    spec, loop = case["optimizer"], case["loop"]
    wrapper = TypeAdapter(OptimWrapper).validate_python(
        {"optimizer": {"type": "SGD", "lr": spec["lr"], "momentum": spec["momentum"], "weight_decay": 1e-4}}
    )
    train: IterBasedTrainLoop | EpochBasedTrainLoop = (
        IterBasedTrainLoop(max_iters=loop["max_iters"])
        if loop["kind"] == "iter"
        else EpochBasedTrainLoop(max_epochs=loop["max_epochs"])
    )
    curves = section_curves(configs(case), wrapper, train, iters_per_epoch=loop["iters_per_epoch"])
    assert_close([[value] for value in curves.lr[0]], [[row[-1]] for row in case["lr"]], "lr")
    assert curves.momentum is not None
    if "momentum" in case:
        assert_close(
            [[value] for value in curves.momentum[0]], [[row[-1]] for row in case["momentum"]], "momentum"
        )


def test_per_group_values_need_the_real_groups() -> None:
    case = next(case for case in CASES if case["name"] == PER_GROUP)
    wrapper = TypeAdapter(OptimWrapper).validate_python({"optimizer": {"type": "SGD", "lr": 0.01}})
    with pytest.raises(ConfigError) as raised:
        section_curves(configs(case), wrapper, IterBasedTrainLoop(max_iters=20), iters_per_epoch=None)
    assert [p.code for p in raised.value.problems] == ["preview-needs-model"]


def test_text_table() -> None:
    result = runner.invoke(app, ["schedule", "configs/quickstart.py"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:3] == [
        "400 iterations",
        "  param_scheduler[0] LinearLR (lr): [0, 20) iterations",
        "  param_scheduler[1] PolyLR (lr): [20, 400) iterations",
    ]
    assert lines[4].split() == ["iter", "lr[optimizer]", "momentum"]
    assert lines[5].split() == ["0", "0.005", "0.9"]
    assert lines[-1].split() == ["399", "0.0001", "0.9"]


def test_json_has_group_0_and_every_group() -> None:
    result = runner.invoke(app, ["schedule", "configs/quickstart.py", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["lr"]) == 400 and data["lr"][0] == pytest.approx(0.005) and data["lr"][-1] == 1e-4
    assert data["lr"][20] == pytest.approx(0.05)  # warm-up done: the optimizer's lr
    assert data["groups"]["optimizer"]["lr"] == data["lr"]
    assert data["momentum"] == [0.9] * 400


def test_real_param_groups_and_a_custom_key_that_matches_nothing() -> None:
    keys = "optim_wrapper.paramwise_cfg={custom_keys: {backbone: {lr_mult: 0.1}}}"
    result = runner.invoke(
        app, ["schedule", "configs/quickstart.py", "--param-groups", "--format", "json", "--set", keys]
    )
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)["groups"]
    backbone = [label for label in groups if label.startswith("backbone.")]
    assert backbone and all(groups[label]["lr"][20] == pytest.approx(0.005) for label in backbone)
    assert groups["base"]["lr"][20] == pytest.approx(0.05)
    typo = "optim_wrapper.paramwise_cfg={custom_keys: {decoder_head: {lr_mult: 10.0}}}"
    result = runner.invoke(app, ["schedule", "configs/quickstart.py", "--param-groups", "--set", typo])
    assert result.exit_code == 2
    assert "[custom-key-unmatched]" in result.output and "Traceback" not in result.output


def test_epoch_loop_needs_iters_per_epoch() -> None:
    result = runner.invoke(app, ["schedule", "docs/examples/schedule_epochs.yaml"])
    assert result.exit_code == 2
    assert result.output.startswith("docs/examples/schedule_epochs.yaml  train_cfg.max_epochs: ")
    assert result.output.rstrip().endswith("[iters-per-epoch-unknown]")
    result = runner.invoke(
        app, ["schedule", "docs/examples/schedule_epochs.yaml", "--iters-per-epoch", "100"]
    )
    assert result.exit_code == 0, result.output
    assert "1200 iterations, 100 per epoch" in result.output


def test_plot_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "lr.png"
    result = runner.invoke(app, ["schedule", "configs/quickstart.py", "--plot", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (900, 600)  # an lr panel and a momentum panel


def test_schedule_never_imports_torch() -> None:
    code = (
        "import sys\nfrom cli.main import app\ntry:\n"
        "    app(['schedule', 'configs/quickstart.py', '--format', 'json'])\n"
        "except SystemExit:\n    pass\nprint('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
