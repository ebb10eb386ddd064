"""`export` (python/yaml/json), `diff` and `codegen class` on the command line: content and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from typedseg.loading import load_config

runner = CliRunner()
QUICKSTART = "configs/quickstart.py"


@pytest.mark.parametrize(("fmt", "suffix"), [("python", ".py"), ("yaml", ".yaml"), ("json", ".json")])
def test_export_round_trips_in_every_format(tmp_path: Path, fmt: str, suffix: str) -> None:
    out = tmp_path / f"exported{suffix}"
    result = runner.invoke(app, ["export", QUICKSTART, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert load_config(out).experiment == load_config(QUICKSTART).experiment


@pytest.mark.parametrize("recipe", sorted(str(p) for p in Path("configs").glob("*.py")))
def test_every_recipe_round_trips_through_python_export(tmp_path: Path, recipe: str) -> None:
    out = tmp_path / "exported.py"
    assert runner.invoke(app, ["export", recipe, "--format", "python", "--out", str(out)]).exit_code == 0
    assert load_config(out).experiment == load_config(recipe).experiment


def test_diff_of_equal_configs_exits_0(tmp_path: Path) -> None:
    out = tmp_path / "same.yaml"
    runner.invoke(app, ["export", QUICKSTART, "--format", "yaml", "--out", str(out)])
    result = runner.invoke(app, ["diff", QUICKSTART, str(out)])
    assert (result.exit_code, result.stdout) == (0, "no differences\n")


def test_diff_lists_changes_and_exits_1(tmp_path: Path) -> None:
    out = tmp_path / "changed.yaml"
    runner.invoke(
        app,
        [
            "export",
            QUICKSTART,
            "--format",
            "yaml",
            "--out",
            str(out),
            "--set",
            "train_dataloader.batch_size=4",
        ],
    )
    result = runner.invoke(app, ["diff", QUICKSTART, str(out)])
    assert (result.exit_code, result.stdout) == (1, "~ train_dataloader.batch_size: 8 -> 4\n")
    machine = runner.invoke(app, ["diff", QUICKSTART, str(out), "--format", "json"])
    assert json.loads(machine.stdout) == [
        {"kind": "changed", "path": "train_dataloader.batch_size", "before": 8, "after": 4}
    ]


def test_diff_against_an_mmengine_export_shows_no_change(tmp_path: Path) -> None:
    out = tmp_path / "mm.py"
    assert (
        runner.invoke(app, ["export", QUICKSTART, "--format", "mmengine", "--out", str(out)]).exit_code == 0
    )
    result = runner.invoke(app, ["diff", QUICKSTART, str(out), "--mmseg-b"])
    assert (result.exit_code, result.stdout) == (0, "no differences\n")


def test_diff_of_a_broken_config_exits_2() -> None:
    result = runner.invoke(app, ["diff", QUICKSTART, "tests/broken/loops-max-iter-typo.yaml"])
    assert result.exit_code == 2
    assert "unknown-key" in result.output


def test_codegen_class_writes_a_typed_config(tmp_path: Path) -> None:
    out = tmp_path / "alarm_config.py"
    result = runner.invoke(
        app,
        [
            "codegen",
            "class",
            "tests.codegen.fixtures.alarm:GradNormAlarm",
            "--kind",
            "hook",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "class GradNormAlarmConfig(UserHook):" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["tests.codegen.fixtures.alarm:Loose"], "*args cannot be a config field"),
        (["tests.codegen.fixtures.alarm:GradNormAlarm", "--kind", "hoook"], "unknown --kind 'hoook'"),
    ],
)
def test_codegen_class_mistakes_exit_2(argv: list[str], message: str) -> None:
    result = runner.invoke(app, ["codegen", "class", *argv])
    assert result.exit_code == 2
    assert message in result.output
