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
from typedseg.codegen.signature import SignatureError, class_spec
from typedseg.templating import Import

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
    spec = dataclasses.replace(spec, type_name=None, base=base, builds=(cls.__module__, cls.__name__))
    return config_module_source(
        [spec],
        module_doc=f"Typed config for `{cls.__module__}.{cls.__qualname__}`, generated from its signature.",
        generated_by=f"typedseg codegen class {target}" + (f" --kind {kind}" if kind != "config" else ""),
        imports=[(base_module, base)],
    )
