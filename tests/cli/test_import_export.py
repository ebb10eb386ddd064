"""`typedseg import` and `typedseg export --format mmengine`: outputs, exit codes, located messages, round trips."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.migrate.test_to_typedseg import BASE, MAX_ITERS_LINE
from typedseg.loading import load_config
from typedseg.migrate.importer import import_mmengine_config

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


@pytest.fixture
def mmseg(tmp_path: Path) -> Path:
    """A small MMSegmentation-style config tree: base.py (clean) and the leaves the tests write beside it."""
    (tmp_path / "base.py").write_text(BASE.lstrip("\n"), encoding="utf-8")
    return tmp_path


def leaf(folder: Path, text: str, name: str = "leaf.py") -> Path:
    path = folder / name
    path.write_text("_base_ = './base.py'\n" + textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_import_prints_a_typed_python_config_that_loads_back_equal(mmseg: Path, tmp_path: Path) -> None:
    source = mmseg / "base.py"
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"{source}: imported"
    assert result.stdout.startswith(f'"""Imported by `typedseg import` from {source}:')
    assert "from typedseg.config.models.backbones import InterpConv, InterpUpsample, UNet\n" in result.stdout
    written = tmp_path / "typed.py"
    written.write_text(result.stdout, encoding="utf-8")
    assert load_config(written).experiment == import_mmengine_config(source).experiment


@pytest.mark.parametrize(
    ("arguments", "suffix"), [(["--out", "x.yaml"], ".yaml"), (["--format", "json"], ".json")]
)
def test_import_writes_yaml_and_json(mmseg: Path, tmp_path: Path, arguments: list[str], suffix: str) -> None:
    source = mmseg / "base.py"
    out = tmp_path / f"out{suffix}"
    argv = ["import", str(source), "--out", str(out)]
    if arguments[0] == "--format":
        argv += arguments
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"{source}: imported, wrote {out}"
    assert load_config(out).experiment == import_mmengine_config(source).experiment


def test_import_reports_what_mmengine_ignores_at_the_leaf_line_and_writes_nothing(
    mmseg: Path, tmp_path: Path
) -> None:
    source = leaf(mmseg, "runner = dict(type='IterBasedRunner', max_iters=320000)\n")
    out = tmp_path / "typed.py"
    result = runner.invoke(app, ["import", str(source), "--out", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{source}:2  runner: `runner` is MMSegmentation 0.x's loop setting; MMEngine ignores it, so this config "
        f"trains train_cfg.max_iters=160000 (set at {mmseg / 'base.py'}:{MAX_ITERS_LINE}), not the 320000 that "
        "runner.max_iters asks for. Delete `runner` and set train_cfg.max_iters=320000 (with the schedule's end "
        "and the checkpoint interval to match), or delete it to keep 160000.  [legacy-key]",
        f"{source}: not imported (1 error)",
    ]


def test_import_lists_unsupported_types_with_their_lines(mmseg: Path) -> None:
    source = leaf(
        mmseg,
        """
        model = dict(backbone=dict(_delete_=True, type='HRNet'))
        fp16 = dict(loss_scale='dynamic')
        """,
    )
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{source}:3  fp16: `fp16` is MMSegmentation 0.x's mixed-precision switch")
    assert lines[1] == (
        f"{source}:2  model.backbone.type: typedseg does not implement the type 'HRNet'. Only configs made of "
        "typedseg's types can be imported.  [unsupported-type]"
    )
    assert lines[-1] == f"{source}: not imported (1 error; unsupported: HRNet; not validated: model)"


def test_import_refuses_code_it_would_have_to_run(tmp_path: Path) -> None:
    source = tmp_path / "evil.py"
    source.write_text("import os\nwork_dir = os.getcwd()\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 2
    assert f"{source}:2" in result.stderr
    assert "Traceback" not in result.output


def test_import_shows_notes_and_warnings_and_still_exits_0(mmseg: Path) -> None:
    source = leaf(
        mmseg,
        """
        custom_imports = dict(imports=['no_such_package.models'], allow_failed_imports=False)
        leftover = 1
        """,
    )
    result = runner.invoke(app, ["import", str(source), "--format", "json"])
    assert result.exit_code == 0, result.output
    note, warning, status = result.stderr.splitlines()
    assert note.startswith(
        f"{source}:2  note: custom_imports ['no_such_package.models'] recorded, not imported"
    )
    assert warning.startswith(f"{source}:3  warning: leftover: MMEngine ignores the top-level `leftover` = 1")
    assert status == f"{source}: imported (1 warning)"


def test_export_writes_an_mmengine_config_that_imports_back_equal(tmp_path: Path) -> None:
    out = tmp_path / "quickstart_mmengine.py"
    result = runner.invoke(
        app, ["export", "configs/quickstart.py", "--format", "mmengine", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "configs/quickstart.py  note: default_scope is 'mmengine' (typedseg's default): MMSegmentation's tools "
        "look its model, dataset and transform classes up in the 'mmseg' scope. Set default_scope='mmseg' in the "
        "typedseg config to export a config MMSegmentation runs as it is.",
        f"wrote {out}",
    ]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# MMEngine config written by `typedseg export` from configs/quickstart.py.\n")
    assert "\ntrain_cfg = dict(type='IterBasedTrainLoop', max_iters=400, val_interval=100)\n" in text
    back = runner.invoke(app, ["import", str(out), "--out", str(tmp_path / "back.py")])
    assert back.exit_code == 0, back.output
    assert load_config(tmp_path / "back.py").experiment == load_config("configs/quickstart.py").experiment


def test_export_prints_to_stdout_and_applies_overrides() -> None:
    result = runner.invoke(app, ["export", "configs/quickstart.py", "--set", "train_cfg.val_interval=50"])
    assert result.exit_code == 0, result.output
    assert "max_iters=400, val_interval=50)\n" in result.stdout


def test_export_of_an_invalid_config_exits_2() -> None:
    result = runner.invoke(app, ["export", "tests/broken/loops-max-iter-typo.yaml"])
    assert result.exit_code == 2
    assert "train_cfg.max_iter: IterBasedTrainLoop has no setting 'max_iter'." in result.stderr


@pytest.mark.parametrize("command", ["import", "export"])
def test_import_and_export_never_import_torch(command: str, mmseg: Path) -> None:
    target = str(mmseg / "base.py") if command == "import" else "configs/quickstart.py"
    code = (
        "import sys\n"
        "from cli.main import app\n"
        "try:\n"
        f"    app([{command!r}, {target!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
