"""The base of every config model: frozen, strict, unknown keys refused, construction site remembered.

Why each choice:
- `frozen` and tuples for sequences: configs are values; sharing one between experiments can never leak an edit.
- `strict`: `"80000"` is not an int and `1` is not `True`; YAML is read with YAML 1.2 number rules so that strictness
  costs YAML users nothing.
- `extra="forbid"`: MMEngine silently ignores unknown keys; we name them, with a suggestion.
- The call site of each construction is kept (outside `==`), so that a later cross-field error can point at the
  exact `FILE:LINE` of the keyword argument that set the offending value.
"""

import functools
import keyword
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeAlias, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from typedseg.config.json_mode import validate_document_data
from typedseg.problems import ConfigError, Construction, Problem, Site

T = TypeVar("T")
FIELD_DOCS_ENV = "TYPEDSEG_FIELD_DOCS"
SCHEMA_MODE = os.environ.get(FIELD_DOCS_ENV) == "1"
"""True in the process that exports the JSON Schema: models carry field docs, unions are the real tagged ones."""


def _code_folders(folders: Sequence[str]) -> tuple[str, ...]:
    """Each folder as written and with its links resolved, ending in a separator (for `startswith`)."""
    paths = (path for folder in folders for path in (Path(folder).absolute(), Path(folder).resolve()))
    return tuple(dict.fromkeys(os.path.join(str(path), "") for path in paths))


PACKAGE_DIRS = _code_folders(
    [str(Path(__file__).parent.parent), *getattr(sys.modules.get("typedseg"), "__path__", ())]
)
"""The folders typedseg's code runs from: frames and tracebacks inside them are typedseg's own, not the user's.
More than one: the README's editable install runs the package from a tree of links under `build/` (whose
`typedseg/` also holds cli/), and `python -m typedseg` in a checkout joins the checkout's `typedseg/` to it."""
_SKIPPED_DIRS = (
    *PACKAGE_DIRS,
    *_code_folders(
        [str(Path(sys.modules[name].__file__ or "").parent) for name in ("pydantic", "pydantic_core")]
    ),
)


def _as_tuple(value: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value)


if TYPE_CHECKING:  # the same type without its validator: jedi does not read Annotated
    Seq: TypeAlias = Sequence[T]
else:
    Seq = Annotated[Sequence[T], AfterValidator(_as_tuple)]
"""A sequence field: Python configs may write a list or a tuple; the frozen model always stores a tuple."""


def capture_site() -> Site | None:
    """The first frame outside typedseg and pydantic: the user's line that asked for this object."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_SKIPPED_DIRS) and not filename.startswith("<frozen"):
            break
        if frame.f_code.co_name == "<module>":
            return None  # a default built while typedseg itself is imported: no user line to point at
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    code = frame.f_code
    positions = getattr(code, "co_positions", None)
    if positions is not None and frame.f_lasti >= 0:
        for index, position in enumerate(positions()):
            if index == frame.f_lasti // 2:
                lineno, end_lineno, col, end_col = position
                if lineno is not None:
                    return Site(code.co_filename, lineno, col, end_lineno, end_col)
                break
    return Site(code.co_filename, frame.f_lineno)


ProblemsOf = Callable[[ValidationError, type[BaseModel]], list[Problem]]
"""Turns pydantic's errors for a model into problems with the paths a user wrote (`config.errors` does it)."""
_explain: list[ProblemsOf] = []


def explain_errors_with(problems_of: ProblemsOf) -> None:
    """Install how a failed construction is explained. The `typedseg.config` package installs
    `errors.problems_from_validation` when it is imported: `errors` walks the models' unions (and the experiment),
    so it sits above this module, which must not import it (an import-linter contract keeps it so)."""
    _explain[:] = [problems_of]


