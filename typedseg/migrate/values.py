"""Values as the evaluator builds them: containers whose every entry remembers where it was written.

A `Slot` is one entry of a dict, list or tuple (or one top-level name): its value, the FILE:LINE of the keyword,
dict key or list item that wrote it, and the helper names (top-level names of the same file) the value was
computed from. Containers are mutable objects with identity, as in the Python that MMEngine runs: a dict bound to
`custom_keys` and later `custom_keys.update(...)`-ed is the same object wherever it was referenced.

`TDict.config` marks an MMEngine `ConfigDict` (anything taken from `_base_`, and everything after a merge); only
those allow attribute access (`_base_.model.backbone`), as in MMEngine, where a file's own `dict(...)` is a plain
`dict`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

from typedseg.problems import Path


class Location(NamedTuple):
    """Where a value was written: the file and its 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class HelperRef:
    """A value was computed from the top-level name `name` of `file`, as bound by the assignment on `line`.

    `direct` is true when the value *is* the helper's value (`norm_cfg=norm_cfg`), false when it was derived from
    it (`val_interval=iters // 10`, an item of a comprehension over it, ...).
    """

    name: str
    file: str
    line: int
    direct: bool


NO_REFS: frozenset[HelperRef] = frozenset()


class TDict:
    __slots__ = ("config", "items")

    def __init__(self, items: dict[str, Slot] | None = None, *, config: bool = False) -> None:
        self.items: dict[str, Slot] = {} if items is None else items
        self.config = config


class TList:
    __slots__ = ("items",)

    def __init__(self, items: list[Slot]) -> None:
        self.items = items


class TTuple:
    __slots__ = ("items",)

    def __init__(self, items: tuple[Slot, ...]) -> None:
        self.items = items


Scalar: TypeAlias = int | float | str | bool | None
Value: TypeAlias = TDict | TList | TTuple | Scalar


@dataclass(frozen=True, slots=True)
class Slot:
    value: Value
    loc: Location
    refs: frozenset[HelperRef] = NO_REFS


def to_plain(value: Value) -> Any:
    """The value as MMEngine's `cfg.to_dict()` would give it: dicts, lists, tuples (kept as tuples) and scalars."""
    if isinstance(value, TDict):
        return {key: to_plain(slot.value) for key, slot in value.items.items()}
    if isinstance(value, TList):
        return [to_plain(slot.value) for slot in value.items]
    if isinstance(value, TTuple):
        return tuple(to_plain(slot.value) for slot in value.items)
    return value


def hook(value: Value) -> Value:
    """`ConfigDict._hook`: a plain dict becomes a new ConfigDict (recursively), lists and tuples are rebuilt,
    an existing ConfigDict is kept as it is (shared)."""
    if isinstance(value, TDict):
        if value.config:
            return value
        return TDict({key: hook_slot(slot) for key, slot in value.items.items()}, config=True)
    if isinstance(value, TList):
        return TList([hook_slot(slot) for slot in value.items])
    if isinstance(value, TTuple):
        return TTuple(tuple(hook_slot(slot) for slot in value.items))
    return value


def hook_slot(slot: Slot) -> Slot:
    if isinstance(slot.value, TDict | TList | TTuple):
        return Slot(hook(slot.value), slot.loc, slot.refs)
    return slot


def children(value: Value) -> Iterator[tuple[str | int, Slot]]:
    if isinstance(value, TDict):
        yield from value.items.items()
    elif isinstance(value, TList | TTuple):
        yield from enumerate(value.items)


def walk(value: Value, prefix: Path = ()) -> Iterator[tuple[Path, Slot]]:
    """Every (path, slot) below `value`, depth first, parents before children."""
    for key, slot in children(value):
        path = (*prefix, key)
        yield path, slot
        yield from walk(slot.value, path)


def deep_refs(value: Value) -> frozenset[HelperRef]:
    """The helper references of every entry inside `value` (for a container reduced to a scalar: `sum(x)`)."""
    refs: set[HelperRef] = set()
    for _, slot in walk(value):
        refs |= slot.refs
    return frozenset(refs)


def type_name(value: Value) -> str:
    if isinstance(value, TDict):
        return "ConfigDict" if value.config else "dict"
    if isinstance(value, TList):
        return "list"
    if isinstance(value, TTuple):
        return "tuple"
    return type(value).__name__


class ValueTooLargeError(Exception):
    """A value is heavier or deeper than `measure` allows (its message says which)."""


def measure(value: Value, *, max_weight: int, max_depth: int) -> int:
    """The weight of `value` as MMEngine would copy it out (shared containers count at every use); raises
    `ValueTooLargeError` past `max_weight` or `max_depth` (a container holding itself is infinitely deep).

    Returns the number of distinct containers visited: the work done, for the caller's step budget. Each distinct
    container is weighed once (memoized by identity), so a value built by sharing is measured in the time it took
    to build, however large its copy would be.
    """
    memo: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def weigh(item: Value, depth: int) -> tuple[int, int]:
        if isinstance(item, str):
            return 1 + len(item) // 64, 0
        if not isinstance(item, TDict | TList | TTuple):
            return 1, 0
        key = id(item)
        known = memo.get(key)
        if known is None:
            if key in active or depth > max_depth:
                raise ValueTooLargeError(f"it nests more than {max_depth} levels deep")
            active.add(key)
            weight, height = 1, 0
            entries = item.items.values() if isinstance(item, TDict) else item.items
            for slot in entries:
                child_weight, child_height = weigh(slot.value, depth + 1)
                weight += child_weight
                height = max(height, child_height + 1)
                if weight > max_weight:
                    raise ValueTooLargeError(f"copied out, it would hold more than {max_weight} entries")
            active.discard(key)
            known = memo[key] = (weight, height)
        if depth + known[1] > max_depth:
            raise ValueTooLargeError(f"it nests more than {max_depth} levels deep")
        return known

    weigh(value, 0)
    return len(memo)
