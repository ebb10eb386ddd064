"""`--set PATH=VALUE` overrides, typed by the field they set.

Values are read as YAML 1.2 flow values (`0.02`, `true`, `[512, 512]`, `{max_norm: 1.0}`, `null`), then validated by
the field's own type; a field that wants a string gets the text as written. A bare name on a typed section switches
its kind (`optim_wrapper.optimizer=AdamW`), and a mapping merges into the current kind instead of replacing it.
Overrides apply shortest path first, so a switch and the fields of the new kind can come in any order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from typedseg.config.replace import apply_updates, parse_path
from typedseg.problems import ConfigError, Path, Problem


def _current(root: Any, path: Path) -> Any:
    node = root
    for part in path:
        if isinstance(node, BaseModel) and isinstance(part, str):
            node = getattr(node, part, None)
        elif isinstance(node, tuple) and isinstance(part, int) and -len(node) <= part < len(node):
            node = node[part]
        elif isinstance(node, tuple) and isinstance(part, str):
            node = next((item for item in node if getattr(item, "type", None) == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _tuples(value: Any) -> Any:
    """Lists from the command line become tuples: sequence fields accept both, tuple fields only tuples."""
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    if isinstance(value, dict):
        return {key: _tuples(item) for key, item in value.items()}
    return value


def _value_for(current: Any, parsed: Any) -> Any:
    if isinstance(current, BaseModel) and "type" in type(current).model_fields:
        kind = getattr(current, "type", None)
        if isinstance(parsed, str):
            return {"type": parsed} if parsed != kind else current
        if isinstance(parsed, dict) and parsed.get("type", kind) == kind:
            return {**{name: getattr(current, name) for name in type(current).model_fields}, **parsed}
    elif isinstance(current, BaseModel) and isinstance(parsed, dict):
        return {**{name: getattr(current, name) for name in type(current).model_fields}, **parsed}
    return parsed


def split_override(text: str, number: int) -> tuple[Path, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(
            [
                Problem(
                    "invalid-override",
                    (),
                    f"'{text}' is not PATH=VALUE.",
                    "Write e.g. --set optim_wrapper.optimizer.lr=0.02",
                    file=f"--set #{number}",
                )
            ]
        )
    return parse_path(key.strip()), value.strip()


def apply_overrides(experiment: Any, overrides: Sequence[str]) -> Any:
    """`experiment` with every override applied, validated once; problems name the `--set` they came from."""
    if not overrides:
        return experiment
    from typedseg.loading.yaml12 import parse_scalar  # PyYAML costs ~15 ms to import: only when overriding

    parsed: list[tuple[str, Path, str, Any]] = []
    for number, text in enumerate(overrides, start=1):
        try:
            path, raw = split_override(text, number)
        except ConfigError as exc:
            raise ConfigError([p.at(f"--set #{number} '{text}'", None) for p in exc.problems]) from None
        parsed.append((text, path, raw, _tuples(parse_scalar(raw))))
    values = [_value_for(_current(experiment, path), value) for _, path, _, value in parsed]
    try:
        return apply_updates(
            experiment, [(path, value) for (_, path, _, _), value in zip(parsed, values, strict=True)]
        )
    except ConfigError as first:
        # A field that wants text gets the text as written ('1.0' as a name, 'true' as a word).
        blamed = {
            i
            for i, (_, path, _, _) in enumerate(parsed)
            if any(p.path[: len(path)] == path for p in first.problems)
        }
        retry = [
            raw if i in blamed and not isinstance(value, str) else values[i]
            for i, (_, _, raw, value) in enumerate(parsed)
        ]
        if retry == values:
            raise _blame(first, parsed) from None
        try:
            return apply_updates(
                experiment, [(path, value) for (_, path, _, _), value in zip(parsed, retry, strict=True)]
            )
        except ConfigError:
            raise _blame(first, parsed) from None


_PATH_CODES = ("unknown-key", "index-out-of-range", "no-such-item", "ambiguous-item", "not-a-section")
"""Problems with the override's path itself: blamed on the override even when they sit above its end."""


def _plain(path: Path) -> Path:
    """A path with type selectors unwrapped (`[PolyLR]` -> `PolyLR`), to compare with an override's path."""
    return tuple(part[1:-1] if isinstance(part, str) and part.startswith("[") else part for part in path)


def _blame(exc: ConfigError, parsed: Sequence[tuple[str, Path, str, Any]]) -> ConfigError:
    """Problems at or below an overridden path belong to that `--set`; others stay with the file."""
    problems = []
    for original in exc.problems:
        problem = dataclasses.replace(original, path=_plain(original.path))
        owners = [
            (len(path), n)
            for n, (_, path, _, _) in enumerate(parsed, start=1)
            if problem.path[: len(path)] == path
        ]
        owner = max(owners)[1] if owners else None  # the most specific override that covers the problem
        if owner is None and problem.code in _PATH_CODES:
            owner = next(
                (
                    n
                    for n, (_, path, _, _) in enumerate(parsed, start=1)
                    if path[: len(problem.path)] == problem.path
                ),
                None,
            )
        if owner is not None:
            problems.append(original.at(f"--set #{owner} '{parsed[owner - 1][0]}'", None))
        else:
            problems.append(original)
    return ConfigError(problems)
