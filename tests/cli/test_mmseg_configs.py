"""Every verb that reads a config recognises an MMSegmentation (MMEngine) config and reads it through the importer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.migrate.test_to_typedseg import BASE
from typedseg.migrate.detect import is_mmengine_config

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def mmseg(tmp_path: Path) -> Path:
    (tmp_path / "base.py").write_text(BASE.lstrip("\n"), encoding="utf-8")
    leaf = tmp_path / "leaf.py"
    leaf.write_text("_base_ = './base.py'\ntrain_dataloader = dict(batch_size=4)\n", encoding="utf-8")
    return leaf


def test_detection_reads_the_syntax_only(mmseg: Path, tmp_path: Path) -> None:
    assert is_mmengine_config(mmseg)
    assert is_mmengine_config(mmseg.parent / "base.py")  # no _base_, but MMEngine's sections as dict(...)
    assert not is_mmengine_config(ROOT / "configs" / "quickstart.py")
    assert not is_mmengine_config(ROOT / "docs" / "examples" / "quickstart.yaml")
    odd = tmp_path / "odd.py"
    odd.write_text("import os\nos.system('echo never run')\nx = (\n", encoding="utf-8")
    assert not is_mmengine_config(odd)


def test_validate_says_so_and_checks_it_through_the_importer(mmseg: Path) -> None:
    result = runner.invoke(app, ["validate", str(mmseg)])
    assert result.exit_code == 0, result.output
    assert (
        f"{mmseg}: an MMSegmentation (MMEngine) config, read as `typedseg import` reads it" in result.stderr
    )
    assert result.stdout.splitlines()[-1] == f"{mmseg}: valid"


def test_validate_reports_an_mmseg_configs_problems_at_its_lines(mmseg: Path) -> None:
    mmseg.write_text("_base_ = './base.py'\ntrain_cfg = dict(max_iters=0)\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(mmseg)])
    assert result.exit_code == 2
    assert f"{mmseg}:2  train_cfg.max_iters:" in result.stderr
    assert result.stderr.splitlines()[-1] == f"{mmseg}: invalid (1 error)"


def test_validate_applies_overrides_to_an_mmseg_config(mmseg: Path) -> None:
    result = runner.invoke(app, ["validate", str(mmseg), "--set", "train_dataloader.batch_size=0"])
    assert result.exit_code == 2
    assert "--set #1 'train_dataloader.batch_size=0'  train_dataloader.batch_size:" in result.stderr


def test_show_and_export_read_it_too(mmseg: Path) -> None:
    shown = runner.invoke(app, ["show", str(mmseg), "--format", "yaml"])
    assert shown.exit_code == 0, shown.output
    assert "batch_size: 4" in shown.stdout
    exported = runner.invoke(app, ["export", str(mmseg), "--format", "json"])
    assert exported.exit_code == 0, exported.output
    assert '"batch_size": 4' in exported.stdout


def test_diff_needs_no_flag(mmseg: Path, tmp_path: Path) -> None:
    typed = tmp_path / "typed.yaml"
    assert runner.invoke(app, ["export", str(mmseg), "--out", str(typed)]).exit_code == 0
    same = runner.invoke(app, ["diff", str(mmseg), str(typed)])
    assert (same.exit_code, same.stdout.strip()) == (0, "no differences"), same.output
    other = runner.invoke(app, ["diff", str(mmseg.parent / "base.py"), str(mmseg)])
    assert other.exit_code == 1
    assert "train_dataloader.batch_size: " in other.stdout


def test_schedule_reads_it_too(mmseg: Path) -> None:
    short = [
        *("--set", "train_cfg.max_iters=100", "--set", "param_scheduler[0].end=100"),
        *("--set", "train_cfg.val_interval=100", "--set", "default_hooks.checkpoint.interval=100"),
    ]
    result = runner.invoke(app, ["schedule", str(mmseg), "--format", "json", *short])
    assert result.exit_code == 0, result.output
    assert "an MMSegmentation (MMEngine) config, read as `typedseg import` reads it" in result.stderr
    lr = json.loads(result.stdout)["lr"]
    assert len(lr) == 100 and lr[0] == 0.01  # PolyLR from the base's SGD lr, over the overridden run


def test_data_check_reads_it_too(mmseg: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-data"
    result = runner.invoke(
        app, ["data", "check", str(mmseg), "--set", f"train_dataloader.dataset.data_root={missing}"]
    )
    assert result.exit_code == 2, result.output
    assert "an MMSegmentation (MMEngine) config, read as `typedseg import` reads it" in result.stderr
    assert f"{mmseg}  train_dataloader: " in result.stderr and str(missing) in result.stderr


@pytest.mark.parametrize(
    ("verb", "rest"),
    [
        (["schedule"], []),
        (["data", "check"], []),
        (["predict"], ["image.png", "--checkpoint", "weights.pth", "--out", "predictions"]),
    ],
)
def test_every_reading_verb_takes_allow_import(verb: list[str], rest: list[str], tmp_path: Path) -> None:
    config = tmp_path / "cfg.yaml"
    config.write_text("custom_hooks: [{type: mypkg_never.Hook}]\n", encoding="utf-8")
    result = runner.invoke(app, [*verb, str(config), *rest, "--allow-import", "mypkg_never"])
    assert "No such option" not in result.output  # the option the refusal names exists here
    assert result.exit_code == 2  # the package really is imported, and it does not exist
    assert "mypkg_never" in result.stderr
