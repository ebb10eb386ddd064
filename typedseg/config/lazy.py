"""Discriminated unions that build only the member a config names.

A pydantic discriminated union builds the schema of every member the first time it validates anything: for the
30 schedulers, 15 optimizers and 12 hooks of an experiment that is most of `typedseg validate`'s time, spent on
classes a config never uses. A `LazyUnion` field validates by `type` instead: it imports the named class and runs
that class's own validator, so the work follows what the config uses. Errors keep pydantic's shape (the member's
tag in the location, as a discriminated union reports it), so `config.errors` reads them like any union's.

For the JSON Schema (typedseg schema) and for type checkers the field is the real tagged union; see
`typedseg.config.unions`, which keeps both views of each union side by side.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from typedseg.config.base import USER_TAG, UserConfig, import_user_class
from typedseg.config.json_mode import validate_document_data


@dataclass(frozen=True)
class LazyUnion:
    """Annotated metadata: a union over `module`'s classes named by `tags`, plus an optional user branch."""

    module: str
    tags: frozenset[str]
    user_base: str | None = None
    """Class name (in `module`) of the base a user's own class must subclass; None: no user branch."""
    default: str | None = None
    """The member used when a mapping has no `type` (MMEngine's own default), if any."""
    names: tuple[tuple[str, str], ...] = ()
    """`(tag, class name)` where a member's class is not named by its tag (the initializer `Normal` is
    `NormalInit`)."""
    _classes: dict[str, type[BaseModel]] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, union: Any, *, default: str | None = None) -> LazyUnion:
        """A lazy view of a tagged union whose members are defined already.

        For the unions nested everywhere (norm, activation, initializer, loss, head, backbone): pydantic would
        generate a member's schema again inside every model that holds the union; validated through this view,
        each member builds its own validator once, and every holder reuses it.
        """
        from typedseg.config.errors import model_tag, strip_annotated, union_members

        members = [
            m
            for m in (strip_annotated(arg) for arg in union_members(union))
            if isinstance(m, type) and issubclass(m, BaseModel)
        ]
        user = next((m for m in members if issubclass(m, UserConfig)), None)
        builtin = {tag: m for m in members if m is not user and (tag := model_tag(m)) is not None}
        view = cls(members[0].__module__, frozenset(builtin), user.__name__ if user else None, default)
        view._classes.update(builtin)
        return view

    def member(self, tag: str) -> type[BaseModel]:
        """The class for a built-in tag (imported on first use)."""
        cls = self._classes.get(tag)
        if cls is None:
            cls = getattr(importlib.import_module(self.module), dict(self.names).get(tag, tag))
            self._classes[tag] = cls
        return cls

    def members(self) -> list[type[BaseModel]]:
        """Every built-in member (imports the module): for error hints, never on the success path."""
        return [self.member(tag) for tag in sorted(self.tags)]

    def user_class(self) -> type[UserConfig] | None:
        if self.user_base is None:
            return None
        cls: type[UserConfig] = getattr(importlib.import_module(self.module), self.user_base)
        return cls

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.with_info_plain_validator_function(
            self._validate,
            serialization=core_schema.plain_serializer_function_ser_schema(self._serialize, info_arg=True),
        )

    def _tag_of(self, value: Any) -> str:
        if isinstance(value, dict):
            tag = value.get("type", self.default)
            if tag is None:
                raise PydanticCustomError(
                    "union_tag_not_found", "Unable to extract tag using discriminator 'type'"
                )
            return str(tag)
        return str(getattr(value, "type", ""))

    def _validate(self, value: Any, info: core_schema.ValidationInfo) -> Any:
        user = self.user_class()
        if isinstance(value, BaseModel):
            if user is not None and isinstance(value, user):
                return value
            tag = str(getattr(value, "type", None) or self.default or "")  # a default member may have no type
            if tag in self.tags and type(value) is self.member(tag):
                return value
            raise PydanticCustomError(
                "model_type",
                "Input should be one of this section's kinds, got {name}",
                {"name": type(value).__name__},
            )
        if not isinstance(value, dict):
            raise PydanticCustomError("model_type", "Input should be a mapping or a config object")
        tag = self._tag_of(value)
        if tag in self.tags:
            cls: type[BaseModel] = self.member(tag)
        elif user is not None and "." in tag:
            cls = _resolve_user(tag, user)
            tag = USER_TAG
        else:
            expected = sorted(self.tags) + ([USER_TAG] if user is not None else [])
            raise PydanticCustomError(
                "union_tag_invalid",
                "Input tag '{tag}' found using 'type' does not match any of the expected tags: {expected_tags}",
                {"tag": tag, "expected_tags": ", ".join(f"'{t}'" for t in expected)},
            )
        try:
            if info.mode == "json":  # keep JSON mode's rules (arrays fill tuple fields) for the member too
                return validate_document_data(cls, value)
            return cls.model_validate(value)
        except ValidationError as exc:
            raise _under_tag(exc, tag) from None

    @staticmethod
    def _serialize(value: Any, info: core_schema.SerializationInfo) -> Any:
        if isinstance(value, BaseModel):
            return value.model_dump(mode=info.mode, serialize_as_any=True)
        return value


