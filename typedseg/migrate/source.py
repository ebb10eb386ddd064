"""One config file's text as MMEngine prepares it before parsing, its syntax tree, and its `_base_` entries.

MMEngine substitutes text before it parses a `.py` config (`Config._file2dict`): the predefined variables
`{{ fileDirname }}`, `{{ fileBasename }}`, `{{ fileBasenameNoExtension }}` and `{{ fileExtname }}` become their
values, environment variables `{{$VAR:default}}` become the variable's value, and every `{{_base_.a.b}}` becomes a
quoted placeholder string that is replaced by the base's value after evaluation. The same happens here, except
environment variables, which are refused: a config read by typedseg must not depend on the environment.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from typedseg.migrate.errors import fail
from typedseg.migrate.limits import LIMIT_HINT, MAX_SOURCE_BYTES, MAX_SYNTAX_DEPTH

BASE_KEY = "_base_"
PLACEHOLDER_PREFIX = "__typedseg_base_var_"
_PREDEFINED = ("fileDirname", "fileBasename", "fileBasenameNoExtension", "fileExtname")
_BASE_VAR = re.compile(r"\{\{\s*" + BASE_KEY + r"\.([\w\.]+)\s*\}\}")
_ENV_VAR = re.compile(r"\{\{['\"]?\s*\$(\w+)\s*\:\s*(.*?)\s*\}\}['\"]?")


@dataclass(frozen=True)
class SourceFile:
    """A config file after MMEngine's text substitutions, parsed."""

    path: str
    tree: ast.Module
    base_entries: tuple[str, ...]
    """The `_base_` value as written (one entry for `_base_ = 'x.py'`)."""
    base_line: int | None
    base_vars: dict[str, str]
    """Placeholder string -> the dotted name after `_base_.` in `{{_base_.a.b}}`."""


def _replacement(value: str) -> Callable[[re.Match[str]], str]:
    """A `re.sub` replacement that inserts `value` literally (no backslash escapes)."""
    return lambda _match: value


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def substitute_predefined(text: str, path: str) -> str:
    """`Config._substitute_predefined_vars`, for the file at `path` (absolute)."""
    dirname = os.path.dirname(path)
    basename = os.path.basename(path)
    values = {
        "fileDirname": dirname,
        "fileBasename": basename,
        "fileBasenameNoExtension": os.path.splitext(basename)[0],
        "fileExtname": os.path.splitext(path)[1],
    }
    for key in _PREDEFINED:
        value = values[key].replace("\\", "/")
        text = re.sub(r"\{\{\s*" + key + r"\s*\}\}", _replacement(value), text)
    return text


def read_source(path: str) -> SourceFile:
    """Read, substitute and parse the config at `path` (absolute). Raises `MMConfigError`."""
    if os.path.splitext(path)[1] != ".py":
        raise fail(
            "mmconfig-unsupported",
            "only Python (.py) MMEngine configs are read; YAML/JSON configs with `_base_` are not supported",
            path,
            None,
        )
    try:
        if os.path.getsize(path) > MAX_SOURCE_BYTES:
            raise fail(
                "mmconfig-limit",
                f"the file is larger than {MAX_SOURCE_BYTES} bytes",
                path,
                None,
                hint=LIMIT_HINT,
            )
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_SOURCE_BYTES + 1)
    except (OSError, UnicodeDecodeError) as error:
        raise fail("mmconfig-read", f"cannot read the config: {error}", path, None) from error

    text = substitute_predefined(text, path)
    env = _ENV_VAR.search(text)
    if env is not None:
        raise fail(
            "mmconfig-unsupported",
            f"environment variable substitution `{env.group(0)}` is not supported: "
            "a config read by typedseg must not depend on the environment",
            path,
            _line_of(text, env.start()),
            hint="Write the value into the config.",
        )

    base_vars: dict[str, str] = {}
    for number, dotted in enumerate(sorted(set(_BASE_VAR.findall(text)))):
        token = f"{PLACEHOLDER_PREFIX}{number}__"
        base_vars[token] = dotted
        pattern = r"\{\{\s*" + BASE_KEY + r"\." + re.escape(dotted) + r"\s*\}\}"
        text = re.sub(pattern, _replacement(f'"{token}"'), text)

    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        raise fail("mmconfig-syntax", f"syntax error: {error.msg}", path, error.lineno) from error
    except (
        RecursionError,
        MemoryError,
        ValueError,
    ) as error:  # nesting past the compiler's limits; 5000 digits
        raise fail(
            "mmconfig-limit",
            f"Python's parser gives up on this file ({type(error).__name__}: nesting or numbers past its limits)",
            path,
            None,
            hint=LIMIT_HINT,
        ) from None
    deep = _too_deep(tree)
    if deep is not None:
        raise fail(
            "mmconfig-limit",
            f"an expression nests more than {MAX_SYNTAX_DEPTH} levels deep",
            path,
            getattr(deep, "lineno", None),
            hint=LIMIT_HINT,
        )

    entries, line = _base_entries(tree, path)
    return SourceFile(path=path, tree=tree, base_entries=entries, base_line=line, base_vars=base_vars)


def _too_deep(tree: ast.Module) -> ast.AST | None:
    """The first node nested deeper than MAX_SYNTAX_DEPTH, found without recursion (the checks that follow
    recurse)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_SYNTAX_DEPTH:
            return node
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return None


def _base_entries(tree: ast.Module, path: str) -> tuple[tuple[str, ...], int | None]:
    """`Config._get_base_files`: the first top-level `_base_ = ...` names the bases (MMEngine ignores any later one)."""
    for statement in tree.body:
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.targets[0], ast.Name)
            and statement.targets[0].id == BASE_KEY
        ):
            try:
                value = ast.literal_eval(statement.value)
            except (ValueError, TypeError, MemoryError, RecursionError) as error:  # TypeError: `{[1]: 2}`
                raise fail(
                    "mmconfig-bad-base",
                    "`_base_` must be a string or a list of strings written literally",
                    path,
                    statement.lineno,
                ) from error
            entries = value if isinstance(value, list) else [value]
            if not all(isinstance(entry, str) for entry in entries):
                raise fail(
                    "mmconfig-bad-base",
                    f"`_base_` must be a string or a list of strings, not {value!r}",
                    path,
                    statement.lineno,
                    hint="MMEngine treats anything but a list (a tuple too) as one path.",
                )
            return tuple(entries), statement.lineno
    return (), None
