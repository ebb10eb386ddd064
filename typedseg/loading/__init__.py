"""File -> Experiment: Python modules, YAML (safe, YAML 1.2 scalars) and JSON, plus `--set` overrides.

Loading knows files and locations; the models know values and rules. Every user mistake leaves here as a
`ConfigError` whose problems carry `FILE:LINE` where it can be known.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from typedseg.problems import ConfigError, Path, Problem

if TYPE_CHECKING:
    from typedseg.config.base import UserImports

Format = Literal["python", "yaml", "json"]
_SUFFIXES: dict[str, Format] = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
Locator = Callable[[Path], "tuple[str, int] | None"]


@dataclass
class LoadedConfig:
    """A validated experiment and what is known about where its values came from."""

    experiment: (
        Any  # typedseg.config.experiment.Experiment (typed Any here to keep this module's import light)
    )
    path: FilePath
    format: Format
    overrides: tuple[str, ...] = ()
    warnings: list[Problem] = field(default_factory=list)
    locate: Locator | None = field(default=None, repr=False, compare=False)
    """Where a field path is written in the file (for problems found later, when the run is built)."""


def read_text(path: FilePath) -> str:
    """A config file's text; a file that is not UTF-8 text is a user mistake, not a crash."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [
                Problem(
                    "not-text",
                    (),
                    f"the file is not UTF-8 text (byte {exc.start}: {exc.reason}).",
                    "Save the config as UTF-8 text.",
                    file=str(path),
                )
            ]
        ) from None


@contextmanager
def importable(*folders: FilePath) -> Iterator[None]:
    """Put `folders` first on sys.path while a config is read (a Python config's own imports, user types)."""
    added = [str(folder) for folder in folders if str(folder) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for folder in added:
            if folder in sys.path:
                sys.path.remove(folder)


def config_format(path: FilePath) -> Format:
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ConfigError(
            [
                Problem(
                    "unknown-format",
                    (),
                    f"cannot tell the format of '{path.name}' from its suffix.",
                    "Use .py, .yaml, .yml or .json.",
                    file=str(path),
                )
            ]
        )
    return fmt


def _locate_with(locator: Locator, problems: Sequence[Problem], default_file: str) -> list[Problem]:
    located = []
    for problem in problems:
        if problem.file is not None:
            located.append(problem)
            continue
        where = None
        if problem.code in ("unknown-type", "missing-type"):
            where = locator((*problem.path, "type"))  # the `type:` line itself, when the section has one
        where = where or locator(problem.path)
        located.append(problem.at(*where) if where else problem.at(default_file, None))
    return located


def _yaml_locator(filename: str, lines: dict[Path, int]) -> Locator:
    def locate(path: Path) -> tuple[str, int] | None:
        for end in range(len(path), -1, -1):
            line = lines.get(path[:end])
            if line is not None:
                return filename, line
        return None

    return locate


def _load_data_file(
    path: FilePath, fmt: Format, policy: UserImports, overrides: Sequence[str] = ()
) -> tuple[Any, Locator]:
    from typedseg.config.base import user_imports
    from typedseg.config.errors import problems_from_validation
    from typedseg.config.experiment import Experiment
    from typedseg.config.json_mode import validate_document_data
    from typedseg.loading.yaml12 import MAX_CONFIG_BYTES, read_yaml, too_large

    filename = str(path)
    if path.stat().st_size > MAX_CONFIG_BYTES:  # before reading it all into memory
        raise ConfigError(
            [too_large(f"the file is larger than {MAX_CONFIG_BYTES} bytes.").at(filename, None)]
        )
    text = read_text(path)
    if fmt == "json":
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                [Problem("syntax-error", (), f"{exc.msg}.", "", file=filename, line=exc.lineno)]
            ) from None
        except (ValueError, RecursionError):
            pass  # a number past Python's digit limit, nesting past json's: the YAML reader reports them
    try:
        doc = read_yaml(text)
    except Exception as exc:  # yaml.YAMLError: keep yaml out of this module's imports
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and context_mark is not None and context_mark.line + 1 != line:
            reason = f"{reason} ({context} started on line {context_mark.line + 1})"
        raise ConfigError([Problem("syntax-error", (), f"{reason}.", "", file=filename, line=line)]) from None
    locate = _yaml_locator(filename, doc.lines)
    if doc.problems:
        raise ConfigError([p.at(filename, p.line) for p in doc.problems])
    if isinstance(doc.data, dict):
        doc.data.pop("$schema", None)  # editors' schema pointer in JSON configs: not a setting
    if not isinstance(doc.data, dict):
        raise ConfigError(
            [
                Problem(
                    "not-a-mapping",
                    (),
                    "the document must be a mapping of config sections.",
                    "Write one `section: value` per line at the top level.",
                    file=filename,
                    line=1,
                )
            ]
        )
    try:
        # JSON mode: strict about scalars ("80000" is no int) but arrays fill tuple fields (betas: [0.9, 0.999]).
        # User types named by dotted path are imported only as `policy` allows (nothing is added to sys.path).
        with user_imports(policy):
            experiment = validate_document_data(Experiment, doc.data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, Experiment)
        if overrides:  # the file fails as written: validate it again with the --set values in place
            from typedseg.loading.overrides import apply_to_data, blame

            fixed = apply_to_data(doc.data, overrides)
            if fixed is not None:
                try:
                    with user_imports(policy):
                        return validate_document_data(Experiment, fixed), locate
                except ValidationError as again:
                    problems = blame(problems_from_validation(again, Experiment), overrides)
        raise ConfigError(_locate_with(locate, problems, filename)) from None
    return experiment, locate


