"""`typedseg codegen class module:Class`: the source of a typed config model for a user's own class.

One field per keyword argument of the class's `__init__` (annotation, literal default, docstring text), a
`build()` that constructs the class, and a base that makes the config usable wherever typedseg's own are (a
`UserHook` subclass goes into `custom_hooks`, a `UserDataset` subclass into a dataloader, ...). Parameters that
cannot be fields are handled as `typedseg.codegen.signature` states: `*args`/`**kwargs` refused unless skipped
(with a comment), unannotated ones typed `Any` (with a comment), non-literal defaults refused.
"""

from __future__ import annotations

import dataclasses
import importlib

from typedseg.codegen.render import config_module_source
from typedseg.codegen.signature import FieldSpec, SignatureError, class_spec
from typedseg.templating import Import, python_string

BASES: dict[str, Import] = {
    "config": ("typedseg.config.base", "UserConfig"),
    "hook": ("typedseg.config.hooks", "UserHook"),
    "scheduler": ("typedseg.config.schedulers", "UserScheduler"),
    "optimizer": ("typedseg.config.optimizers", "UserOptimizer"),
    "metric": ("typedseg.config.evaluation", "UserMetric"),
    "dataset": ("typedseg.config.datasets", "UserDataset"),
    "transform": ("typedseg.config.transforms", "UserTransform"),
    "model": ("typedseg.config.models.segmentor", "UserModel"),
    "backbone": ("typedseg.config.models.backbones", "UserBackbone"),
    "head": ("typedseg.config.models.heads", "UserHead"),
    "loss": ("typedseg.config.models.losses", "UserLoss"),
}
"""`--kind` -> the user-extension base the generated config subclasses (where typedseg accepts it)."""


def load_target(target: str) -> type:
    """`pkg.module:Class` (or `pkg.module.Class`) -> the class; errors name what is wrong."""
    module_name, sep, name = target.partition(":")
    if not sep:
        module_name, _, name = target.rpartition(".")
    if not module_name or not name:
        raise SignatureError(f"'{target}' is not module.path:ClassName")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SignatureError(f"cannot import '{module_name}': {exc}") from None
    cls = getattr(module, name, None)
    if not isinstance(cls, type):
        raise SignatureError(f"'{module_name}' has no class '{name}'")
    return cls


def user_config_source(
    target: str, *, kind: str = "config", name: str | None = None, skip_var_args: bool = False
) -> str:
    """The source of a module defining `<Class>Config`, a config model for the class at `target`."""
    cls = load_target(target)
    base_module, base = BASES[kind]
    spec = class_spec(cls, name=name or f"{cls.__name__}Config", skip_var_args=skip_var_args)
    settings = (
        _priority_field(cls) if kind == "hook" and "priority" not in {f.name for f in spec.fields} else ()
    )
    spec = dataclasses.replace(
        spec, type_name=None, base=base, builds=(cls.__module__, cls.__name__), settings=settings
    )
    return config_module_source(
        [spec],
        module_doc=f"Typed config for `{cls.__module__}.{cls.__qualname__}`, generated from its signature.",
        generated_by=f"typedseg codegen class {target}" + (f" --kind {kind}" if kind != "config" else ""),
        imports=[(base_module, base)],
    )


def _priority_field(hook: type) -> tuple[FieldSpec, ...]:
    """The hook class's own `priority` (MMEngine's class attribute) as the config's default; none: NORMAL stays.

    MMEngine registers a hook at its class's priority unless the config sets one; without this field the config
    side would say NORMAL and run the hook elsewhere than the class asks.
    """
    from enum import Enum

    from typedseg.config.hooks._shared import PRIORITIES

    priority = getattr(hook, "priority", None)
    if priority is None:
        return ()
    if isinstance(priority, Enum):  # mmengine.runner.Priority
        priority = priority.name
    if isinstance(priority, str) and priority.upper() in PRIORITIES:
        default = python_string(priority.upper())
    elif isinstance(priority, int) and not isinstance(priority, bool) and 0 <= priority <= 100:
        default = str(priority)
    else:
        raise SignatureError(
            f"{hook.__name__}.priority is {priority!r}: a priority is an int from 0 to 100 or one of "
            f"{', '.join(PRIORITIES)}"
        )
    return (
        FieldSpec(
            name="priority",
            annotation="Priority",
            default=default,
            description=f"When it runs among the hooks of a stage (lower first); `{hook.__name__}.priority`.",
            imports=frozenset({("typedseg.config.hooks", "Priority")}),
        ),
    )
