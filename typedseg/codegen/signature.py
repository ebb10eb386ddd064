"""Read a class's `__init__` signature into field specs: the input of the config-model generator.

One code path serves torch's optimizers and a user's own classes (`typedseg codegen class`). Each parameter
becomes a field with the same name, a type a config can hold, the same default and its docstring text. What
cannot be expressed faithfully is refused with the parameter named, never guessed:

- `self` is dropped; parameters listed in `skip` (an optimizer's `params`, which the engine fills) are left
  out, and the reason is kept as a comment in the generated class.
- `*args`/`**kwargs` are refused unless `skip_var_args=True`; a skipped one is noted in a comment.
- an unannotated parameter is typed `Any`, with a comment saying so.
- a default must be a literal (number, string, bool, None, or a tuple/list/dict of those).
- `Tensor` is dropped from unions (`Union[float, Tensor]` -> `float`): configs hold numbers.
- `Optional[X]` becomes `X | None`; tuples stay tuples; lists and sequences become `Seq[X]` (held as tuples).

Annotations are resolved with `typing.get_type_hints`. When that fails for the whole signature (a name
imported only under `TYPE_CHECKING`, say), each parameter's raw annotation string is evaluated on its own,
with `typing`'s names and `Tensor` available, so one unresolvable parameter does not hide the others.
"""

from __future__ import annotations

import collections.abc
import inspect
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from typedseg.templating import Import, python_string


class SignatureError(ValueError):
    """A parameter cannot become a config field; the message names it and says what to do."""


@dataclass(frozen=True)
class FieldSpec:
    """One config field, as source text."""

    name: str
    annotation: str
    """The field's type as source text, e.g. `float | None`."""
    default: str | None = None
    """The default as a source literal (`0.001`, `(0.9, 0.999)`), or None when the field is required."""
    description: str = ""
    """The parameter's text from the class docstring; becomes the attribute docstring."""
    comment: str = ""
    """A note rendered as a `#` comment above the field (why it is typed `Any`, ...)."""
    imports: frozenset[Import] = frozenset()
    """Names the annotation needs imported."""


@dataclass(frozen=True)
class ClassSpec:
    """One config model to generate."""

    name: str
    """The model's class name."""
    type_name: str | None
    """The value of its `type: Literal[...]` field (MMEngine's type name); None for no `type` field."""
    description: str
    """The class docstring."""
    fields: tuple[FieldSpec, ...]
    comments: tuple[str, ...] = ()
    """Notes rendered as `#` comments at the top of the class body (skipped parameters)."""
    base: str = "ConfigModel"
    """The base class name; the caller imports it unless it is ConfigModel."""
    builds: Import | None = None
    """`(module, class)` that a generated `build()` constructs from the fields; None: no `build()`."""
    settings: tuple[FieldSpec, ...] = ()
    """Fields of the config itself, rendered before `fields` and not passed to `build()` (a hook's priority)."""


_ARGS_HEADERS = ("Args:", "Arguments:", "Parameters:", "Keyword Args:", "Keyword Arguments:")
_ARG_LINE = re.compile(r"^\*{0,2}(?P<name>\w+)\s*(?:\(.*?\))?\s*:\s*(?P<text>.*)$")
_SCALARS: tuple[type, ...] = (bool, int, float, str)
_NONE_TYPE = type(None)
_MODEL_ATTRIBUTES = frozenset(dir(BaseModel)) | {"type"}


