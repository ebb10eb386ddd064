"""The command line: exit codes, located messages, machine output, no torch on the fast paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_validate_a_valid_config_exits_0() -> None:
    result = runner.invoke(app, ["validate", "configs/quickstart.py"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "configs/quickstart.py: valid"


def test_validate_reports_every_file_and_exits_2_if_any_is_invalid() -> None:
    result = runner.invoke(
        app, ["validate", "configs/quickstart.py", "tests/broken/loops-max-iter-typo.yaml"]
    )
    assert result.exit_code == 2
    assert "configs/quickstart.py: valid" in result.output
    assert "tests/broken/loops-max-iter-typo.yaml: invalid (1 error)" in result.output
    assert (
        "train_cfg.max_iter: IterBasedTrainLoop has no setting 'max_iter'. Did you mean 'max_iters'?"
        in result.output
    )
    assert "Traceback" not in result.output


def test_validate_json_for_machines() -> None:
    result = runner.invoke(app, ["validate", "--format", "json", "tests/broken/loops-max-iter-typo.yaml"])
    assert result.exit_code == 2
    [report] = json.loads(result.stdout)
    assert report["valid"] is False
    [problem] = report["problems"]
    assert problem["code"] == "unknown-key"
    assert problem["path"] == "train_cfg.max_iter"
    assert problem["hint"] == "Did you mean 'max_iters'?"
    assert problem["line"] == 13


def test_overrides_are_validated_like_the_file() -> None:
    result = runner.invoke(app, ["validate", "configs/quickstart.py", "--set", "train_cfg.max_iters=800k"])
    assert result.exit_code == 2
    assert "--set #1 'train_cfg.max_iters=800k'  train_cfg.max_iters:" in result.output


def test_show_prints_the_resolved_config_in_each_format(tmp_path: Path) -> None:
    for fmt, suffix in (("python", ".py"), ("yaml", ".yaml"), ("json", ".json")):
        result = runner.invoke(
            app, ["show", "configs/quickstart.py", "--format", fmt, "--set", "train_dataloader.batch_size=2"]
        )
        assert result.exit_code == 0, result.output
        out = tmp_path / f"shown{suffix}"
        out.write_text(result.stdout, encoding="utf-8")
        again = runner.invoke(app, ["show", str(out), "--format", "json"])
        assert json.loads(again.stdout)["train_dataloader"]["batch_size"] == 2
    yaml_text = runner.invoke(app, ["show", "configs/quickstart.py", "--format", "yaml"]).stdout
    assert yaml_text.startswith("# yaml-language-server: $schema=")
    assert "lr: 0.05\n" in yaml_text


def test_show_a_broken_config_exits_2() -> None:
    result = runner.invoke(app, ["show", "tests/broken/loops-max-iter-typo.yaml"])
    assert result.exit_code == 2
    assert "unknown-key" in result.output


def test_committed_schema_is_fresh() -> None:
    # A subprocess: field descriptions are collected only when the models are defined for the schema export.
    result = subprocess.run(
        [sys.executable, "-m", "typedseg.cli.main", "schema", "--out", "schemas", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        result.stderr + "\nRegenerate it with: typedseg schema --out schemas --force"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "configs/quickstart.py"],
        ["show", "configs/quickstart.py", "--format", "yaml"],
        ["schema"],
        ["validate", "tests/broken/schedulers-poly-ends-early.py", "tests/broken/loops-max-iter-typo.yaml"],
    ],
)
def test_fast_paths_never_import_torch(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from cli.main import app\n"
        "try:\n"
        f"    app({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