class ConfigModel(BaseModel):
    """Base of all typedseg config models."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        validate_default=False,
        # Field descriptions come from attribute docstrings. Extracting them parses each class's source (~130 ms
        # for all models), so only the JSON Schema export asks for them (see typedseg.config.schema).
        use_attribute_docstrings=SCHEMA_MODE,
        revalidate_instances="never",
        allow_inf_nan=False,  # an infinite or NaN setting is always a mistake in a training config
        defer_build=True,
    )

    _site: Site | None = PrivateAttr(default=None)

    def __init__(self, /, **data: Any) -> None:
        site = capture_site()
        try:
            super().__init__(**data)
        except ValidationError as exc:
            problems = _explain[0](exc, type(self))
            raise ConfigError(
                problems, Construction(type(self).__name__, site or Site("<unknown>", 0), data)
            ) from None
        self._site = site

    # Tells pydantic this __init__ only wraps BaseModel's: validating a dict (YAML, JSON, nested data) must not
    # route through it, so objects from files carry no call site and keep pydantic's own error locations.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @property
    def site(self) -> Site | None:
        """Where this object was constructed in a Python config (None when it came from YAML/JSON)."""
        return self._site

    def __eq__(self, other: object) -> bool:
        # Equality is about values only: two equal configs built on different lines are equal.
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def __hash__(self) -> int:
        return hash((type(self), tuple(_hashable(v) for v in self.__dict__.values())))


def _hashable(value: object) -> object:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


class Rules:
    """Collects rule violations inside a validator and raises them together, each with its own path."""

    CODE: ClassVar[str] = "typedseg_rules"

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, code: str, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.problems.append(Problem(code, path, message, hint))

    def raise_if_any(self) -> None:
        if self.problems:
            raise PydanticCustomError(
                self.CODE,
                "{summary}",
                {"summary": "; ".join(p.message for p in self.problems), "problems": self.problems},
            )


class UserConfig(ConfigModel):
    """Base of a user's own component config (a hook, a scheduler, ...), accepted wherever ours are.

    Python configs use the subclass directly. YAML/JSON name it by dotted path (`type: mypkg.hooks.GradNormAlarm`):
    the loader imports that module (it runs the user's code, as `custom_imports` does in MMEngine), checks that the
    class subclasses the expected base, and validates the rest of the keys against it.
    """

    type: str = ""
    """Dotted import path of the config class; filled in automatically."""

    runtime_class: ClassVar[str] = ""
    """Dotted path of the class `build()` constructs (`typedseg codegen class` sets it). An MMEngine config names
    that class, not this config: `export --format mmengine` writes it as the `type`."""

    @model_validator(mode="after")
    def _type_names_this_class(self) -> "UserConfig":
        expected = dotted_name(type(self))
        if not self.type:
            # Filled in after validation: a before-validator hands pydantic a Python dict, and YAML/JSON would
            # lose JSON mode's rules (arrays filling tuple fields) for every field of the user's class.
            object.__setattr__(self, "type", expected)
        elif self.type != expected:
            rules = Rules()
            rules.add(
                "user-type-mismatch",
                ("type",),
                f"type '{self.type}' does not name this object's class, {expected}.",
                "Leave type out (it is filled in), or replace the whole item to use another class.",
            )
            rules.raise_if_any()
        return self

    def build(self, *args: Any, **kwargs: Any) -> Any:
        """Construct the runtime object. The user's subclass implements this (the engine calls it)."""
        raise NotImplementedError(f"{type(self).__name__}.build() is not implemented")


U = TypeVar("U", bound=UserConfig)
USER_TAG = "user"
USER_JSON_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A user's own component config, named by the dotted path of its class.",
    "properties": {"type": {"type": "string", "pattern": r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)+$"}},
    "required": ["type"],
}
"""The JSON Schema of a user branch: open, since the user's fields are not known to our schema."""


def dotted_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class UserImports:
    """Which modules a dotted `type` (`mypkg.hooks.GradNormAlarm`) may be imported from while data is validated.

    Importing a module runs its code, so reading a data config (YAML, JSON, an MMEngine config read by `typedseg
    import`) imports only what the user allowed (`--allow-import mypkg`, `[tool.typedseg] allow-import`). A module
    that is already imported is looked up without running anything, and typedseg's own modules are always allowed.
    A Python config is a program the user runs on purpose: it may import anything.
    """

    allowed: tuple[str, ...] = ()
    """Package prefixes the user allowed: `mypkg` allows `mypkg` and `mypkg.hooks`, not `mypkg2`."""
    everything: bool = False
    """Any module may be imported (while a Python config runs)."""
    loaded: bool = True
    """A class of a module that is already imported may be used (nothing runs). Off for files, so that a config
    reads the same whatever the process imported before it."""
    keep: bool = False
    """A type that may not be imported is kept as data (an `UnresolvedUserConfig`) instead of being an error:
    `show`, `diff`, `export` and `import` work on the config without importing anything."""

    def permits(self, module: str) -> bool:
        """Whether importing `module` (and its parent packages) is allowed."""
        return self.everything or any(
            module == prefix or module.startswith(prefix + ".") for prefix in ("typedseg", *self.allowed)
        )


NO_USER_IMPORTS = UserImports()
"""The policy outside any `user_imports` block: nothing is imported; modules already imported are looked up."""
_USER_IMPORTS: ContextVar[UserImports] = ContextVar("typedseg_user_imports", default=NO_USER_IMPORTS)


@contextmanager
def user_imports(policy: UserImports) -> Iterator[None]:
    """Validate under `policy` (the default allows no import; modules already imported are looked up)."""
    token = _USER_IMPORTS.set(policy)
    try:
        yield
    finally:
        _USER_IMPORTS.reset(token)


class UnresolvedUserConfig(UserConfig):
    """A user's object kept as the data the config wrote, because its module may not be imported.

    Its keys are not checked against the user's class (only the base's own fields are); it dumps exactly the keys
    that were written, so `show`, `diff` and `export` give back what the config says.
    """

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="after")
    def _type_names_this_class(self) -> "UnresolvedUserConfig":
        return self  # `type` names the user's class, which was not imported

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        written = {"type", *self.model_fields_set, *(self.__pydantic_extra__ or {})}
        return {key: value for key, value in data.items() if key in written}


