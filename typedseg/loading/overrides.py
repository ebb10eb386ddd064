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
from typedseg.problems import ConfigError, Path, PathPart, Problem


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


MAX_DEPTH = 32
"""How deeply a `--set` value may nest lists and mappings (a config nests a handful of levels)."""


def _refused(message: str, hint: str) -> ConfigError:
    return ConfigError([Problem("invalid-override", (), message, hint)])


def _outside_quotes(text: str) -> list[tuple[int, str]]:
    """(position, character) of every character of `text` outside YAML quotes."""
    found: list[tuple[int, str]] = []
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if quote and char == quote:
            if quote == "'" and text[index + 1 : index + 2] == "'":  # '' is a quote inside single quotes
                index += 2
                continue
            quote = ""
        elif not quote and char in "'\"" and (index == 0 or text[index - 1] in " \t[{,:"):
            quote = char
        elif not quote:
            found.append((index, char))
        index += 1
    return found


def parse_value(raw: str) -> Any:
    """A `--set` value as YAML 1.2 flow data; anything YAML would drop or change silently is refused.

    A `#` after a space starts a YAML comment (the rest would vanish: `work_dir=#x` would be null); anchors and
    aliases (`&a`, `*a`) and tags other than the core ones would change the value; deep nesting is refused
    before parsing. Each is a ConfigError with one problem (its path is empty: the caller names the override).
    """
    if not raw.strip():
        return ""
    import yaml

    from typedseg.loading.yaml12 import read_yaml

    depth = 0
    for index, char in _outside_quotes(raw):
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _refused(
                    f"the value nests more than {MAX_DEPTH} levels of lists or mappings.",
                    "Give a smaller value, or set its parts with separate --set.",
                )
        elif char in "]}":
            depth -= 1
        elif char == "#" and (index == 0 or raw[index - 1] in " \t"):
            raise _refused(
                "'#' here starts a YAML comment, so the rest of the value would be dropped.",
                "Quote the value (--set 'work_dir=\"#1\"'), or remove the comment.",
            )
    try:
        events = list(yaml.parse(raw, Loader=yaml.SafeLoader))
        doc = read_yaml(raw)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _refused(
            f"the value is not valid YAML: {reason}.", "Quote text values; close every [ and {."
        ) from None
    if any(isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) for event in events):
        raise _refused(
            "YAML anchors and aliases (&name, *name) are not accepted in a --set value.",
            "Write the value out, or quote it if '&' or '*' is part of a text.",
        )
    if doc.problems:
        raise ConfigError([dataclasses.replace(p, path=(), line=None) for p in doc.problems])
    return doc.data


@dataclasses.dataclass(frozen=True)
class _Override:
    number: int
    text: str
    path: Path
    raw: str
    value: Any

    @property
    def label(self) -> str:
        return f"--set #{self.number} '{self.text}'"


def apply_overrides(experiment: Any, overrides: Sequence[str]) -> Any:
    """`experiment` with every override applied and every rule checked; problems name the `--set` they came from.

    Each override is checked alone first (its path, its value: all of them are reported, not the first only),
    then the good ones are applied together with the cross-field rules deferred, and the rules are checked once
    on the result, so overrides that only make sense together can come in any order, and an override can fix
    what the file alone breaks. A ConfigError carries the errors and, beside them, the warnings.
    """
    from typedseg.config.rules.experiment import rules_deferred

    problems: list[Problem] = []
    parsed: list[_Override] = []
    for number, text in enumerate(overrides, start=1):
        label = f"--set #{number} '{text}'"
        try:
            path, raw = split_override(text, number)
            value = _tuples(parse_value(raw))
        except ConfigError as exc:
            problems += [p.at(label, None) for p in exc.problems]
            continue
        except RecursionError:  # a value deep enough to exhaust Python's stack before our depth check
            problems.append(
                _refused("the value nests too deeply.", "Give a smaller value.").problems[0].at(label, None)
            )
            continue
        parsed.append(_Override(number, text, path, raw, value))
    result: Any = experiment
    with rules_deferred():
        good: list[_Override] = []
        for item in parsed:  # alone, with its kin: its own mistakes
            kin = _kin(item, parsed)
            try:
                _apply(experiment, kin)
            except ConfigError as exc:
                problems += _blame(exc, kin, default=item).problems
            else:
                good.append(item)
        try:
            result = _apply(experiment, good)
        except ConfigError as exc:  # overrides that are fine alone but not together
            problems += _blame(exc, good).problems
            result = None
    if result is not None:
        problems += _blame(ConfigError(_check_rules(result)), parsed).problems  # errors and warnings
    if any(p.is_error for p in problems):
        raise ConfigError(_once(problems))
    return result


def _kin(item: _Override, parsed: Sequence[_Override]) -> list[_Override]:
    """`item` with the overrides it is checked beside (in their order): those above it (a kind switch) and those
    that set the same object's other fields, since a section's own validator reads its fields together
    (`dcn` with `stage_with_dcn`)."""
    parent = item.path[:-1]

    def related(other: _Override) -> bool:
        above = len(other.path) < len(item.path) and item.path[: len(other.path)] == other.path
        return above or other.path[: len(parent)] == parent

    return [other for other in parsed if other is item or related(other)]


