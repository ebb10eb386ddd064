"""Every package and data file of the library is listed for installation (a wheel would silently miss one).

tests/test_wheel.py builds the wheel and runs it; these checks name the forgotten entry directly.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def _setuptools() -> dict[str, Any]:
    config: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(config["tool"]["setuptools"])


def test_every_package_is_listed_in_pyproject() -> None:
    setuptools = _setuptools()
    found = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "typedseg").rglob("__init__.py")
    }
    found |= set(setuptools["package-dir"])  # cli/, templates/ and schemas/, installed inside the package
    assert set(setuptools["packages"]) == found


def test_the_top_level_folders_install_inside_the_package() -> None:
    assert _setuptools()["package-dir"] == {
        "typedseg": "typedseg",
        "typedseg.cli": "cli",
        "typedseg.templates": "templates",
        "typedseg.schemas": "schemas",
    }


def test_every_data_file_is_package_data() -> None:
    setuptools = _setuptools()
    missed = [
        str(file.relative_to(ROOT))
        for package in ("typedseg.templates", "typedseg.schemas")
        for file in (ROOT / setuptools["package-dir"][package]).iterdir()
        if file.is_file()
        and not any(fnmatch.fnmatch(file.name, glob) for glob in setuptools["package-data"][package])
    ]
    assert missed == []
    assert any((ROOT / "templates").glob("*.j2"))
    assert (ROOT / "schemas" / "experiment.schema.json").is_file()