@functools.cache
def unresolved_class(base: type[U]) -> type[U]:
    """The `UnresolvedUserConfig` that stands in for an unimported subclass of `base` (UserHook, ...)."""
    name = f"Unresolved{base.__name__}"
    cls: type[U] = type(
        name,
        (UnresolvedUserConfig, base),
        {"__module__": __name__, "__qualname__": name, "model_config": ConfigDict(extra="allow")},
    )
    return cls


def _not_allowed(path: str, module: str) -> PydanticCustomError:
    package = module.partition(".")[0]
    rules = Rules()
    rules.add(
        "user-import-not-allowed",
        (),
        f"type '{path}' names a class of yours; importing '{module}' would run its code, and a data config "
        "imports nothing without your permission.",
        f"If you trust it, pass --allow-import {package} (or list it in `allow-import` under [tool.typedseg] in "
        "pyproject.toml); the module must be installed or on PYTHONPATH.",
    )
    return PydanticCustomError(
        rules.CODE, "{summary}", {"summary": rules.problems[0].message, "problems": rules.problems}
    )


def _import_failed(path: str, module: str, error: BaseException) -> PydanticCustomError:
    rules = Rules()
    reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    rules.add(
        "user-type-import",
        (),
        f"importing '{module}' for type '{path}' failed: it raised {reason}.",
        "Fix the module so that importing it succeeds (run `python -c 'import "
        f"{module}'` to see the traceback).",
    )
    return PydanticCustomError(
        rules.CODE, "{summary}", {"summary": rules.problems[0].message, "problems": rules.problems}
    )


def import_user_class(path: str, base: type[U]) -> type[U]:
    """Import `pkg.module.Class` and check it is a `base` subclass; errors read as config errors.

    Imports only what the current `UserImports` policy permits; otherwise a module that is already imported is
    looked up (no code runs), and anything else is an `UnresolvedUserConfig` or a `user-import-not-allowed` error.
    """
    import importlib

    module_name, _, class_name = path.rpartition(".")
    if not _DOTTED.fullmatch(path) or any(keyword.iskeyword(part) for part in path.split(".")):
        raise PydanticCustomError(
            "user-type-import",
            "'{type}' is not a dotted path to a class (mypkg.module.Class)",
            {"type": path},
        )
    policy = _USER_IMPORTS.get()
    if policy.permits(module_name):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise PydanticCustomError(
                "user-type-import",
                "cannot import '{module}' for type '{type}': {reason}",
                {"module": module_name, "type": path, "reason": str(exc)},
            ) from None
        except (Exception, SystemExit) as exc:  # the module's own code failed (or exited): one clear problem
            raise _import_failed(path, module_name, exc) from None
        cls = getattr(module, class_name, None)
    else:
        loaded = sys.modules.get(module_name) if policy.loaded else None
        if loaded is None:
            if policy.keep:
                return unresolved_class(base)
            raise _not_allowed(path, module_name)
        module = loaded
        cls = vars(module).get(class_name)  # no module `__getattr__`: it could import more
    if cls is None:
        import difflib

        names = [name for name, value in vars(module).items() if isinstance(value, type)]
        close = difflib.get_close_matches(class_name, names, n=1)
        raise PydanticCustomError(
            "user-type-import",
            "module '{module}' has no class '{name}'{suggestion}",
            {
                "module": module_name,
                "name": class_name,
                "suggestion": f" (did you mean '{close[0]}'?)" if close else "",
            },
        )
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise PydanticCustomError(
            "user-type-base", "'{type}' is not a {base} subclass", {"type": path, "base": base.__name__}
        )
    return cls


def user_validator(base: type[U]) -> BeforeValidator:
    """For the user branch of a union: a dict naming a dotted path becomes an instance of that class.

    Use as `Annotated[SerializeAsAny[UserHook], user_validator(UserHook), Tag(USER_TAG)]`.
    """

    def resolve(value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, dict):
            cls = import_user_class(str(value.get("type", "")), base)
            if info.mode == "json":  # JSON mode's rules (arrays fill tuple fields) for the user's class too
                return validate_document_data(cls, value)
            return cls.model_validate(value)
        return value

    return BeforeValidator(resolve)


def discriminate(builtin_tags: frozenset[str], default: str | None = None) -> Discriminator:
    """Route a value to a union member: by `type` for ours, to the user branch for anything else.

    `default` is the member used when a dict has no `type` at all (MMEngine's own default, e.g. OptimWrapper).
    """

    def tag_of(value: Any) -> str | None:
        if isinstance(value, dict):
            tag = value.get("type", default)
        else:
            tag = getattr(value, "type", None)
            if isinstance(value, UserConfig):
                return USER_TAG
        if tag is None:
            return None
        if tag in builtin_tags:
            return str(tag)
        return USER_TAG if "." in str(tag) else str(tag)

    return Discriminator(tag_of)
