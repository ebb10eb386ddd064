"""Is a `.py` file an MMEngine (MMSegmentation) dict-style config? Decided from its syntax alone, never by running it.

A typedseg config assigns `config` (an `Experiment`) and imports typedseg. An MMEngine config assigns `_base_`, or
assigns MMEngine's sections (`model`, `train_cfg`, `optim_wrapper`, ...) and no `config`. Every command that reads a
config uses this to read an MMSegmentation config through the importer instead of running it.
"""

from __future__ import annotations

import ast
from pathlib import Path

MMENGINE_SECTIONS = frozenset(
    {
        "model",
        "train_cfg",
        "val_cfg",
        "test_cfg",
        "optim_wrapper",
        "optimizer",
        "param_scheduler",
        "train_dataloader",
        "val_dataloader",
        "test_dataloader",
        "val_evaluator",
        "test_evaluator",
        "default_hooks",
        "env_cfg",
        "default_scope",
    }
)
MAX_BYTES = 1 << 20
"""Larger files are not inspected (a config is a few kilobytes)."""


def is_mmengine_config(path: str | Path) -> bool:
    """True when `path` is a Python file in MMEngine's dict style (see the module docstring)."""
    file = Path(path)
    if file.suffix.lower() != ".py" or not file.is_file():
        return False
    try:
        if file.stat().st_size > MAX_BYTES:
            return False
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    assigned: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "typedseg":
            return False
        if isinstance(node, ast.Import) and any(
            alias.name.split(".")[0] == "typedseg" for alias in node.names
        ):
            return False
        targets = (
            node.targets
            if isinstance(node, ast.Assign)
            else [node.target]
            if isinstance(node, ast.AnnAssign)
            else []
        )
        assigned.update(target.id for target in targets if isinstance(target, ast.Name))
    if "config" in assigned:
        return False
    return "_base_" in assigned or bool(assigned & MMENGINE_SECTIONS)
