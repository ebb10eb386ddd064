"""The error raised for a config that cannot be read, and a helper that builds its problems."""

from __future__ import annotations

from collections.abc import Iterable

from typedseg.problems import ConfigError, Path, Problem


class MMConfigError(ConfigError):
    """An MMEngine config uses something the reader refuses, or MMEngine itself would fail on it.

    Each problem carries a stable code (`mmconfig-unsupported`, `mmconfig-base-conflict`, ...) and the FILE:LINE
    a person must look at.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        super().__init__(problems)

    def __str__(self) -> str:
        return "\n".join(
            (f"{p.file}:{p.line}: " if p.line is not None else f"{p.file}: ") + f"{p.message} [{p.code}]"
            if p.file
            else f"{p.message} [{p.code}]"
            for p in self.problems
        )


def problem(
    code: str, message: str, file: str | None, line: int | None, path: Path = (), hint: str = ""
) -> Problem:
    return Problem(code=code, path=path, message=message, hint=hint, file=file, line=line)


def fail(
    code: str, message: str, file: str | None, line: int | None, path: Path = (), hint: str = ""
) -> MMConfigError:
    """The exception for one problem (callers `raise fail(...)`)."""
    return MMConfigError([problem(code, message, file, line, path, hint)])
