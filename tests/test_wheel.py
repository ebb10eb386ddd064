"""typedseg as users install it: a wheel (`pip install .`, not editable) in a fresh venv, used outside the checkout.

The wheel is built from a copy of the sources with the running venv's setuptools (no build isolation, nothing
downloaded) and installed without dependencies into a new venv, which reads pydantic, typer, jinja2 and torch
from the running venv through a `.pth` file. Every verb then runs from a temporary folder, so the templates and
the schema can only come from the wheel's package data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent
PIP_QUIET = ["--disable-pip-version-check", "--no-input", "-q"]


@dataclass
class Installed:
    """A venv holding only the typedseg wheel, and a working folder outside the checkout."""

    wheel: Path
    venv: Path
    work: Path
    verbs: set[str] = field(default_factory=set)
    """The verbs run so far (`codegen class` for a command of a group)."""

    @cached_property
    def commands(self) -> set[str]:
        """The CLI's verbs, read from the installed app (`codegen class` for a command of a group)."""
        listed = self.python(
            "import typer.main\n"
            "from typedseg.cli.main import app\n"
            "for name, cmd in typer.main.get_command(app).commands.items():\n"
            "    subs = getattr(cmd, 'commands', {})\n"
            "    print('\\n'.join(f'{name} {sub}' for sub in subs) if subs else name)\n"
        )
        return set(listed.split("\n"))

    def run(self, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        """`typedseg ARGS` from the venv's console script, in the working folder; checks the exit code."""
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        result = subprocess.run(
            [str(self.venv / "bin" / "typedseg"), *args],
            cwd=self.work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == code, f"typedseg {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        self.verbs.add(" ".join(args[:2]) if " ".join(args[:2]) in self.commands else args[0])
        return result

    def python(self, code: str) -> str:
        result = subprocess.run(
            [str(self.venv / "bin" / "python"), "-c", code],
            cwd=self.work,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout.strip()


def _copy_sources(target: Path) -> None:
    """What setuptools reads: pyproject, the readme and every folder package-dir maps (no build leftovers)."""
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    target.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for folder in set(setuptools["package-dir"].values()):
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheel")
    _copy_sources(base / "src")
    pip = [sys.executable, "-m", "pip"]
    subprocess.run(
        [
            *pip,
            "wheel",
            *PIP_QUIET,
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "-w",
            base / "dist",
            ".",
        ],
        cwd=base / "src",
        check=True,
        timeout=300,
    )
    [wheel] = (base / "dist").glob("typedseg-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [*pip, "--python", python, "install", *PIP_QUIET, "--no-deps", "--no-index", wheel],
        check=True,
        timeout=300,
    )
    # The dependencies (torch included) come from the running venv: nothing is downloaded or reinstalled.
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    deps = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(site) / "typedseg_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    work = base / "work"
    work.mkdir()
    return Installed(wheel, venv, work)


def test_the_wheel_holds_the_cli_the_templates_and_the_schema(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    templates = {f"typedseg/templates/{t.name}" for t in (ROOT / "templates").glob("*.j2")}
    assert templates and templates <= names
    assert {"typedseg/schemas/experiment.schema.json", "typedseg/cli/main.py", "typedseg/py.typed"} <= names
    # The venv imports the wheel's copy, not the checkout.
    location = installed.python("import typedseg; print(typedseg.__file__)")
    assert Path(location).is_relative_to(installed.venv), location


def test_every_verb_runs_from_the_installed_wheel(installed: Installed) -> None:
    run = installed.run
    work = installed.work

    run("new", "quick.py")
    assert "Experiment(" in (work / "quick.py").read_text(encoding="utf-8")
    run("new", "--model", "segformer_mit_b0", "--dataset", "ade20k", "--optimizer", "adamw", "seg.py")
    validated = run("validate", "quick.py", "seg.py").stdout.splitlines()
    assert "quick.py: valid" in validated and "seg.py: valid" in validated

    yaml_text = run("show", "quick.py", "--format", "yaml").stdout
    header, _, body = yaml_text.partition("\n")
    schema_path = Path(header.removeprefix("# yaml-language-server: $schema="))
    assert schema_path.is_relative_to(installed.venv) and schema_path.is_file(), header
    assert body.startswith("schema_version: 1\nmodel:\n")
    assert run("show", "quick.py", "--format", "python").stdout.startswith('"""Resolved config of quick.py')
    assert json.loads(run("show", "quick.py", "--format", "json").stdout)["train_cfg"]["type"]

    # The installed schema is the committed one, field docs included (read from the wheel's sources).
    schema_text = run("schema").stdout
    assert schema_text == (ROOT / "schemas" / "experiment.schema.json").read_text(encoding="utf-8")
    run("schema", "--out", "schemas")
    assert (work / "schemas" / "experiment.schema.json").read_text(encoding="utf-8") == schema_text

    for fmt, name in (
        ("python", "out.py"),
        ("yaml", "out.yaml"),
        ("json", "out.json"),
        ("mmengine", "mm.py"),
    ):
        run("export", "quick.py", "--format", fmt, "--out", name)
        assert (work / name).stat().st_size > 0
    assert "train_cfg = dict(type='IterBasedTrainLoop'" in (work / "mm.py").read_text(encoding="utf-8")
    for name in ("out.py", "out.yaml", "out.json"):
        assert run("diff", "quick.py", name).stdout == "no differences\n"
    assert "model.decode_head" in run("diff", "quick.py", "seg.py", code=1).stdout

    # An MMSegmentation config, read without running it, back to an equal typed config.
    run("import", "mm.py", "--out", "imported.py")
    assert run("diff", "quick.py", "imported.py").stdout == "no differences\n"

    (work / "mymod.py").write_text(
        "class Thing:\n    def __init__(self, size: int = 3) -> None:\n        self.size = size\n",
        encoding="utf-8",
    )
    generated = run("codegen", "class", "mymod:Thing").stdout
    assert "class ThingConfig(UserConfig):" in generated and "    size: int = 3\n" in generated

    assert "param_scheduler[1] PolyLR (lr)" in run("schedule", "quick.py").stdout

    # The torch side: a synthetic dataset where the quickstart reads it, one training iteration, a test.
    run("data", "synth", "data/synthetic", "--train", "2", "--val", "1")
    assert "train_dataloader: 2 samples" in run("data", "check", "quick.py", "--read").stdout
    tiny = ["-s", "train_cfg.max_iters=1", "-s", "train_cfg.val_interval=1", "-s", "param_scheduler=[]"]
    tiny += ["-s", "default_hooks.logger.interval=1", "-s", "default_hooks.checkpoint.interval=1"]
    run("run", "quick.py", "--work-dir", "work_dir", *tiny)
    assert (work / "work_dir" / "iter_1.pth").is_file()
    tested = run("test", "quick.py", "--work-dir", "work_dir", "--checkpoint", "work_dir/iter_1.pth", *tiny)
    assert "mIoU: " in tested.stdout + tested.stderr
    run(
        "predict",
        "quick.py",
        "data/synthetic/images/val",
        "--checkpoint",
        "work_dir/iter_1.pth",
        "--out",
        "pred",
    )
    assert (work / "pred" / "labels" / "00000.png").is_file() and (
        work / "pred" / "overlays" / "00000.png"
    ).is_file()

    missing = installed.commands - installed.verbs
    assert missing == set(), f"add the verbs {sorted(missing)} to this test: every verb must run from a wheel"
