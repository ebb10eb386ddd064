"""`replace`: a changed copy of a config that is validated again, down to nested paths.

pydantic's `model_copy(update=...)` does not validate (it even stores raw dicts in typed fields). Here every model
on the way from the root to the changed value is rebuilt through its constructor, so field types and every rule
(including the experiment's cross-field rules) hold for the result. Untouched sub-objects are shared, which is safe
because configs are immutable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from typedseg.config.errors import suggest
from typedseg.problems import ConfigError, Path, PathPart, Problem, format_path

M = TypeVar("M", bound=BaseModel)

_PATH = re.compile(r"^[^.\[\]]+(?:\.[^.\[\]]+|\[[^\[\]]+\])*$")
_PART = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")
_INDEX = re.compile(r"-?[0-9]+", re.ASCII)


def _odd(token: str) -> bool:
    """A part that looks like an index but is none (`--1`, `²`), or holds spaces: a typo, never a key."""
    return token.startswith("-") or any(c.isspace() or (c.isdigit() and not c.isascii()) for c in token)


def parse_path(text: str) -> tuple[PathPart, ...]:
    """`param_scheduler[0].end`, `param_scheduler.0.end` and `custom_hooks[EMAHook].momentum` -> parts.

    A bracketed or dotted integer is a list index; a bracketed name selects the list item of that `type`.
    """
    if not _PATH.match(text):
        raise ConfigError(
            [Problem("invalid-path", (), f"'{text}' is not a config path.", "Write e.g. a.b[0].c")]
        )
    tokens = (name or bracketed for name, bracketed in _PART.findall(text))
    parts = tuple(int(token) if _INDEX.fullmatch(token) else token for token in tokens)
    odd = [part for part in parts if isinstance(part, str) and _odd(part)]
    if odd:
        raise ConfigError(
            [
                Problem(
                    "invalid-path",
                    (),
                    f"'{text}' is not a config path: '{odd[0]}' is neither a name nor an index.",
                    "Write e.g. a.b[0].c, a.b[-1].c or a.b[PolyLR].c",
                )
            ]
        )
    return parts


def replace(model: M, changes: Mapping[str, Any] | None = None, /, **fields: Any) -> M:
    """A copy of `model` with `changes` (dotted paths) and `fields` (top-level names) set, validated again.

    `replace(cfg, {"train_cfg.max_iters": 40000, "param_scheduler[0].end": 40000})`
    `replace(loop, max_iters=40000)`
    All changes are applied together and the result is validated once, so changes that only make sense together
    (a longer run and a later schedule end) can be given in any order. Raises ConfigError (paths from `model`'s
    root) when the result is invalid.
    """
    updates = [(parse_path(text), value) for text, value in {**(changes or {}), **fields}.items()]
    return apply_updates(model, updates)  # type: ignore[no-any-return]


def apply_updates(node: Any, updates: Sequence[tuple[Path, Any]], prefix: Path = ()) -> Any:
    """`node` with every `(path, value)` applied; each model on the way is rebuilt (validated) once.

    A shorter path applies before longer ones below it, so `optimizer=AdamW` then `optimizer.lr=...` works.
    """
    result = node
    for path, value in updates:
        if not path:
            result = value
    below: dict[PathPart, list[tuple[Path, Any]]] = {}
    for path, value in sorted((u for u in updates if u[0]), key=lambda u: len(u[0])):
        below.setdefault(path[0], []).append((path[1:], value))
    if not below:
        return result
    if isinstance(result, BaseModel):
        fields = type(result).model_fields
        changed = {}
        for head, sub in below.items():
            if not isinstance(head, str) or head not in fields:
                raise ConfigError([_unknown(result, head, prefix)])
            changed[head] = apply_updates(getattr(result, head), sub, (*prefix, head))
        return rebuild(result, changed, prefix)
    if isinstance(result, tuple):
        by_index: dict[int, list[tuple[Path, Any]]] = {}
        for head, sub in below.items():  # `[1]`, `.1` and `[PolyLR]` may name the same item
            by_index.setdefault(_index(result, head, prefix), []).extend(sub)
        items = list(result)
        for index, sub in by_index.items():
            items[index] = apply_updates(result[index], sub, (*prefix, index))
        return tuple(items)
    if isinstance(result, dict):
        updated = dict(result)
        for head, sub in below.items():
            updated[head] = apply_updates(result.get(head), sub, (*prefix, head))
        return updated
    head = next(iter(below))
    where = format_path(prefix) or "the config"
    raise ConfigError(
        [
            Problem(
                "not-a-section",
                (*prefix, head),
                f"{where} is {result!r}, which has no '{head}'.",
                f"Set {where} as a whole first.",
            )
        ]
    )


def _unknown(model: BaseModel, head: PathPart, prefix: Path) -> Problem:
    fields = type(model).model_fields
    guess = suggest(str(head), fields) if isinstance(head, str) else None
    return Problem(
        "unknown-key",
        (*prefix, head),
        f"{type(model).__name__} has no setting '{head}'.",
        f"Did you mean '{guess}'?" if guess else f"It accepts: {', '.join(fields)}.",
    )


def rebuild(node: BaseModel, updates: Mapping[str, Any], prefix: Path = ()) -> BaseModel:
    """A new `type(node)` built from node's fields with `updates`, through the validating constructor."""
    data = {name: getattr(node, name) for name in type(node).model_fields}
    data.update(updates)
    try:
        return type(node)(**data)
    except ConfigError as exc:
        raise ConfigError([p.under(prefix) for p in exc.problems]) from None


def _index(items: tuple[Any, ...], key: PathPart, prefix: Path) -> int:
    if isinstance(key, int):
        if -len(items) <= key < len(items):
            return key % len(items)
        message = (
            f"index {key} is out of range: there {'is' if len(items) == 1 else 'are'} {len(items)} item(s)."
        )
        raise ConfigError([Problem("index-out-of-range", (*prefix, key), message, "")])
    matches = [i for i, item in enumerate(items) if getattr(item, "type", None) == key]
    if len(matches) == 1:
        return matches[0]
    types = [getattr(item, "type", "?") for item in items]
    message = (
        f"no item of type '{key}'; the items are {types}."
        if not matches
        else f"{len(matches)} items have type '{key}'; select one by index."
    )
    raise ConfigError(
        [Problem("ambiguous-item" if matches else "no-such-item", (*prefix, f"[{key}]"), message, "")]
    )