def class_spec(
    cls: type,
    *,
    name: str | None = None,
    source: str | None = None,
    skip: Mapping[str, str] | None = None,
    skip_var_args: bool = False,
) -> ClassSpec:
    """The spec of a config model for `cls`: one field per keyword argument of `cls.__init__`.

    `name` is the model's class name and `type` value (default: `cls.__name__`; `dataclasses.replace` makes a
    spec without a `type` field). `source` is how the docstring names the class (default: its dotted path).
    `skip` maps parameters to leave out to the reason shown in a comment.
    """
    name = name or cls.__name__
    source = source or f"{cls.__module__}.{cls.__qualname__}"
    skip = skip or {}
    init = cls.__init__  # type: ignore[misc]  # the class's own constructor, not a bound method
    owner = f"{cls.__name__}.__init__"
    # The class docstring's text wins over `__init__`'s.
    docs = {**param_descriptions(init.__doc__), **param_descriptions(cls.__doc__)}
    hints = _type_hints(init)
    parameters = list(inspect.signature(init).parameters.values())[1:]  # drop `self`
    fields: list[FieldSpec] = []
    comments: list[str] = []
    for param in parameters:
        where = f"{owner}: parameter '{param.name}'"
        if param.name in skip:
            comments.append(f"`{param.name}` is not a setting: {skip[param.name]}.")
            continue
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            stars = "*" if param.kind is param.VAR_POSITIONAL else "**"
            if not skip_var_args:
                raise SignatureError(
                    f"{where}: {stars}{param.name} cannot be a config field (its keys are unknown). "
                    "Skip it (skip_var_args=True) and add the settings it takes as fields by hand."
                )
            comments.append(
                f"{stars}{param.name} of {owner} is not modelled: keys beyond these fields are refused."
            )
            continue
        if param.kind is param.POSITIONAL_ONLY:
            raise SignatureError(f"{where} is positional-only; a config passes every argument by keyword.")
        if param.name in _MODEL_ATTRIBUTES:
            raise SignatureError(
                f"{where} would shadow the config model's own attribute '{param.name}'; skip it."
            )
        fields.append(_field(param, hints, init, where, docs.get(param.name, "")))
    return ClassSpec(
        name=name,
        type_name=name,
        description=f"{summary(cls.__doc__) or f'Config for `{source}`.'}\n\nArguments of `{source}`.",
        fields=tuple(fields),
        comments=tuple(comments),
    )


def _field(
    param: inspect.Parameter, hints: Mapping[str, Any], init: Callable[..., Any], where: str, description: str
) -> FieldSpec:
    default = None if param.default is param.empty else default_source(param.default, where)
    if param.annotation is param.empty:
        return FieldSpec(
            param.name,
            "Any",
            default,
            description,
            comment=f"`{param.name}` has no annotation in the source: typed Any, so it is not checked.",
            imports=frozenset({("typing", "Any")}),
        )
    annotation = hints.get(param.name, param.annotation)
    if isinstance(annotation, str):
        annotation = _eval_annotation(annotation, init, where)
    writer = _TypeWriter(where)
    source = writer.source(annotation)
    if default is not None and source in ("float", "float | None") and re.fullmatch(r"-?\d+", default):
        default += ".0"  # torch writes `weight_decay: float = 0`; a float field's default is a float
    return FieldSpec(param.name, source, default, description, imports=frozenset(writer.imports))