def _resolve_user(path: str, base: type[UserConfig]) -> type[BaseModel]:
    return import_user_class(path, base)


def _under_tag(exc: ValidationError, tag: str) -> ValidationError:
    """The member's errors with its tag in front of their locations, as a discriminated union reports them."""
    details: list[InitErrorDetails] = []
    for error in exc.errors(include_url=False):
        ctx = error.get("ctx")
        message = str(error["msg"]).replace("{", "{{").replace("}", "}}")
        details.append(
            {
                "type": PydanticCustomError(error["type"], message, ctx),
                "loc": (tag, *error["loc"]),
                "input": error["input"],
            }
        )
    return ValidationError.from_exception_data(exc.title, details)


def tagged_union(kinds: Any, user: type[UserConfig] | None = None) -> Any:
    """`Union[Annotated[Kind, Tag(kind's type)], ..., user branch]` from a plain `A | B | ...` of model classes.

    A module writes its kinds once, as the plain union type checkers and editors read (`if TYPE_CHECKING:`); the
    tagged form pydantic discriminates on is derived from it here, with a user's `user` subclasses as the open
    branch when given.
    """
    from typing import Union, get_args

    from pydantic import SerializeAsAny, Tag, WithJsonSchema

    from typedseg.config.base import USER_JSON_SCHEMA, user_validator

    members: list[Any] = [
        Annotated[kind, Tag(kind.model_fields["type"].default)] for kind in get_args(kinds) or (kinds,)
    ]
    if user is not None:
        members.append(
            Annotated[
                SerializeAsAny[user],  # type: ignore[valid-type,misc]
                user_validator(user),
                Tag(USER_TAG),
                WithJsonSchema(USER_JSON_SCHEMA),
            ]
        )
    return Union[tuple(members)]


def type_or(default: str) -> Callable[[Any], str | None]:
    """A pydantic `Discriminator` callable: a member's `type`, or `default` for a mapping or object without one.

    For unions where one member has no `type` of its own (an initializer's `override` entry with only `name`).
    """

    def tag(value: Any) -> str | None:
        if isinstance(value, dict):
            found = value.get("type")
            return default if found is None else str(found)
        if isinstance(value, BaseModel):
            return str(getattr(value, "type", None) or default)
        return None

    return tag


def tags_of(union: Any) -> frozenset[str]:
    """The `Tag`s of a tagged union (for tests that keep a LazyUnion's tag list equal to its real union)."""
    from typing import get_args

    from pydantic import Tag

    def walk(tp: Any) -> Iterable[str]:
        for arg in get_args(tp):
            if isinstance(arg, Tag):
                yield arg.tag
            else:
                yield from walk(arg)

    return frozenset(walk(union)) - {USER_TAG}


def lazy_exports(
    package: str, where: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """PEP 562 `__getattr__` and `__dir__` for a family package: a name imports only the module that defines it.

    Defining a pydantic model costs about a millisecond; a family package holds dozens of them and a config names
    a few, so `from typedseg.config.schedulers import LinearLR` loads `schedulers/linear.py` alone. `where` maps
    a submodule (relative to `package`, or an absolute `typedseg.` module) to the names it provides; the
    package's `if TYPE_CHECKING:` imports give type checkers and editors the same names
    (tests/config/test_lazy_packages.py keeps the two equal).
    """
    index = {
        name: module if module.startswith("typedseg.") else f"{package}.{module}"
        for module, names in where.items()
        for name in names
    }

    def __getattr__(name: str) -> Any:  # noqa: N807 (PEP 562 names)
        module = index.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(index) | set(vars(sys.modules[package])))

    __getattr__.exports = index  # type: ignore[attr-defined]
    return __getattr__, __dir__


def public_module(cls: type) -> str:
    """The module a user imports `cls` from: its family package when that package exports it lazily."""
    module = cls.__module__
    while "." in module:
        parent = module.rpartition(".")[0]
        exports = getattr(getattr(sys.modules.get(parent), "__getattr__", None), "exports", {})
        if exports.get(cls.__name__) != module:
            break
        module = parent
    return module
