"""Permission to import a user's module for a dotted `type` in a data config, and the objects left unresolved.

Reading a YAML/JSON config (or an MMEngine config, with `typedseg import`) never runs code by itself: a module named
by a dotted `type` (`type: mypkg.hooks.GradNormAlarm`) is imported only when the user allowed its package, on the
command line (`--allow-import mypkg`) or in the `[tool.typedseg]` table of the pyproject.toml found above the
config (`allow-import = ["mypkg"]`). Nothing is added to `sys.path`: the module must be installed or on
PYTHONPATH, never found implicitly in the config's folder or the working directory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel

from typedseg.config.base import UnresolvedUserConfig, UserImports
from typedseg.problems import ConfigError, Path, Problem

PYPROJECT = "pyproject.toml"
SETTING = "-".join(("allow", "import"))
"""The key under `[tool.typedseg]` (spelt with a join: a kebab-case literal here would read as a problem code)."""
_PACKAGE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


def bad_packages(packages: Sequence[str]) -> list[str]:
    """The entries of `packages` that are not dotted module names."""
    return [package for package in packages if not _PACKAGE.match(package)]


def find_pyproject(config: FilePath) -> FilePath | None:
    """The nearest pyproject.toml in the config's folder or above it (the project the config belongs to)."""
    for folder in config.resolve().parents:
        candidate = folder / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def pyproject_packages(config: FilePath) -> tuple[str, ...]:
    """`[tool.typedseg] allow-import` of the project above `config`; a malformed setting is a ConfigError."""
    pyproject = find_pyproject(config)
    if pyproject is None:
        return ()
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef,import-not-found,unused-ignore]

    def problem(message: str) -> ConfigError:
        return ConfigError(
            [
                Problem(
                    "pyproject-allow-import",
                    (),
                    message,
                    f'Write `{SETTING} = ["mypkg"]` under [tool.typedseg]: a list of package names.',
                    file=str(pyproject),
                )
            ]
        )

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise problem(f"cannot read this pyproject.toml: {exc}.") from None
    table = data.get("tool", {}).get("typedseg", {})
    packages = table.get(SETTING, []) if isinstance(table, dict) else []
    if not isinstance(packages, list) or not all(isinstance(item, str) for item in packages):
        raise problem(f"[tool.typedseg] {SETTING} must be a list of package names, not {packages!r}.")
    bad = bad_packages(packages)
    if bad:
        raise problem(f"[tool.typedseg] {SETTING} has entries that are not package names: {bad}.")
    return tuple(packages)


def data_config_policy(config: FilePath, allow_import: Sequence[str], *, keep: bool) -> UserImports:
    """The imports a data config may do: the packages given on the command line and in the project's pyproject."""
    return UserImports(allowed=(*allow_import, *pyproject_packages(config)), loaded=False, keep=keep)


def unresolved(value: Any, path: Path = ()) -> Iterator[tuple[Path, UnresolvedUserConfig]]:
    """Every user object of a config that was kept as data (its module was not imported), with its path."""
    if isinstance(value, UnresolvedUserConfig):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from unresolved(getattr(value, name), (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unresolved(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unresolved(item, (*path, key))