def _apply(experiment: Any, parsed: Sequence[_Override]) -> Any:
    """Apply `parsed` together; a field that wants text gets the text as written ('1.0' as a name)."""
    if not parsed:
        return experiment
    values = [_value_for(_current(experiment, item.path), item.value) for item in parsed]
    try:
        return apply_updates(
            experiment, [(item.path, value) for item, value in zip(parsed, values, strict=True)]
        )
    except ConfigError as first:
        blamed = {
            i
            for i, item in enumerate(parsed)
            if any(p.path[: len(item.path)] == item.path for p in first.problems)
        }
        retry = [
            item.raw if i in blamed and not isinstance(item.value, str) else values[i]
            for i, item in enumerate(parsed)
        ]
        if retry == values:
            raise
        try:
            return apply_updates(
                experiment, [(item.path, value) for item, value in zip(parsed, retry, strict=True)]
            )
        except ConfigError:
            raise first from None


def _check_rules(experiment: Any) -> list[Problem]:
    from typedseg.config.rules.experiment import check_experiment

    return check_experiment(experiment) if hasattr(experiment, "train_cfg") else []


def _once(problems: Sequence[Problem]) -> list[Problem]:
    """Each problem once, in the order found."""
    return list(dict.fromkeys(problems))


_PATH_CODES = ("unknown-key", "index-out-of-range", "no-such-item", "ambiguous-item", "not-a-section")
"""Problems with the override's path itself: blamed on the override even when they sit above its end."""


def _plain(path: Path) -> Path:
    """A path with type selectors unwrapped (`[PolyLR]` -> `PolyLR`), to compare with an override's path."""
    return tuple(part[1:-1] if isinstance(part, str) and part.startswith("[") else part for part in path)


def _blame(exc: ConfigError, parsed: Sequence[_Override], default: _Override | None = None) -> ConfigError:
    """Problems at or below an overridden path belong to that `--set`; others stay with the file (or `default`)."""
    problems = []
    for original in exc.problems:
        problem = dataclasses.replace(original, path=_plain(original.path))
        owners = [
            (len(item.path), n)
            for n, item in enumerate(parsed)
            if problem.path[: len(item.path)] == item.path
        ]
        owner = (
            parsed[max(owners)[1]] if owners else None
        )  # the most specific override that covers the problem
        if owner is None and problem.code in _PATH_CODES:
            owner = next((item for item in parsed if item.path[: len(problem.path)] == problem.path), None)
        owner = owner or default
        problems.append(original.at(owner.label, None) if owner is not None else original)
    return ConfigError(_once(problems))


def _parse_all(overrides: Sequence[str]) -> list[_Override] | None:
    """Every override parsed, or None when one of them does not parse (reported later, by `apply_overrides`)."""
    parsed = []
    for number, text in enumerate(overrides, start=1):
        try:
            path, raw = split_override(text, number)
            parsed.append(_Override(number, text, path, raw, _tuples(parse_value(raw))))
        except (ConfigError, RecursionError):
            return None
    return parsed


def apply_to_data(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any] | None:
    """The file's plain data with `overrides` set (shortest path first), for a file that fails validation as
    written: a `--set` may fix it. None when an override does not parse or its path does not fit the data.

    Same meaning as on a typed config: a name on a section with a `type` switches its kind (its other keys are
    dropped), a mapping merges into the section, `[Type]` selects the list item of that type.
    """
    parsed = _parse_all(overrides)
    if parsed is None:
        return None
    result: Any = _plain_copy(data)
    for item in sorted(parsed, key=lambda item: len(item.path)):
        if not item.path:
            return None
        parent = result
        for part in item.path[:-1]:
            parent = _child(parent, part, create=True)
            if parent is None:
                return None
        last = item.path[-1]
        current = _child(parent, last, create=False)
        value = _plain_copy(item.value)
        if isinstance(current, dict) and isinstance(value, str) and "type" in current:
            value = {"type": value} if value != current["type"] else current
        elif (
            isinstance(current, dict)
            and isinstance(value, dict)
            and value.get("type", current.get("type")) == (current.get("type"))
        ):
            value = {**current, **value}
        if isinstance(parent, dict) and isinstance(last, str):
            parent[last] = value
        elif isinstance(parent, list):
            index = _index_of(parent, last)
            if index is None:
                return None
            parent[index] = value
        else:
            return None
    return dict(result)


def blame(problems: Sequence[Problem], overrides: Sequence[str]) -> list[Problem]:
    """`problems` with those at or below an overridden path blamed on that `--set`."""
    parsed = _parse_all(overrides) or []
    return _blame(ConfigError(problems), parsed).problems


def _plain_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain_copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_copy(item) for item in value]
    return value


def _index_of(items: list[Any], part: PathPart) -> int | None:
    if isinstance(part, int):
        return part % len(items) if -len(items) <= part < len(items) else None
    matches = [i for i, item in enumerate(items) if isinstance(item, dict) and item.get("type") == part]
    return matches[0] if len(matches) == 1 else None


def _child(node: Any, part: PathPart, *, create: bool) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        if create and not isinstance(node.get(part), (dict, list)):
            node[part] = {}
        return node.get(part)
    if isinstance(node, list):
        index = _index_of(node, part)
        return None if index is None else node[index]
    return None
