"""Problems found in a config, and the exception that carries them.

A `Problem` is what a person reads: a stable code, the dotted path as the config spells it, what is wrong, how
to fix it, and where (`FILE:LINE`) once the loader has located it. Nothing here imports pydantic or torch.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

Severity = Literal["error", "warning"]
PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True)
class Site:
    """Where a config object was constructed: the caller's file and the span of the call expression."""

    filename: str
    lineno: int
    col: int | None = None
    end_lineno: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a config."""

    code: str
    path: Path
    message: str
    hint: str = ""
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None

    def under(self, prefix: Path) -> Problem:
        """The same problem with its path moved below `prefix`."""
        return replace(self, path=(*prefix, *self.path))

    def at(self, file: str | None, line: int | None) -> Problem:
        return replace(self, file=file, line=line)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def readable_path(file: str) -> str:
    """A file as a person reads it in a message: relative to the working directory when it is below it."""
    try:
        relative = os.path.relpath(file)
    except ValueError:
        return file
    return file if relative.startswith("..") else relative


def format_path(path: Sequence[PathPart]) -> str:
    """`("param_scheduler", 0, "end")` -> `param_scheduler[0].end`: the path as the config spells it."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.startswith("["):  # a list item selected by type: `param_scheduler[PolyLR]`
            text += part
        elif text:
            text += f".{part}"
        else:
            text = part
    return text


@dataclass(frozen=True)
class Construction:
    """A config object whose construction failed in a Python config file: enough to locate its arguments."""

    class_name: str
    site: Site
    arguments: dict[str, object]


class ConfigError(Exception):
    """A config has problems a person must fix. Never a bug in typedseg: the CLI prints it and exits 2."""

    def __init__(self, problems: Iterable[Problem], construction: Construction | None = None) -> None:
        self.problems = list(problems)
        self.construction = construction
        super().__init__("\n".join(f"{format_path(p.path)}: {p.message}" for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]
