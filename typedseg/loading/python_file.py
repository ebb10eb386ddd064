"""Run a Python config file and take its module-level `config`; turn every failure into located problems."""

from __future__ import annotations

import ast
import dataclasses
import traceback
import types
from pathlib import Path as FilePath
from typing import Any

from typedseg.config.base import PACKAGE_DIRS
from typedseg.loading.locate import locate_in_objects, root_path_of
from typedseg.problems import ConfigError, Problem


def _located_construction_error(exc: ConfigError) -> ConfigError:
    construction = exc.construction
    if construction is None:
        return exc
    located = []
    prefix = root_path_of(construction.site)
    for problem in exc.problems:
        where = locate_in_objects(construction.arguments, problem.path, construction.site)
        # From the root, as the YAML form of this config would report it; or, for an object built where the
        # config expression does not show (inside a helper function), from its class.
        path = (*prefix, *problem.path) if prefix is not None else (construction.class_name, *problem.path)
        moved = dataclasses.replace(problem, path=path)
        located.append(moved.at(*where) if where else moved)
    return ConfigError(located)


def _user_frame(exc: BaseException, filename: str) -> int | None:
    """The line in the config file where a plain exception (NameError, ImportError, ...) surfaced."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == filename:
            line = frame.lineno
    return line


def run_python_config(path: FilePath) -> Any:
    """Execute `path` as a module and return its `config` attribute. User mistakes raise ConfigError.

    An exception raised by the config's own code (a NameError, an ImportError, even sys.exit()) is the user's
    mistake and is reported at its line; one raised inside typedseg is a bug and keeps its traceback.
    """
    from typedseg.loading import importable, read_text

    filename = str(path.resolve())
    source = read_text(path)
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as exc:
        raise ConfigError(
            [Problem("syntax-error", (), f"{exc.msg.rstrip('.')}.", "", file=filename, line=exc.lineno)]
        ) from None
    module = types.ModuleType(path.stem)
    module.__file__ = filename
    try:
        with importable(path.resolve().parent):
            exec(code, module.__dict__)
    except ConfigError as exc:
        if exc.construction is None:  # e.g. replace(...) in the config: blame the line that called it
            line = _user_frame(exc, filename)
            raise ConfigError([p if p.file else p.at(filename, line) for p in exc.problems]) from None
        raise _located_construction_error(exc) from None
    except (Exception, SystemExit) as exc:
        if _raised_inside_typedseg(exc):
            raise
        problem = Problem(
            "config-raised",
            (),
            f"running the config raised {type(exc).__name__}: {exc}.",
            "Fix the Python error at this line.",
            file=filename,
            line=_user_frame(exc, filename),
        )
        raise ConfigError([problem]) from None
    if "config" not in module.__dict__:
        raise ConfigError([_no_config(module.__dict__, filename)])
    return module.__dict__["config"]


def _raised_inside_typedseg(exc: BaseException) -> bool:
    """Whether an exception surfaced in typedseg's own code (a bug) rather than in the config's."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].filename.startswith(PACKAGE_DIRS)


def assignment_line(filename: str, name: str) -> int | None:
    """The line of the last module-level `name = ...` in a Python file."""
    from typedseg.loading.locate import parse_file

    tree = parse_file(filename)
    lines = [
        node.lineno
        for node in (tree.body if tree is not None else [])
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and any(isinstance(t, ast.Name) and t.id == name for t in _targets(node))
    ]
    return lines[-1] if lines else None


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return list(node.targets) if isinstance(node, ast.Assign) else [node.target]


def _no_config(namespace: dict[str, Any], filename: str) -> Problem:
    from typedseg.config.experiment import Experiment

    names = [
        name
        for name, value in namespace.items()
        if isinstance(value, Experiment) and not name.startswith("_")
    ]
    if len(names) == 1:
        return Problem(
            "no-config",
            (),
            f"the file defines no module-level `config`; it builds an Experiment named `{names[0]}`.",
            f"Rename `{names[0]}` to `config`.",
            file=filename,
            line=assignment_line(filename, names[0]),
        )
    return Problem(
        "no-config",
        (),
        "the file defines no module-level `config`.",
        "Assign the experiment to a variable named `config` (config = Experiment(...)).",
        file=filename,
        line=1,
    )
