"""A user's own config class (what `typedseg codegen class` generates) behaves like one of ours.

It reads back from its own YAML/JSON (tuple fields included), an MMEngine export names the class MMEngine should
build (the hook, not its config), and a hook config starts from the hook class's own priority.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from pydantic import ValidationError

from typedseg.codegen.user_class import user_config_source
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import UserHook
from typedseg.loading.dump import to_json, to_yaml
from typedseg.migrate.to_mmengine import export_mmengine

MODULE = "typedseg_test_crop_config"
"""The generated module's name in sys.modules (YAML names its class by this dotted path)."""


class CropHook:
    """Crops the batch it logs.

    Args:
        size (tuple[int, int]): Height and width of the crop.
        every (int): Log every this many iterations.
    """

    priority = "LOW"

    def __init__(self, size: tuple[int, int] = (512, 512), every: int = 1) -> None:
        self.size = size
        self.every = every


class RankedHook:
    priority = 42

    def __init__(self, every: int = 1) -> None:
        self.every = every


class PlainHook:
    def __init__(self, every: int = 1) -> None:
        self.every = every


def _import_source(source: str, name: str, folder: Path) -> ModuleType:
    path = folder / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def crop_config(tmp_path: Path) -> Iterator[type[UserHook]]:
    source = user_config_source(f"{__name__}:CropHook", kind="hook")
    module = _import_source(source, MODULE, tmp_path)
    yield module.CropHookConfig
    del sys.modules[MODULE]


def test_a_tuple_field_reads_back_from_its_own_yaml_and_json(crop_config: type[UserHook]) -> None:
    experiment = Experiment(custom_hooks=[crop_config(size=(3, 4))])  # type: ignore[call-arg]
    from_json = Experiment.model_validate_json(to_json(experiment))
    # The YAML path of the loader: the document's data, validated in JSON mode (arrays fill tuple fields).
    from_yaml = Experiment.model_validate_json(json.dumps(yaml.safe_load(to_yaml(experiment))))
    assert from_json == experiment
    assert from_yaml == experiment
    hook = from_yaml.custom_hooks[0]
    assert type(hook) is crop_config
    assert hook == crop_config(size=(3, 4))  # type: ignore[call-arg]
    assert hook.type == f"{MODULE}.CropHookConfig"


def test_a_user_config_keeps_strict_scalars_from_json(crop_config: type[UserHook]) -> None:
    bad = {"custom_hooks": [{"type": f"{MODULE}.CropHookConfig", "size": ["3", 4]}]}
    with pytest.raises(ValidationError) as caught:
        Experiment.model_validate_json(json.dumps(bad))
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
        (("custom_hooks", 0, "user", "size", 0), "int_type")
    ]


def test_a_wrong_type_on_a_user_config_is_still_refused(crop_config: type[UserHook]) -> None:
    with pytest.raises(ValidationError, match="does not name this object's class"):
        crop_config.model_validate_json(json.dumps({"type": "other.Module", "size": [1, 2]}))


def test_the_hook_class_priority_is_the_config_default(crop_config: type[UserHook], tmp_path: Path) -> None:
    assert crop_config().priority == "LOW"
    assert crop_config(priority="HIGH").priority == "HIGH"
    ranked = _import_source(
        user_config_source(f"{__name__}:RankedHook", kind="hook"), "typedseg_test_ranked", tmp_path
    )
    plain = _import_source(
        user_config_source(f"{__name__}:PlainHook", kind="hook"), "typedseg_test_plain", tmp_path
    )
    try:
        assert ranked.RankedHookConfig().priority == 42
        assert plain.PlainHookConfig().priority == "NORMAL"  # no class attribute: MMEngine's default
        # The priority is the config's own setting: build() passes only the class's arguments.
        assert ranked.RankedHookConfig(every=3).build().every == 3
    finally:
        del sys.modules["typedseg_test_ranked"], sys.modules["typedseg_test_plain"]


def test_mmengine_export_names_the_hook_class(crop_config: type[UserHook]) -> None:
    experiment = Experiment(custom_hooks=[crop_config(size=(3, 4))])  # type: ignore[call-arg]
    exported = export_mmengine(experiment)
    assert f"custom_hooks = [dict(type='{__name__}.CropHook', size=(3, 4))]" in exported.text
    assert f"custom_imports = dict(imports=['{__name__}'], allow_failed_imports=False)" in exported.text
    assert "CropHookConfig" not in exported.text
    assert exported.notes == []
    # The class's own priority is MMEngine's default for it: written only when the config changes it.
    changed = export_mmengine(Experiment(custom_hooks=[crop_config(priority="HIGH")]))
    assert f"dict(type='{__name__}.CropHook', priority='HIGH')" in changed.text


class HandWritten(UserHook):
    """A hand-written user hook config that does not say which class it builds."""

    every: int = 1


def test_mmengine_export_of_a_config_without_runtime_class_says_so() -> None:
    exported = export_mmengine(Experiment(custom_hooks=[HandWritten(every=2)]))
    assert f"type='{__name__}.HandWritten'" in exported.text
    assert exported.notes == [
        f"custom_hooks[0]: type names the config class {__name__}.HandWritten, which MMEngine cannot build; "
        "set `runtime_class` on it to the dotted path of the class its build() constructs."
    ]
