"""The committed JSON Schema covers every config model, documents every field, and leaves user types open."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from pydantic import BaseModel

import typedseg.config
from tests.committed_schema import committed_schema, definition
from typedseg.config.base import ConfigModel, UserConfig
from typedseg.config.experiment import Experiment


def _config_models() -> list[type[BaseModel]]:
    """Every public config model defined in typedseg.config and its subpackages (typedseg.config.models.*)."""
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(typedseg.config.__path__, "typedseg.config."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, ConfigModel)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
                and not issubclass(obj, UserConfig)
                and obj not in (Experiment, ConfigModel)
            ):
                found[f"{module.__name__}.{name}"] = obj
    return list(found.values())


def test_every_config_model_is_in_the_schema() -> None:
    defs = committed_schema()["$defs"]
    missing = [model.__name__ for model in _config_models() if model.__name__ not in defs]
    assert missing == []


def test_every_field_has_a_description() -> None:
    undocumented = [
        f"{name}.{field}"
        for name, schema in committed_schema()["$defs"].items()
        for field, prop in schema.get("properties", {}).items()
        if field != "type" and not prop.get("description")
    ]
    assert undocumented == []


def test_unknown_keys_are_closed_everywhere_but_user_types() -> None:
    defs = committed_schema()["$defs"]
    open_models = [name for name, schema in defs.items() if schema.get("additionalProperties") is not False]
    # JsonValue: free-form arguments passed on to a third-party library (wandb.init kwargs). Every section, the
    # model and the datasets included, is typed and closed; a user's own types are inline branches, not $defs.
    assert sorted(open_models) == ["JsonValue"]


def test_user_branches_accept_a_dotted_type() -> None:
    hook_union = committed_schema()["properties"]["custom_hooks"]["items"]
    user = [member for member in hook_union["oneOf"] if "$ref" not in member]
    assert len(user) == 1
    assert user[0]["required"] == ["type"]
    assert "pattern" in user[0]["properties"]["type"]


def test_defaults_are_mmengine_defaults() -> None:
    checkpoint = definition("CheckpointHook")["properties"]
    assert (checkpoint["interval"]["default"], checkpoint["by_epoch"]["default"]) == (-1, True)
    assert definition("IterBasedTrainLoop")["properties"]["val_interval"]["default"] == 1000
    assert committed_schema()["title"] == "typedseg experiment"
