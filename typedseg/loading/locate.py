"""Find the `FILE:LINE` of a config value: the keyword argument that set it, or the object that holds it.

Python configs: each config object remembers the span of the call that built it (`ConfigModel.site`). To find
`train_cfg.max_iters` we walk the objects along the path and, in the source of each call (parsed once per file),
descend keyword -> list element -> dict value, keeping the most specific line found. Objects built elsewhere (a
variable, a preset) continue the walk from their own call site.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel

from typedseg.config.base import ConfigModel
from typedseg.problems import Path, Site


@lru_cache(maxsize=64)
def parse_file(filename: str) -> ast.Module | None:
    """The parsed source of a file (cached: errors are located many times in one file)."""
    try:
        return ast.parse(FilePath(filename).read_text(encoding="utf-8"), filename)
    except (OSError, SyntaxError, ValueError):
        return None


def call_at(site: Site) -> ast.Call | None:
    """The call expression at `site` (exact span when known, else the first call starting on that line)."""
    tree = parse_file(site.filename)
    if tree is None:
        return None
    fallback: ast.Call | None = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset) == (
            site.lineno,
            site.col,
            site.end_lineno,
            site.end_col,
        ):
            return node
        if node.lineno == site.lineno and (fallback is None or node.col_offset < fallback.col_offset):
            fallback = node
    return fallback


def _child_node(node: ast.AST | None, part: str | int) -> ast.expr | None:
    """The source node of `part` below `node`: a keyword's value, a list element or a dict value."""
    if isinstance(node, ast.Call) and isinstance(part, str):
        return next((kw.value for kw in node.keywords if kw.arg == part), None)
    if isinstance(node, (ast.List, ast.Tuple)) and isinstance(part, int) and 0 <= part < len(node.elts):
        return node.elts[part]
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == part:
                return value
    return None


def _child_value(value: Any, part: str | int) -> Any:
    if isinstance(value, BaseModel) and isinstance(part, str):
        return getattr(value, part, None)
    if isinstance(value, (tuple, list)) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    if isinstance(value, dict):
        return value.get(part)
    return None


def locate_in_objects(root: Any, path: Path, root_site: Site | None = None) -> tuple[str, int] | None:
    """`(file, line)` of the value at `path` below `root` (a config object, or a construction's arguments).

    Along the path, a value built by its own constructor call elsewhere (a variable, a list defined above, a
    helper function in the config) is followed to that call: that is where a person edits it.
    """
    site = root_site or getattr(root, "site", None)
    if site is None:
        return None
    filename, line = site.filename, site.lineno
    node: ast.expr | None = call_at(site)
    value = root
    for part in path:
        child = _child_node(node, part)
        value = _child_value(value, part)
        own_site = value.site if isinstance(value, ConfigModel) else None
        if own_site is not None and not (child is not None and _same_span(child, own_site)):
            filename, line, node = own_site.filename, own_site.lineno, call_at(own_site)
        elif child is not None:
            line, node = child.lineno, child
        else:
            break
    else:
        items = value if isinstance(value, (tuple, list)) else ()
        first = next((item.site for item in items if isinstance(item, ConfigModel) and item.site), None)
        if first is not None and not isinstance(node, (ast.List, ast.Tuple)):
            # A list of objects passed by name (a pipeline defined above): point at where its items are written.
            return first.filename, first.lineno
    return filename, line


def _same_span(node: ast.AST, site: Site) -> bool:
    return isinstance(node, ast.Call) and (
        node.lineno,
        node.col_offset,
        node.end_lineno,
        node.end_col_offset,
    ) == (
        site.lineno,
        site.col,
        site.end_lineno,
        site.end_col,
    )


def _find(node: ast.expr, target: Any, path: Path) -> Path | None:
    """The config path from `node` (an expression inside the config) to `target` (a predicate on nodes)."""
    if target(node):
        return path
    children: list[tuple[str | int, ast.expr]] = []
    if isinstance(node, ast.Call):
        children = [(kw.arg, kw.value) for kw in node.keywords if kw.arg is not None]
    elif isinstance(node, (ast.List, ast.Tuple)):
        children = list(enumerate(node.elts))
    elif isinstance(node, ast.Dict):
        children = [
            (key.value, value)
            for key, value in zip(node.keys, node.values, strict=True)
            if isinstance(key, ast.Constant) and isinstance(key.value, (str, int))
        ]
    for part, child in children:
        found = _find(child, target, (*path, part))
        if found is not None:
            return found
    return None


def _config_call(tree: ast.Module) -> ast.expr | None:
    """The expression assigned to the module-level `config` (the last assignment wins, as in Python)."""
    value = None
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "config" for t in statement.targets
        ):
            value = statement.value
    return value


def root_path_of(site: Site) -> Path | None:
    """Where the object built at `site` sits in the file's `config = Experiment(...)`, if it can be told.

    Works for objects written inline in the config expression, and for objects assigned to a module-level
    variable that the config expression then uses by name.
    """
    tree = parse_file(site.filename)
    config = _config_call(tree) if tree is not None else None
    if tree is None or config is None:
        return None
    found = _find(config, lambda node: _same_span(node, site), ())
    if found is not None:
        return found
    names = [
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign) and _same_span(statement.value, site)
        for target in statement.targets
        if isinstance(target, ast.Name)
    ]
    if len(names) != 1:
        return None
    return _find(config, lambda node: isinstance(node, ast.Name) and node.id == names[0], ())
