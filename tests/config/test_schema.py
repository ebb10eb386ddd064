"""The committed JSON Schema covers every config model, documents every field, leaves user types open, and
accepts the YAML typedseg writes (checked with a JSON Schema validator, as an editor would)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from pydantic import BaseModel

import typedseg.config
from tests.committed_schema import committed_schema, definition
from typedseg.codegen.scaffold import DATASETS, DEFAULT_DATASET, MODELS, new_config_source
from typedseg.config.base import ConfigModel, UserConfig
from typedseg.config.experiment import Experiment
from typedseg.loading import load_config
from typedseg.loading.dump import to_yaml
from typedseg.loading.yaml12 import read_yaml

ROOT = Path(__file__).resolve().parents[2]


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


# --- documents against the schema: what typedseg writes, the schema accepts; what typedseg refuses, it refuses ---

CONFIGS = sorted((ROOT / "configs").glob("*.py"))
NEW_OPTIONS: list[dict[str, Any]] = [
    {},  # the quickstart
    *({"model": model} for model in MODELS),
    *({"dataset": dataset} for dataset in DATASETS if dataset != DEFAULT_DATASET),
    {"model": "segformer_mit_b0", "dataset": "ade20k", "optimizer": "adamw", "amp": True, "ema": True},
]


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = committed_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _schema_errors(data: Any) -> list[str]:
    """Every error, at the deepest place the validator can tell (`best_match` inside oneOf/anyOf)."""
    return [
        f"{'.'.join(map(str, (error := best_match([e]) or e).absolute_path))}: {error.message[:300]}"
        for e in _validator().iter_errors(data)
    ]


def _yaml_data(experiment: Experiment) -> Any:
    """The document `typedseg show --format yaml` writes, read back as typedseg reads YAML (1.2 rules)."""
    return read_yaml(to_yaml(experiment)).data


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_the_yaml_of_every_config_in_configs_is_valid_under_the_schema(config: Path) -> None:
    assert _schema_errors(_yaml_data(load_config(config).experiment)) == []


@pytest.mark.parametrize(
    "options", NEW_OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()) or "quickstart"
)
def test_the_yaml_of_generated_configs_is_valid_under_the_schema(
    options: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "generated.py"
    path.write_text(new_config_source(**options), encoding="utf-8")
    assert _schema_errors(_yaml_data(load_config(path).experiment)) == []


def test_an_override_entry_with_only_a_name_is_valid() -> None:
    # The regression: every member of the override union has a defaulted `type`, so `{name: conv_seg}` matched
    # them all and `oneOf` refused the YAML of every model with a decode head.
    head = _yaml_data(load_config(ROOT / "configs" / "quickstart.py").experiment)["model"]["decode_head"]
    assert head["init_cfg"]["override"] == {"name": "conv_seg"}
    init_cfg = {"type": "Normal", "std": 0.01, "override": [{"name": "conv_seg"}]}
    assert (
        _schema_errors({"model": {**_quickstart_model(), "decode_head": {**head, "init_cfg": init_cfg}}})
        == []
    )
    typed = {"type": "Constant", "val": 0.0, "name": "conv_seg"}
    assert (
        _schema_errors(
            {
                "model": {
                    **_quickstart_model(),
                    "decode_head": {**head, "init_cfg": {**init_cfg, "override": typed}},
                }
            }
        )
        == []
    )


def _quickstart_model() -> dict[str, Any]:
    model: dict[str, Any] = _yaml_data(load_config(ROOT / "configs" / "quickstart.py").experiment)["model"]
    return model


def test_default_members_need_no_type_and_the_others_do() -> None:
    assert _schema_errors({"optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.01}}}) == []
    assert (
        _schema_errors(
            {"optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.01}, "clip_grad": {"max_norm": 1.0}}}
        )
        == []
    )
    assert _schema_errors({"param_scheduler": [{"type": "PolyLR", "power": 0.9}]}) == []
    assert _schema_errors({"param_scheduler": [{"power": 0.9}]}) != []  # typedseg: "no type" too
    assert _schema_errors({"optim_wrapper": {"optimizer": {"lr": 0.01}}}) != []


def test_the_schema_refuses_what_typedseg_refuses() -> None:
    sgd = {"type": "SGD", "lr": 0.01}
    assert _schema_errors({"optim_wrapper": {"optimizer": {**sgd, "momentun": 0.9}}}) != []  # a typo
    assert _schema_errors({"optim_wrapper": {"optimizer": {**sgd, "type": "Sgd"}}}) != []  # no such kind
    assert _schema_errors({"train_cfg": {"type": "IterBasedTrainLoop", "max_iters": "80k"}}) != []
    assert (
        _schema_errors(
            {"custom_hooks": [{"type": "EMAHook", "momentum": 0.0002}, {"type": "mypkg.Hook", "x": 1}]}
        )
        == []
    )
