"""Turn pydantic's `ValidationError` into `Problem`s that read like the config.

pydantic reports `('param_scheduler', 0, 'PolyLR', 'powr')`; a person wrote `param_scheduler[0].powr`. We walk the
model's annotations alongside the error location so that discriminator tags and validator names drop out, and we
know which model a bad key was meant for, to suggest the field it was probably meant to be.
"""

from __future__ import annotations

import collections.abc
import difflib
import functools
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from typedseg.config.base import USER_TAG, UserConfig
from typedseg.problems import Path, Problem

_UNION_TYPES: tuple[object, ...] = (Union, types.UnionType)


def strip_annotated(tp: Any) -> Any:
    """`Annotated[X, ...]` -> `X` (any depth); other types unchanged."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def union_members(tp: Any) -> list[Any]:
    """The members of a (possibly Annotated, possibly nested) union, or `[tp]` for a plain type."""
    tp = strip_annotated(tp)
    if get_origin(tp) in _UNION_TYPES:
        members: list[Any] = []
        for arg in get_args(tp):
            members.extend(union_members(arg))
        return members
    return [tp]


def model_tag(cls: type[BaseModel]) -> str | None:
    """The `type` value that selects this model in a discriminated union (MMEngine's class name)."""
    field = cls.model_fields.get("type")
    if field is None or not isinstance(field.default, str):
        return None
    return field.default


def _lazy_union(tp: Any) -> Any:
    from typedseg.config.lazy import LazyUnion

    if get_origin(tp) is Annotated:
        return next((meta for meta in get_args(tp)[1:] if isinstance(meta, LazyUnion)), None)
    return None


def _models_in(tp: Any) -> list[type[BaseModel]]:
    """The model classes a (possibly lazy, possibly nested) union can hold."""
    lazy = _lazy_union(tp)
    if lazy is not None:  # error paths only: importing every member is fine here
        user = lazy.user_class()
        return [*lazy.members(), *([user] if user is not None else [])]
    stripped = strip_annotated(tp)
    if (
        get_origin(stripped) in _UNION_TYPES
    ):  # `Lazy | Seq[Lazy]` (one loss or a list): look inside each member
        found: list[type[BaseModel]] = []
        for arg in get_args(stripped):
            found.extend(m for m in _models_in(arg) if m not in found)
        return found
    return [stripped] if isinstance(stripped, type) and issubclass(stripped, BaseModel) else []


def _element_type(tp: Any, part: str | int) -> Any:
    origin = get_origin(tp)
    args = get_args(tp)
    if origin in _UNION_TYPES and isinstance(part, int):
        # `X | Seq[X]` (one loss or a list of them): an index reaches into the sequence member.
        for member in args:
            element = _element_type(strip_annotated(member), part)
            if element is not Any:
                return element
        return Any
    if origin in (tuple, list, collections.abc.Sequence) and args:
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        if origin is tuple and isinstance(part, int) and part < len(args):
            return args[part]
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return Any


@dataclass
class _Step:
    """One element of an error location, understood against the model's annotations."""

    part: str | int
    kept: bool  # False for discriminator tags and validator names: they are not in the user's config
    owner: type[BaseModel] | None  # the model in which `part` is a field name
    union: list[type[BaseModel]]  # for a tag: the union members it chose from


def _resolve(tp: Any) -> Any:
    """Drop Annotated and None: `X | None` is `X` for walking purposes (a lazy union stays as it is)."""
    if _lazy_union(tp) is not None:
        return tp
    stripped = strip_annotated(tp)
    if get_origin(stripped) in _UNION_TYPES:  # `LazyView | None`: keep the member's Annotated metadata
        others = [m for m in get_args(stripped) if m is not type(None)]
        if len(others) == 1 and _lazy_union(others[0]) is not None:
            return others[0]
    members = [m for m in union_members(tp) if m is not type(None)]
    return strip_annotated(members[0]) if len(members) == 1 else stripped


def _walk(root: type[BaseModel], loc: tuple[str | int, ...]) -> list[_Step]:
    steps: list[_Step] = []
    tp: Any = root
    for part in loc:
        tp = _resolve(tp)
        models_here = _models_in(tp)
        if isinstance(part, str) and len(models_here) > 1:
            chosen = next((m for m in models_here if model_tag(m) == part or m.__name__ == part), None)
            if chosen is None and part == USER_TAG:
                chosen = next((m for m in models_here if issubclass(m, UserConfig)), None)
            if chosen is not None:
                steps.append(_Step(part, False, None, models_here))
                tp = chosen
                continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(str(part))
            steps.append(_Step(part, True, tp, []))
            tp = field.rebuild_annotation() if field is not None else Any
            continue
        if isinstance(part, str) and len(union_members(tp)) > 1:
            # A plain union names the member it tried (`int`, `literal['dynamic']`, `user`): not in the config.
            steps.append(_Step(part, False, None, []))
            continue
        if isinstance(part, str) and part.startswith(("function-", "tagged-union")):
            steps.append(_Step(part, False, None, []))
            continue
        steps.append(_Step(part, True, None, []))
        tp = _element_type(tp, part)
    return steps


def user_path(root: type[BaseModel], loc: tuple[str | int, ...]) -> Path:
    """The location as the user's config spells it (tags and validator names removed)."""
    return tuple(step.part for step in _walk(root, loc) if step.kept)


def suggest(word: str, choices: typing.Iterable[str]) -> str | None:
    """The choice closest to `word`, ignoring case (`Adamw` -> `AdamW`), or None."""
    by_lower = {choice.lower(): choice for choice in choices}
    matches = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[matches[0]] if matches else None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problems_from_validation(exc: ValidationError, root: type[BaseModel]) -> list[Problem]:
    """Every error pydantic found, as `Problem`s with user-facing paths, messages and hints."""
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        steps = _walk(root, loc)
        path = tuple(step.part for step in steps if step.kept)
        if error["type"] == "typedseg_rules":
            problems.extend(p.under(path) for p in (error.get("ctx") or {})["problems"])
            continue
        problems.append(_problem(error, path, steps))
    return _without_misspelt_missing(problems)


def _without_misspelt_missing(problems: list[Problem]) -> list[Problem]:
    """`max_iter=...` is one mistake: drop 'max_iters is required' when an unknown key beside it suggests it."""
    suggested = {
        (p.path[:-1], p.hint.removeprefix("Did you mean '").removesuffix("'?"))
        for p in problems
        if p.code == "unknown-key" and p.hint.startswith("Did you mean '")
    }
    return [
        p
        for p in problems
        if not (p.code == "missing" and p.path and (p.path[:-1], str(p.path[-1])) in suggested)
    ]


@functools.cache
def _unions_by_member() -> dict[type[BaseModel], tuple[type[BaseModel], ...]]:
    """For each model that is a member of a discriminated union somewhere in an experiment: that union's members."""
    from typedseg.config.experiment import Experiment

    found: dict[type[BaseModel], tuple[type[BaseModel], ...]] = {}
    seen: set[int] = set()

    def visit(tp: Any) -> None:
        if id(tp) in seen:
            return
        seen.add(id(tp))
        members = _models_in(tp)
        if len(members) > 1:
            for member in members:
                found.setdefault(member, tuple(members))
        for member in members:
            for field in member.model_fields.values():
                visit(field.rebuild_annotation())
        for arg in get_args(strip_annotated(tp)):
            visit(arg)

    visit(Experiment)
    return found


def union_siblings(model: type[BaseModel]) -> list[type[BaseModel]]:
    """The other kinds a model could have been (SGD for AdamW): for hints on a directly constructed object."""
    return list(_unions_by_member().get(model, ()))


def _unknown_key(key: str, path: Path, steps: list[_Step]) -> Problem:
    owner = steps[-1].owner if steps else None
    name = owner.__name__ if owner is not None else "this section"
    if owner is None:
        return Problem("unknown-key", path, f"{name} has no setting '{key}'.", "")
    fields = [f for f in owner.model_fields if f != "type"]
    guess = suggest(key, fields)
    tag_steps = [step for step in steps if step.union]
    siblings = tag_steps[-1].union if tag_steps and owner in tag_steps[-1].union else union_siblings(owner)
    takers = [tag for m in siblings if m is not owner and key in m.model_fields and (tag := model_tag(m))]
    if guess:
        hint = f"Did you mean '{guess}'?"
    elif takers:
        hint = f"{', '.join(takers[:6])} {'takes' if len(takers) == 1 else 'take'} '{key}'; {name} does not."
    else:
        hint = f"{name} accepts: {', '.join(fields)}."
    return Problem("unknown-key", path, f"{name} has no setting '{key}'.", hint)


def _problem(error: Any, path: Path, steps: list[_Step]) -> Problem:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(str(error["loc"][-1]), path, steps)
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        given = str(ctx.get("tag", ""))
        user = USER_TAG in tags
        tags = [t for t in tags if t != USER_TAG]
        guess = suggest(given, tags)
        hint = f"Did you mean '{guess}'?" if guess else f"Expected one of: {', '.join(tags)}."
        if user and not guess:
            hint += " Your own class is named by its dotted path (mypkg.module.Class)."
        return Problem("unknown-type", path, f"unknown type '{given}'.", hint)
    if kind == "union_tag_not_found":
        return Problem("missing-type", path, "this section needs a 'type' naming which kind it is.", "")
    if kind == "missing":
        return Problem("missing", path, "this setting is required.", "")
    if kind in ("user-type-import", "user-type-base"):
        return Problem(kind, path, f"{error.get('msg', kind)}.", "")
    message = str(error.get("msg", kind))
    if kind in ("value_error", "assertion_error"):
        message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return Problem("invalid-value", path, message, "")
    return Problem("invalid-value", path, f"{message}; got {_short(value)}.", "")
