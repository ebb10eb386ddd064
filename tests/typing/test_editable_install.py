"""The README's editable install is visible to type checkers run from a user's own folder outside the checkout.

setuptools' default editable install for our layout (cli/, templates/ and schemas/ mapped into `typedseg` by
package-dir) is an import hook, which neither mypy nor pyright runs: from another folder they cannot find
`typedseg` at all. pyproject asks for setuptools' strict mode instead (`[tool.distutils.editable_wheel]
mode = "strict"`): a tree of links in the checkout's build/ laid out as the installed package, named by a `.pth`
line, so the README's `pip install -e .` needs no extra option. The install is made the README's way from a copy
of the sources (the dependencies, torch included, come from the running venv through a `.pth`: nothing is
downloaded), then the CLI, mypy and pyright (basedpyright, from the dev extras) run from a user's folder on a
config that has one mistake.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
USER_CONFIG = """\
from typedseg.config.experiment import Experiment
from typedseg.config.loops import IterBasedTrainLoop

config = Experiment(train_cfg=IterBasedTrainLoop(max_iters=80000, val_interval=8000))
IterBasedTrainLoop(max_iters="80k")  # the mistake: line 5
interval: int = config.default_hooks.checkpoint.interval
"""
MISTAKE_LINE = 5
BROKEN_PRESET_CONFIG = """\
from typedseg.config.experiment import Experiment
from typedseg.presets import fcn_r50_d8

config = Experiment(
    model=fcn_r50_d8(num_classes=0),
)
"""
BROKEN_PRESET_LINE = 5
PIP_INSTALL = [sys.executable, "-m", "pip"]
PIP_OPTIONS = ["-q", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "--no-index"]
"""The README's `pip install -e .`, offline: no dependencies (the running venv's), no build environment."""
MYPY = [sys.executable, "-m", "mypy", "--strict"]


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the README's editable install of a copy of the checkout; returns its python."""
    base = tmp_path_factory.mktemp("editable")
    source = base / "src"
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for folder in set(setuptools["package-dir"].values()):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = dict.fromkeys(
        p for p in sys.path if p.endswith("site-packages")
    )  # the running venv's, as it sees them
    (site / "typedseg_test_deps.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run(
        [*PIP_INSTALL, "--python", python, "install", *PIP_OPTIONS, "-e", source],
        check=True,
        timeout=300,
    )
    # Path-based: the install's .pth names the link tree in the source's build/, which type checkers read;
    # no import hook.
    [pth] = site.glob("__editable__*typedseg*.pth")
    [tree] = pth.read_text(encoding="utf-8").splitlines()  # one path, not an `import` of a finder
    assert Path(tree).parent == source.resolve() / "build", tree
    assert Path(tree).name.startswith("__editable__.typedseg-"), tree
    assert not list(site.glob("__editable__*finder*.py"))
    # the remapped folders are linked into the package, file by file, to the sources (edits show at once)
    linked = Path(tree) / "typedseg"
    for module, folder in (("cli/main.py", "cli"), ("templates/new_config.py.j2", "templates")):
        assert (linked / module).is_symlink(), module
        assert Path(os.path.realpath(linked / module)) == source.resolve() / folder / Path(module).name
    return python


def _user_folder(tmp_path: Path) -> Path:
    (tmp_path / "config.py").write_text(USER_CONFIG, encoding="utf-8")
    return tmp_path


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH", "VIRTUAL_ENV")}


def test_the_install_runs_from_a_user_folder(editable: Path, tmp_path: Path) -> None:
    def run(*args: str) -> str:
        result = subprocess.run(
            [editable.parent / "typedseg", *args],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return result.stdout + result.stderr

    run("new", "quick.py")  # its template is found through the link tree (typedseg/templates)
    assert run("validate", "quick.py") == "quick.py: valid\n"
    # A mistake in a value a preset builds is shown at the user's line, not inside the package: the package runs
    # from the link tree, and frames there are typedseg's own (config/base.py's PACKAGE_DIRS).
    (tmp_path / "broken.py").write_text(BROKEN_PRESET_CONFIG, encoding="utf-8")
    result = subprocess.run(
        [editable.parent / "typedseg", "validate", "broken.py"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert (result.stdout + result.stderr).startswith(f"broken.py:{BROKEN_PRESET_LINE}  model."), (
        result.stdout + result.stderr
    )
    source = subprocess.run(
        [editable, "-c", "import typedseg.cli.main as m; print(m.__file__)"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # imported through the link tree, running the copy's own cli/ (not a copy of it)
    checkout = editable.parents[2] / "src"
    assert Path(os.path.realpath(source)) == checkout.resolve() / "cli" / "main.py", source


def test_python_m_typedseg_runs_from_the_checkout_root(editable: Path) -> None:
    """`python -m typedseg` (the `--nproc` workers, torchrun) from the repository root, where the checkout's
    typedseg/ comes first on sys.path and has no cli/: typedseg/__init__.py finds it in the link tree."""
    checkout = editable.parents[2] / "src"
    result = subprocess.run(
        [editable, "-m", "typedseg", "schema"],
        cwd=checkout,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (checkout / "schemas" / "experiment.schema.json").read_text(encoding="utf-8")


def test_mypy_finds_typedseg_from_a_user_folder(editable: Path, tmp_path: Path) -> None:
    folder = _user_folder(tmp_path)
    result = subprocess.run(
        [*MYPY, "--python-executable", editable, "--cache-dir", tmp_path / ".mypy_cache", "config.py"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert errors == [
        f'config.py:{MISTAKE_LINE}: error: Argument "max_iters" to "IterBasedTrainLoop" has incompatible type '
        '"str"; expected "int"  [arg-type]'
    ], result.stdout


def test_pyright_finds_typedseg_from_a_user_folder(editable: Path, tmp_path: Path) -> None:
    pyright = Path(sys.executable).with_name("basedpyright")  # the dev extras' pyright (bundled, no download)
    assert pyright.exists(), "basedpyright is missing: pip install -e '.[dev]' brings it"
    folder = _user_folder(tmp_path)
    (folder / "pyrightconfig.json").write_text('{"typeCheckingMode": "standard"}', encoding="utf-8")
    result = subprocess.run(
        [pyright, "--pythonpath", editable, "--outputjson", "config.py"],
        cwd=folder,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = json.loads(result.stdout)
    errors = [
        (d["range"]["start"]["line"] + 1, d["rule"])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert errors == [(MISTAKE_LINE, "reportArgumentType")], result.stdout
