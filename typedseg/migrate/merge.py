"""MMEngine's inheritance rules (`Config._file2dict` and `Config._merge_a_into_b`, mmengine 0.10), on located values.

- The bases of a file are combined first; a top-level key defined by two of them is MMEngine's
  `KeyError: Duplicate key is not allowed among bases`.
- The file's own names are then merged into the combined bases: a dict merges recursively into a dict; anything
  else (lists included) replaces. A dict over a non-dict is MMEngine's `TypeError ... You may set _delete_=True`.
- `_delete_` is popped from a child dict only when the key also exists in the base (MMEngine's
  `if k in b and not v.pop(DELETE_KEY, False)`): a truthy `_delete_` then replaces the base dict. A `_delete_`
  under a key the base lacks, or nested inside a replaced dict or a list, stays in the result, as in MMEngine.
- Every dict stored by a merge becomes a ConfigDict (a copy); ConfigDicts already there are shared.
"""

from __future__ import annotations

from typedseg.migrate.errors import MMConfigError, fail, problem
from typedseg.migrate.values import Location, Slot, TDict, TList, TTuple, Value, hook, hook_slot, type_name
from typedseg.problems import Path, Problem, format_path

DELETE_KEY = "_delete_"


def truthy(value: Value) -> bool:
    if isinstance(value, TDict | TList | TTuple):
        return bool(value.items)
    return bool(value)


def merge_a_into_b(a: TDict, b: TDict, path: Path = ()) -> TDict:
    """`Config._merge_a_into_b(a, b)`: a new ConfigDict; `a` and `b` are left as they are."""
    merged = dict(b.items)
    for key, slot in a.items.items():
        value = slot.value
        if not isinstance(value, TDict):
            merged[key] = hook_slot(slot)
            continue
        if key not in merged:
            merged[key] = Slot(hook(value), slot.loc, slot.refs)
            continue
        items = dict(value.items)
        delete = items.pop(DELETE_KEY, None)
        if delete is not None and truthy(delete.value):
            merged[key] = Slot(hook(TDict(items)), slot.loc, slot.refs)
            continue
        base_slot = merged[key]
        if not isinstance(base_slot.value, TDict):
            where = format_path((*path, key))
            raise fail(
                "mmconfig-merge-type",
                f"`{where}` is a dict here but a {type_name(base_slot.value)} in the base ({base_slot.loc}); "
                "MMEngine raises TypeError: a dict cannot inherit from a non-dict",
                slot.loc.file,
                slot.loc.line,
                path=(*path, key),
                hint=f"Add `_delete_=True` to `{where}` to replace the base value.",
            )
        # The child wrote this dict; what it keeps from the base keeps its own refs, below. The base's direct refs
        # stay: the dict still holds (part of) that helper's value.
        inherited = frozenset(ref for ref in base_slot.refs if ref.direct)
        merged[key] = Slot(
            merge_a_into_b(TDict(items), base_slot.value, (*path, key)), slot.loc, slot.refs | inherited
        )
    return TDict(merged, config=True)


def combine_bases(bases: list[TDict], including: Location) -> TDict:
    """The bases of one file as one ConfigDict; every key defined by two of them is a problem."""
    combined: dict[str, Slot] = {}
    problems: list[Problem] = []
    for base in bases:
        for key in sorted(combined.keys() & base.items.keys()):
            first, second = combined[key].loc, base.items[key].loc
            problems.append(
                problem(
                    "mmconfig-base-conflict",
                    f"`{key}` is defined by two base files, at {first} and at {second}; MMEngine raises "
                    "KeyError (duplicate key among bases)",
                    including.file,
                    including.line,
                    path=(key,),
                    hint=f"Remove `{key}` from one of the bases, or drop one of them from `_base_`.",
                )
            )
        combined.update(base.items)
    if problems:
        raise MMConfigError(problems)
    return TDict(combined, config=True)
