"""A semantic diff of two resolved configs: field by field, with list items matched by kind.

Two experiments are compared as fully resolved data (every default written out), so a changed default shows.
Lists whose items have a `type` (schedulers, hooks, pipelines) are aligned by type and then by order among items
of the same type, which is what a person means: inserting a warm-up scheduler is one addition, not a change of
every scheduler after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from typedseg.problems import Path, format_path

Kind = Literal["changed", "added", "removed"]


@dataclass(frozen=True)
class Change:
    """One difference: the path as the config spells it, and the values before and after."""

    kind: Kind
    path: Path
    before: Any = None
    after: Any = None


def diff_experiments(before: BaseModel, after: BaseModel) -> list[Change]:
    """Every difference between two configs, in field order."""
    from typedseg.loading.dump import to_data

    return list(_diff(to_data(before), to_data(after), ()))


def _diff(a: Any, b: Any, path: Path) -> Iterator[Change]:
    if isinstance(a, dict) and isinstance(b, dict) and a.get("type") == b.get("type"):
        for key in [*a, *(k for k in b if k not in a)]:
            if key not in b:
                yield Change("removed", (*path, key), before=a[key])
            elif key not in a:
                yield Change("added", (*path, key), after=b[key])
            else:
                yield from _diff(a[key], b[key], (*path, key))
        return
    if isinstance(a, list) and isinstance(b, list):
        yield from _diff_lists(a, b, path)
        return
    if a != b:
        yield Change("changed", path, before=a, after=b)


def _kind(item: Any) -> str | None:
    return item.get("type") if isinstance(item, dict) and isinstance(item.get("type"), str) else None


def _diff_lists(a: list[Any], b: list[Any], path: Path) -> Iterator[Change]:
    if not all(_kind(item) for item in (*a, *b)):
        # Plain values (milestones, crop sizes): position is the meaning.
        for index in range(max(len(a), len(b))):
            if index >= len(b):
                yield Change("removed", (*path, index), before=a[index])
            elif index >= len(a):
                yield Change("added", (*path, index), after=b[index])
            else:
                yield from _diff(a[index], b[index], (*path, index))
        return
    pairs = _align(a, b)
    for index_a, index_b in pairs:
        if index_a is not None and index_b is not None:
            yield from _diff(a[index_a], b[index_b], (*path, _label(b, index_b)))
        elif index_a is not None:
            yield Change("removed", (*path, _label(a, index_a)), before=a[index_a])
        elif index_b is not None:
            yield Change("added", (*path, _label(b, index_b)), after=b[index_b])


def _align(a: Sequence[Any], b: Sequence[Any]) -> list[tuple[int | None, int | None]]:
    """Pair items of the same type in order of appearance; unpaired ones are removals or additions."""
    pairs: list[tuple[int | None, int | None]] = []
    used: set[int] = set()
    for index_a, item in enumerate(a):
        kind = _kind(item)
        rank = sum(1 for other in a[:index_a] if _kind(other) == kind)
        same = [i for i, other in enumerate(b) if _kind(other) == kind]
        match = same[rank] if rank < len(same) else None
        if match is not None:
            used.add(match)
        pairs.append((index_a, match))
    pairs.extend((None, index_b) for index_b in range(len(b)) if index_b not in used)
    return sorted(pairs, key=lambda pair: (pair[1] if pair[1] is not None else pair[0] or 0, pair[1] is None))


def _label(items: Sequence[Any], index: int) -> str | int:
    """`[PolyLR]` when the type is unique in the list, else the index."""
    kind = _kind(items[index])
    return f"[{kind}]" if kind and sum(1 for item in items if _kind(item) == kind) == 1 else index


def _show(value: Any) -> str:
    return json.dumps(value, separators=(", ", ": "))


def format_changes(changes: Sequence[Change], *, color: bool = False) -> str:
    """One line per change: `~ path: before -> after`, `+ path: value`, `- path: value`."""
    marks = {"changed": ("~", "33"), "added": ("+", "32"), "removed": ("-", "31")}
    lines = []
    for change in changes:
        mark, code = marks[change.kind]
        if change.kind == "changed":
            text = f"{mark} {format_path(change.path)}: {_show(change.before)} -> {_show(change.after)}"
        else:
            value = change.after if change.kind == "added" else change.before
            text = f"{mark} {format_path(change.path)}: {_show(value)}"
        lines.append(f"\x1b[{code}m{text}\x1b[0m" if color else text)
    return "\n".join(lines)


def changes_json(changes: Sequence[Change]) -> list[dict[str, Any]]:
    return [
        {"kind": c.kind, "path": format_path(c.path), "before": c.before, "after": c.after} for c in changes
    ]
