"""The data folders shipped with the code, `templates/` and `schemas/`: found in a wheel and in a checkout alike.

The repository keeps them at its top level; pyproject's `package-dir` installs them in a wheel as the data
packages `typedseg.templates` and `typedseg.schemas`, which importlib.resources finds; the README's editable install
(setuptools' strict mode) links them into the `typedseg/` of its tree under `build/`, found the same way. A bare
checkout on `sys.path` with no install has them beside `typedseg/`: the fallback.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

DataFolder = Literal["templates", "schemas"]


def data_folder(name: DataFolder) -> Traversable:
    """The folder `name` as installed package data, or the checkout's top-level folder."""
    try:
        return files(f"typedseg.{name}")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / name


def data_file(folder: DataFolder, name: str) -> Traversable | None:
    """One file of a data folder; None if it is not there."""
    resource = data_folder(folder).joinpath(name)
    return resource if resource.is_file() else None
