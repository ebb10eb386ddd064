"""Files the CLI writes: never over an existing file without --force, never over an input, atomic, suffix = format."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.migrate.test_to_typedseg import BASE
from typedseg.files import write_atomic
from typedseg.loading import load_config
from typedseg.problems import ConfigError

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = str(ROOT / "configs" / "quickstart.py")
runner = CliRunner()


@pytest.fixture
def mmseg(tmp_path: Path) -> Path:
    """An MMSegmentation config with a `_base_` file: leaf.py includes base.py."""
    (tmp_path / "base.py").write_text(BASE.lstrip("\n"), encoding="utf-8")
    (tmp_path / "leaf.py").write_text("_base_ = './base.py'\n", encoding="utf-8")
    return tmp_path / "leaf.py"


def _refused(argv: list[str], code: str) -> str:
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert f"[{code}]" in result.stderr, result.output
    assert "Traceback" not in result.output
    return result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ["export", QUICKSTART],
        ["export", QUICKSTART, "--format", "python"],
        ["new"],
    ],
    ids=["export", "export-python", "new"],
)
def test_an_existing_file_is_kept_without_force(command: list[str], tmp_path: Path) -> None:
    out = tmp_path / "existing.py"
    out.write_text("# mine\n", encoding="utf-8")
    argv = [*command, str(out)] if command == ["new"] else [*command, "--out", str(out)]
    _refused(argv, "output-exists")
    assert out.read_text(encoding="utf-8") == "# mine\n"
    result = runner.invoke(app, [*argv, "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") != "# mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["existing.py"]  # no temporary file left


def test_import_keeps_an_existing_file_without_force(mmseg: Path, tmp_path: Path) -> None:
    out = tmp_path / "typed.py"
    out.write_text("# mine\n", encoding="utf-8")
    _refused(["import", str(mmseg), "--out", str(out)], "output-exists")
    assert out.read_text(encoding="utf-8") == "# mine\n"
    assert runner.invoke(app, ["import", str(mmseg), "--out", str(out), "--force"]).exit_code == 0
    assert load_config(out).experiment.train_cfg.max_iters > 0


@pytest.mark.parametrize("target", ["leaf.py", "base.py"])
def test_import_never_writes_over_a_file_it_read(mmseg: Path, target: str) -> None:
    out = mmseg.parent / target
    before = out.read_text(encoding="utf-8")
    stderr = _refused(["import", str(mmseg), "--out", str(out), "--force"], "output-is-input")
    assert "destroy the input" in stderr
    assert out.read_text(encoding="utf-8") == before


def test_export_never_writes_over_its_input(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    assert runner.invoke(app, ["export", QUICKSTART, "--format", "yaml", "--out", str(config)]).exit_code == 0
    before = config.read_text(encoding="utf-8")
    _refused(["export", str(config), "--out", str(config), "--force", "--format", "yaml"], "output-is-input")
    _refused(["export", str(config), "--out", str(config), "--force"], "output-is-input")
    assert config.read_text(encoding="utf-8") == before


def test_codegen_never_writes_over_the_module_of_its_class(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "mymod_writes.py"
    source = "class Thing:\n    def __init__(self, size: int = 3) -> None:\n        self.size = size\n"
    module.write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        _refused(
            ["codegen", "class", "mymod_writes:Thing", "--out", str(module), "--force"], "output-is-input"
        )
    finally:
        sys.modules.pop("mymod_writes", None)
    assert module.read_text(encoding="utf-8") == source
    out = tmp_path / "thing_config.py"
    out.write_text("# mine\n", encoding="utf-8")
    _refused(["codegen", "class", "mymod_writes:Thing", "--out", str(out)], "output-exists")
    result = runner.invoke(app, ["codegen", "class", "mymod_writes:Thing", "--out", str(out), "--force"])
    sys.modules.pop("mymod_writes", None)
    assert result.exit_code == 0, result.output
    assert "size: int = 3" in out.read_text(encoding="utf-8")


def test_schema_keeps_an_existing_file_without_force(tmp_path: Path) -> None:
    target = tmp_path / "experiment.schema.json"
    target.write_text("{}", encoding="utf-8")

    def schema(*extra: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "cli.main", "schema", "--out", str(tmp_path), *extra]
        return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)

    refused = schema()
    assert refused.returncode == 2 and "[output-exists]" in refused.stderr, refused.stderr
    assert target.read_text(encoding="utf-8") == "{}"
    assert schema("--force").returncode == 0
    assert target.read_text(encoding="utf-8").startswith("{\n")


@pytest.mark.parametrize(
    ("name", "loads_as"),
    [("out.yaml", "yaml"), ("out.yml", "yaml"), ("out.json", "json"), ("out.py", "python")],
)
def test_without_format_the_suffix_chooses_it(tmp_path: Path, name: str, loads_as: str) -> None:
    out = tmp_path / name
    result = runner.invoke(app, ["export", QUICKSTART, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if loads_as == "python":
        assert "dict(" in text  # export's default: the MMEngine form
    else:
        assert load_config(out).format == loads_as
        assert load_config(out).experiment == load_config(QUICKSTART).experiment


@pytest.mark.parametrize(
    "argv",
    [
        ["export", QUICKSTART, "--format", "yaml", "--out", "x.py"],
        ["export", QUICKSTART, "--format", "mmengine", "--out", "x.yaml"],
        ["export", QUICKSTART, "--out", "x.txt"],
        ["import", "MMSEG", "--format", "json", "--out", "x.yaml"],
        ["import", "MMSEG", "--out", "x.toml"],
        ["new", "x.yaml"],
    ],
)
def test_a_suffix_that_disagrees_with_the_format_is_refused(
    argv: list[str], mmseg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [str(mmseg) if word == "MMSEG" else word for word in argv]
    _refused(argv, "output-suffix")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base.py", "leaf.py"]


@pytest.mark.parametrize("where", ["missing/x.py", "folder.py"])
def test_a_missing_folder_or_a_folder_is_one_clear_message(tmp_path: Path, where: str) -> None:
    (tmp_path / "folder.py").mkdir()
    stderr = _refused(
        ["export", QUICKSTART, "--format", "python", "--out", str(tmp_path / where)], "output-not-writable"
    )
    assert len(stderr.strip().splitlines()) == 1
    assert not (tmp_path / "missing").exists()


def test_a_full_disk_leaves_the_previous_file_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "config.py"
    out.write_text("# the previous config\n", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("typedseg.files.os.fsync", full)
    stderr = _refused(["export", QUICKSTART, "--out", str(out), "--force"], "output-not-writable")
    assert "no space left on the device; nothing was changed" in stderr
    assert out.read_text(encoding="utf-8") == "# the previous config\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config.py"]


def test_a_read_only_folder_is_one_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr("typedseg.files.tempfile.mkstemp", denied)  # as root, chmod would not refuse
    stderr = _refused(["new", str(tmp_path / "x.py")], "output-not-writable")
    assert "permission denied" in stderr
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_replaces_the_whole_file_and_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "a.txt"
    out.write_text("old and longer\n", encoding="utf-8")
    out.chmod(0o640)
    write_atomic(out, "new\n")
    assert out.read_text(encoding="utf-8") == "new\n"
    assert out.stat().st_mode & 0o777 == 0o640
    with pytest.raises(ConfigError) as info:
        write_atomic(tmp_path / "nope" / "a.txt", "x")
    assert [p.code for p in info.value.problems] == ["output-not-writable"]
