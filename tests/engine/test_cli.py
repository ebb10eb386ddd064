"""`typedseg run` and `typedseg test` end to end (in-process through Typer's runner): every config kind, the
outputs MMEngine users look for, --dry-run's tables, and exit code 2 with one message for a bad setup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.engine.tiny import experiment
from typedseg.loading.dump import to_yaml

ROOT = Path(__file__).resolve().parents[2]
TINY_CONFIG = """from tests.engine.tiny import experiment

config = experiment(max_iters=4, interval=2, val_interval=4)
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_run_a_python_config_then_test_its_checkpoint(tmp_path: Path, runner: CliRunner) -> None:
    config = tmp_path / "tiny.py"
    config.write_text(TINY_CONFIG)
    work_dir = tmp_path / "work"
    result = runner.invoke(app, ["run", str(config), "--work-dir", str(work_dir)])
    assert result.exit_code == 0, result.output
    assert "Iter(train) [2/4]  lr:" in result.output and "Saving checkpoint at 4 iterations" in result.output
    assert sorted(p.name for p in work_dir.glob("iter_*.pth")) == ["iter_2.pth", "iter_4.pth"]
    assert (work_dir / "last_checkpoint").read_text() == str(work_dir / "iter_4.pth")
    (log_dir,) = [p for p in work_dir.iterdir() if p.is_dir()]
    assert (log_dir / f"{log_dir.name}.log").is_file() and (log_dir / "config.py").is_file()
    lines = [json.loads(line) for line in (log_dir / "vis_data" / "scalars.json").read_text().splitlines()]
    assert [line["step"] for line in lines] == [2, 4, 4]  # two train logs, then the validation at iteration 4
    assert {"lr", "loss", "decode.loss_ce", "time", "data_time", "iter"} <= lines[0].keys()
    assert {"aAcc", "mIoU", "mAcc"} <= lines[2].keys()

    result = runner.invoke(
        app, ["test", str(config), "--checkpoint", str(work_dir / "iter_4.pth"), "--work-dir", str(work_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "mIoU: " in result.output
    test_dir = max(p for p in work_dir.iterdir() if p.is_dir())
    metrics = json.loads((test_dir / f"{test_dir.name}.json").read_text())  # MMEngine's test-metrics dump
    assert f"mIoU: {metrics['mIoU']}" in result.output


def test_run_a_yaml_config(tmp_path: Path, runner: CliRunner) -> None:
    config = tmp_path / "tiny.yaml"
    config.write_text(to_yaml(experiment(max_iters=2, interval=2, val_interval=2, logger_interval=1)))
    result = runner.invoke(
        app, ["run", str(config), "--work-dir", str(tmp_path / "work"), "--allow-import", "tests"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "work" / "iter_2.pth").is_file()


def test_dry_run_prints_hooks_by_stage_and_parameter_groups(tmp_path: Path, runner: CliRunner) -> None:
    config = tmp_path / "tiny.py"
    config.write_text(TINY_CONFIG)
    result = runner.invoke(app, ["run", str(config), "--work-dir", str(tmp_path / "work"), "--dry-run"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "Hooks by stage" in text and "Parameter groups" in text
    after_iter = text[text.index("after_train_iter") : text.index("after_train_epoch")]
    order = ["RuntimeInfoHook", "IterTimerHook", "LoggerHook", "ParamSchedulerHook", "CheckpointHook"]
    assert [after_iter.index(name) for name in order] == sorted(after_iter.index(name) for name in order)
    assert "0.05" in text and "0.0001" in text
    assert not list((tmp_path / "work").glob("iter_*.pth"))


def test_an_mmengine_config_is_detected_and_imported(tmp_path: Path, runner: CliRunner) -> None:
    exported = runner.invoke(app, ["export", str(ROOT / "configs" / "quickstart.py"), "--format", "mmengine"])
    assert exported.exit_code == 0, exported.output
    config = tmp_path / "mm_quickstart.py"
    config.write_text(exported.stdout)
    result = runner.invoke(app, ["run", str(config), "--work-dir", str(tmp_path / "work"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "backbone.encoder" in result.output or "*" in result.output
    assert "CheckpointHook" in result.output


def test_an_invalid_config_never_starts(tmp_path: Path, runner: CliRunner) -> None:
    config = tmp_path / "tiny.py"
    config.write_text(TINY_CONFIG)
    result = runner.invoke(
        app, ["run", str(config), "--set", "train_cfg.max_iters=-3", "--work-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "train_cfg.max_iters" in result.output and "Traceback" not in result.output
    assert not list(tmp_path.glob("*/*.log"))


def test_a_missing_data_folder_is_one_message_before_iteration_0(tmp_path: Path, runner: CliRunner) -> None:
    missing = tmp_path / "no_such_data"
    result = runner.invoke(
        app,
        [
            "run",
            str(ROOT / "configs" / "quickstart.py"),
            "--work-dir",
            str(tmp_path / "work"),
            "--set",
            f"train_dataloader.dataset.data_root={missing}",
        ],
    )
    assert result.exit_code == 2, result.output
    assert "does not exist" in result.output and "[data-not-found]" in result.output
    assert "Traceback" not in result.output
    assert not list((tmp_path / "work").glob("iter_*.pth"))


def test_a_checkpoint_goes_after_resume(tmp_path: Path, runner: CliRunner) -> None:
    config = tmp_path / "tiny.py"
    config.write_text(TINY_CONFIG)
    result = runner.invoke(app, ["run", str(config), "ckpt.pth"])
    assert result.exit_code == 2 and "after --resume" in result.output
