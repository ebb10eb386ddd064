"""Defaults have the type of their field (pydantic does not validate defaults: `float = 0` would stay an int,
and a dumped config would change from `0` to `0.0` after one load)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing

from pydantic import BaseModel

import typedseg.config


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(typedseg.config.__path__, "typedseg.config."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return list(found.values())


def _wants_float(annotation: object) -> bool:
    if annotation is float:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = typing.get_args(annotation)
        return float in args and int not in args
    return False


def test_float_fields_have_float_defaults() -> None:
    wrong = [
        f"{model.__name__}.{name} = {field.default!r}"
        for model in _models()
        for name, field in model.model_fields.items()
        if _wants_float(field.annotation) and type(field.default) is int
    ]
    assert wrong == []
