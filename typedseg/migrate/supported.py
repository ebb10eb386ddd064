"""Which MMEngine/MMSegmentation type names typedseg implements, and how scoped names (`mmpretrain.ConvNeXt`) map.

The answer is read from the config models themselves (every `type: Literal[...]` field of every model in
`typedseg.config`), so it cannot drift from what validation accepts. Importing the family modules costs about
0.1 s; it happens once per process, and only for `typedseg import` / `export`.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType
from typing import Literal, get_args, get_origin

from pydantic import BaseModel

from typedseg.config.optim import OptimWrapperConstructor

_FAMILIES = (
    "typedseg.config.loops",
    "typedseg.config.hooks",
    "typedseg.config.optim",
    "typedseg.config.optimizers",
    "typedseg.config.schedulers",
    "typedseg.config.runtime",
    "typedseg.config.model_wrapper",
    "typedseg.config.data",
    "typedseg.config.datasets",
    "typedseg.config.transforms",
    "typedseg.config.evaluation",
    "typedseg.config.models.common",
    "typedseg.config.models.losses",
    "typedseg.config.models.backbones",
    "typedseg.config.models.heads",
    "typedseg.config.models.necks",
    "typedseg.config.models.segmentor",
)

OPENMMLAB_SCOPES = frozenset(
    {
        "mmengine",
        "mmcv",
        "mmseg",
        "mmpretrain",
        "mmcls",
        "mmdet",
        "mmdet3d",
        "mmselfsup",
        "mmagic",
        "mmedit",
        "mmpose",
        "mmaction",
        "mmocr",
        "mmrotate",
        "mmyolo",
        "mmtrack",
        "mmrazor",
        "mmflow",
    }
)
"""Registry scopes of OpenMMLab packages: `scope.Name` in a config names a class of that package, not a module."""

_SAME_CLASSES_SCOPES = frozenset({"mmengine", "mmcv", "mmseg"})
"""Scopes whose class names typedseg mirrors one to one (its models are MMEngine's, MMCV's and MMSeg's)."""

SCOPED_CLASSES: dict[str, str] = {"mmpretrain.ConvNeXt": "ConvNeXt"}
"""Classes of other packages that typedseg implements, by their scoped name in MMSegmentation's configs."""

EXPORT_SCOPES: dict[str, tuple[str, str]] = {"ConvNeXt": ("mmpretrain.ConvNeXt", "mmpretrain.models")}
"""typedseg type -> (the scoped name MMSegmentation's configs use, the module `custom_imports` must import)."""

OPTIM_WRAPPER_CONSTRUCTORS = frozenset(get_args(OptimWrapperConstructor))
"""The `optim_wrapper.constructor` values typedseg implements (read from the model's Literal)."""


def _literal_values(annotation: object) -> tuple[str, ...]:
    if get_origin(annotation) is Literal:
        return tuple(value for value in get_args(annotation) if isinstance(value, str))
    return ()


def _family_modules() -> list[ModuleType]:
    """Every module of the families, the lazy packages' submodules included (a lazy package's own namespace
    holds only what was asked of it so far)."""
    modules = []
    for name in _FAMILIES:
        module = importlib.import_module(name)
        modules.append(module)
        if hasattr(module, "__path__"):
            modules += [
                importlib.import_module(info.name)
                for info in pkgutil.walk_packages(module.__path__, f"{name}.")
            ]
    return modules


@cache
def known_types() -> frozenset[str]:
    """Every `type` value some typedseg config model accepts (MMEngine's, MMCV's and MMSeg's class names)."""
    found: set[str] = set()
    for module in _family_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and "type" in value.model_fields:
                found.update(_literal_values(value.model_fields["type"].annotation))
    return frozenset(found)


def typedseg_type(name: str) -> str | None:
    """The typedseg type for an MMEngine `type` value: itself, the class a scoped name stands for, or None."""
    known = known_types()
    if name in known:
        return name
    if name in SCOPED_CLASSES:
        return SCOPED_CLASSES[name]
    scope, _, rest = name.partition(".")
    if scope in _SAME_CLASSES_SCOPES and rest in known:
        return rest
    return None


def is_openmmlab_scoped(name: str) -> bool:
    """`mmdet.CrossEntropyLoss`: a class of an OpenMMLab package (as opposed to a user's `pkg.module.Class`)."""
    scope, dot, _ = name.partition(".")
    return bool(dot) and scope in OPENMMLAB_SCOPES