def _type_hints(init: Callable[..., Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(init)
    except Exception:  # any failure: each annotation is then evaluated on its own
        return {}


class _TensorStandIn:
    """What `Tensor` means in an annotation evaluated without torch: dropped from unions like the real one."""

    __module__ = "torch"
    __qualname__ = "Tensor"


def _eval_annotation(text: str, init: Callable[..., Any], where: str) -> Any:
    torch_stand_in = types.SimpleNamespace(Tensor=_TensorStandIn)
    namespace = {
        **{n: getattr(typing, n) for n in typing.__all__},
        "Tensor": _TensorStandIn,
        "torch": torch_stand_in,
        **getattr(init, "__globals__", {}),
    }
    try:
        return eval(text, namespace)
    except Exception as exc:
        raise SignatureError(
            f"{where}: cannot resolve its annotation {text!r} ({exc}). Import the names it uses at run time, "
            "or skip the parameter."
        ) from None


def _is_tensor(tp: Any) -> bool:
    return (
        getattr(tp, "__module__", None) in ("torch", "torch._tensor")
        and getattr(tp, "__qualname__", "") == "Tensor"
    )


class _TypeWriter:
    """Writes a resolved annotation as source text, collecting the names it needs imported."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.imports: set[Import] = set()

    def source(self, tp: Any) -> str:
        if tp is None or tp is _NONE_TYPE:
            return "None"
        if tp is Any:
            self.imports.add(("typing", "Any"))
            return "Any"
        if tp in _SCALARS:
            return str(tp.__name__)
        origin, args = get_origin(tp), get_args(tp)
        if origin in (Union, types.UnionType):
            return self._union(args)
        if origin is Literal:
            self.imports.add(("typing", "Literal"))
            return f"Literal[{', '.join(default_source(a, self.where) for a in args)}]"
        if tp is tuple or (origin is tuple and not args):
            self.imports.add(("typing", "Any"))
            return "tuple[Any, ...]"
        if origin is tuple:
            return f"tuple[{', '.join('...' if a is Ellipsis else self.source(a) for a in args)}]"
        if tp in (list, collections.abc.Sequence) or origin in (list, collections.abc.Sequence):
            self.imports.add(("typedseg.config.base", "Seq"))
            return f"Seq[{self.source(args[0]) if args else self._any()}]"
        if origin in (dict, collections.abc.Mapping) and len(args) == 2:
            return f"dict[{self.source(args[0])}, {self.source(args[1])}]"
        what = "a Tensor" if _is_tensor(tp) else f"type {getattr(tp, '__qualname__', tp)!s}"
        raise SignatureError(
            f"{self.where}: {what} cannot be written in a config (configs hold numbers, strings, bools, "
            "tuples, lists and dicts of those). Skip the parameter and add a field of a config type by hand."
        )

    def _any(self) -> str:
        self.imports.add(("typing", "Any"))
        return "Any"

    def _union(self, args: tuple[Any, ...]) -> str:
        kept = [a for a in args if not _is_tensor(a)]
        if not kept:
            return self.source(args[0])  # Tensor alone: refused with the message above
        texts: list[str] = []
        for member in kept:
            text = self.source(member)
            if text not in texts and text != "None":
                texts.append(text)
        if _NONE_TYPE in kept:
            texts.append("None")
        return " | ".join(texts)


def default_source(value: object, where: str) -> str:
    """A default as a source literal, written as `ruff format` writes it (double-quoted strings).

    Lists are written as tuples: configs are frozen, so a sequence default is a tuple.
    """
    return _literal(value, where)


def _literal(value: object, where: str) -> str:
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SignatureError(
                f"{where}: its default {value!r} is not a literal; use a finite number or None."
            )
        return repr(value)
    if isinstance(value, str):
        return python_string(value)
    if isinstance(value, (tuple, list)):  # lists too: configs are frozen, so a sequence default is a tuple
        items = [_literal(v, where) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k, where)}: {_literal(v, where)}" for k, v in value.items()) + "}"
    raise SignatureError(
        f"{where}: its default {value!r} is not a literal a config can hold. Give the parameter a literal "
        "default (a number, string, bool, None, or a tuple of those), or skip it."
    )


def summary(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line."""
    if not doc:
        return ""
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split())


def param_descriptions(doc: str | None) -> dict[str, str]:
    """`{name: text}` from the Google-style sections of a docstring (`Args:` with `name (type): text` lines).

    Continuation lines (indented deeper than the entry) are joined into one line; a name's first entry wins.
    """
    entries: list[tuple[str, list[str]]] = []
    lines = inspect.cleandoc(doc or "").splitlines()
    index = 0
    while index < len(lines):
        header = lines[index]
        index += 1
        if header.strip() not in _ARGS_HEADERS:
            continue
        entry_indent: int | None = None
        while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > _indent(header)):
            line = lines[index]
            index += 1
            if not line.strip():
                continue
            entry_indent = _indent(line) if entry_indent is None else entry_indent
            match = _ARG_LINE.match(line.strip())
            if match and _indent(line) == entry_indent:
                entries.append((match["name"], [match["text"]]))
            elif entries:
                entries[-1][1].append(line.strip())
    found: dict[str, str] = {}
    for name, parts in entries:
        found.setdefault(name, " ".join(" ".join(parts).split()))
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