def _load_python_file(path: FilePath) -> tuple[Any, Locator]:
    from typedseg.config.base import UserImports, user_imports
    from typedseg.config.experiment import Experiment
    from typedseg.loading.locate import locate_in_objects
    from typedseg.loading.python_file import assignment_line, run_python_config

    with user_imports(
        UserImports(everything=True)
    ):  # a program the user runs on purpose: it imports what it says
        experiment = run_python_config(path)
    if not isinstance(experiment, Experiment):
        raise ConfigError(
            [
                Problem(
                    "not-an-experiment",
                    (),
                    f"`config` is a {type(experiment).__name__}, not an Experiment.",
                    "Assign an Experiment(...) (or a preset that returns one) to `config`.",
                    file=str(path),
                    line=assignment_line(str(path.resolve()), "config"),
                )
            ]
        )
    return experiment, lambda p: locate_in_objects(experiment, p)


def load_config(
    path: str | FilePath,
    overrides: Sequence[str] = (),
    *,
    allow_import: Sequence[str] = (),
    keep_unresolved: bool = False,
) -> LoadedConfig:
    """Load, validate and override one config file. Raises ConfigError with located problems.

    A dotted `type` in a YAML/JSON config imports its module only when its package is in `allow_import` or in the
    `[tool.typedseg] allow-import` of the pyproject.toml above the config. Otherwise it is a
    `user-import-not-allowed` problem, or, with `keep_unresolved`, an `UnresolvedUserConfig` holding the data as
    written (for `show`, `diff` and `export`, which need no user code).
    """
    file_path = FilePath(path)
    fmt = config_format(file_path)
    if not file_path.is_file():
        raise ConfigError(
            [Problem("missing-file", (), "no such file.", "Check the path.", file=str(file_path))]
        )
    from typedseg.config.base import user_imports
    from typedseg.config.rules.experiment import (  # after the cheap checks: it defines models
        check_experiment,
        rules_deferred,
    )
    from typedseg.loading.overrides import apply_overrides
    from typedseg.loading.user_imports import data_config_policy

    policy = data_config_policy(file_path, allow_import, keep=keep_unresolved)
    with rules_deferred():  # checked once, after the overrides (which may fix what the file breaks)
        if fmt == "python":
            experiment, locate = _load_python_file(file_path)
        else:
            experiment, locate = _load_data_file(file_path, fmt, policy, overrides)
    try:
        with user_imports(policy):
            experiment = apply_overrides(experiment, overrides)
    except ConfigError as exc:
        raise ConfigError(_locate_with(locate, exc.problems, str(file_path))) from None
    warnings = [p for p in check_experiment(experiment) if not p.is_error]
    return LoadedConfig(
        experiment, file_path, fmt, tuple(overrides), _locate_with(locate, warnings, str(file_path)), locate
    )


def located(problems: Sequence[Problem], locate: Locator, default_file: str) -> list[Problem]:
    """Problems with `file`/`line` filled in by `locate` (exposed for callers that build their own)."""
    return _locate_with(locate, problems, default_file)
