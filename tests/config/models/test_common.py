"""Layer configs: norm/act/conv/init models parse from MMCV-style dicts with MMCV's (torch's) defaults."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import typedseg.config.models
from typedseg.config.base import ConfigModel, UserConfig
from typedseg.config.models import common
from typedseg.config.models.common import (
    BN,
    GN,
    LN,
    ActConfig,
    ConstantInit,
    ConvConfig,
    InitConfig,
    KaimingInit,
    NameOverride,
    NormalInit,
    NormalOverride,
    NormConfig,
    PretrainedInit,
    PretrainedOverride,
    checkpoints,
)
from typedseg.problems import ConfigError

ROOT = Path(__file__).resolve().parents[3]
NORM = TypeAdapter(NormConfig)
ACT = TypeAdapter(ActConfig)
CONV = TypeAdapter(ConvConfig)
INIT = TypeAdapter(InitConfig)
MODULES = [
    importlib.import_module(info.name)
    for info in pkgutil.walk_packages(typedseg.config.models.__path__, "typedseg.config.models.")
]
"""Every module of the model family (the lazy packages' submodules included)."""

BATCH_NORM = {
    "requires_grad": True,
    "eps": 1e-5,
    "momentum": 0.1,
    "affine": True,
    "track_running_stats": True,
}

# type -> (required arguments, defaults of the rest): torch's layer defaults, MMCV's requires_grad
NORMS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "BN": ({}, BATCH_NORM),
    "BN2d": ({}, BATCH_NORM),
    "SyncBN": ({}, BATCH_NORM),
    "GN": ({"num_groups": 32}, {"requires_grad": True, "eps": 1e-5, "affine": True}),
    "LN": ({}, {"requires_grad": True, "eps": 1e-5, "elementwise_affine": True, "bias": True}),
    "LN2d": ({}, {"requires_grad": True, "eps": 1e-5, "elementwise_affine": True, "bias": True}),
    "IN": (
        {},
        {"requires_grad": True, "eps": 1e-5, "momentum": 0.1, "affine": False, "track_running_stats": False},
    ),
}

ACTS: dict[str, dict[str, Any]] = {
    "ReLU": {"inplace": None},
    "ReLU6": {"inplace": None},
    "LeakyReLU": {"negative_slope": 0.01, "inplace": None},
    "PReLU": {"num_parameters": 1, "init": 0.25},
    "ELU": {"alpha": 1.0, "inplace": None},
    "GELU": {"approximate": "none"},
    "SiLU": {"inplace": None},
    "Swish": {},
    "HSwish": {"inplace": None},
    "HSigmoid": {"bias": 3.0, "divisor": 6.0, "min_value": 0.0, "max_value": 1.0},
    "Sigmoid": {},
    "Tanh": {},
}

BASE_INIT = {"bias": 0, "bias_prob": None, "layer": None, "override": None}
# type -> (required arguments, MMEngine's defaults)
INITS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "Constant": ({"val": 1, "layer": "Conv2d"}, {"bias": 0, "bias_prob": None, "override": None}),
    "Xavier": ({"layer": "Conv2d"}, {**BASE_INIT, "layer": "Conv2d", "gain": 1, "distribution": "normal"}),
    "Normal": ({"layer": "Conv2d"}, {**BASE_INIT, "layer": "Conv2d", "mean": 0, "std": 1}),
    "TruncNormal": (
        {"layer": "Conv2d"},
        {**BASE_INIT, "layer": "Conv2d", "mean": 0, "std": 1, "a": -2, "b": 2},
    ),
    "Uniform": ({"layer": "Conv2d"}, {**BASE_INIT, "layer": "Conv2d", "a": 0, "b": 1}),
    "Kaiming": (
        {"layer": "Conv2d"},
        {
            **BASE_INIT,
            "layer": "Conv2d",
            "a": 0,
            "mode": "fan_out",
            "nonlinearity": "relu",
            "distribution": "normal",
        },
    ),
    "Caffe2Xavier": ({"layer": "Conv2d"}, {**BASE_INIT, "layer": "Conv2d"}),
    "Pretrained": ({"checkpoint": "ckpt/r50.pth"}, {"prefix": None, "map_location": "cpu"}),
}


@pytest.mark.parametrize("type_", list(NORMS))
def test_norm_defaults_are_mmcv_and_torch_defaults(type_: str) -> None:
    required, defaults = NORMS[type_]
    norm = NORM.validate_python({"type": type_, **required})
    assert norm.type == type_
    assert next(iter(type(norm).model_fields)) == "type"
    assert {name: getattr(norm, name) for name in defaults} == defaults
    assert set(type(norm).model_fields) == {"type", *required, *defaults}


@pytest.mark.parametrize("type_", list(ACTS))
def test_act_defaults(type_: str) -> None:
    act = ACT.validate_python({"type": type_})
    assert act.type == type_
    assert {name: getattr(act, name) for name in ACTS[type_]} == ACTS[type_]
    assert set(type(act).model_fields) == {"type", *ACTS[type_]}


@pytest.mark.parametrize("type_", list(INITS))
def test_init_defaults_are_mmengine_defaults(type_: str) -> None:
    required, defaults = INITS[type_]
    init = INIT.validate_python({"type": type_, **required})
    assert isinstance(init, BaseModel)
    assert getattr(init, "type", None) == type_
    assert {name: getattr(init, name) for name in defaults} == defaults
    assert set(type(init).model_fields) == {"type", *required, *defaults}


def test_corpus_norm_cfgs_validate() -> None:
    corpus = [
        {"type": "SyncBN", "requires_grad": True},
        {"type": "SyncBN", "eps": 0.001, "requires_grad": True},
        {"type": "SyncBN", "requires_grad": True, "momentum": 0.01},
        {"type": "BN", "requires_grad": True},
        {"type": "GN", "num_groups": 32, "requires_grad": True},
        {"type": "LN", "eps": 1e-6, "requires_grad": True},
        {"type": "LN", "eps": 1e-5},
        {"type": "LN2d", "eps": 1e-6},
    ]
    for data in corpus:
        norm = NORM.validate_python(data)
        assert norm.model_dump(include=set(data)) == data
    assert isinstance(NORM.validate_python({"type": "SyncBN", "requires_grad": False}).requires_grad, bool)


def test_norm_mistakes_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        NORM.validate_python({"type": "GN"})
    assert caught.value.errors()[0]["type"] == "missing"
    with pytest.raises(ValidationError) as caught:
        NORM.validate_python({"type": "LN", "momentum": 0.1})
    assert caught.value.errors()[0]["type"] == "extra_forbidden"
    with pytest.raises(ValidationError):
        NORM.validate_python({"type": "BN", "requires_grad": 1})
    with pytest.raises(ValidationError):
        NORM.validate_python({"type": "BatchNorm"})


def test_act_and_conv_cfgs() -> None:
    assert ACT.validate_python({"type": "ReLU", "inplace": True}) == common.ReLU(inplace=True)
    with pytest.raises(ValidationError):
        ACT.validate_python({"type": "GELU", "inplace": True})  # nn.GELU has no inplace
    with pytest.raises(ConfigError) as caught:
        common.HSigmoid(divisor=0.0)
    assert [p.code for p in caught.value.problems] == ["hsigmoid-divisor-zero"]
    assert CONV.validate_python({"type": "Conv2d"}).type == "Conv2d"
    assert CONV.validate_python({"type": "Conv"}).type == "Conv"


def test_init_cfg_is_one_initializer_or_a_list() -> None:
    one = INIT.validate_python({"type": "Kaiming", "layer": "Conv2d"})
    assert isinstance(one, KaimingInit)
    many = INIT.validate_python(
        [
            {"type": "Kaiming", "layer": "Conv2d"},
            {"type": "Constant", "val": 1, "layer": ["_BatchNorm", "GroupNorm"]},
        ]
    )
    assert isinstance(many, tuple)
    assert [type(init) for init in many] == [KaimingInit, ConstantInit]
    assert many[1].layer == ("_BatchNorm", "GroupNorm")
    as_json = INIT.validate_json(json.dumps([{"type": "Normal", "std": 0.01, "layer": "Linear"}]))
    assert isinstance(as_json, tuple)
    assert isinstance(as_json[0], NormalInit)


def test_override_by_name_alone_or_with_its_own_initializer() -> None:
    head = INIT.validate_python({"type": "Normal", "std": 0.01, "override": {"name": "conv_seg"}})
    assert isinstance(head, NormalInit)
    assert head.override == NameOverride(name="conv_seg")
    both = INIT.validate_python(
        {
            "type": "Constant",
            "val": 1,
            "layer": "Conv2d",
            "override": [{"name": "reg"}, {"type": "Normal", "name": "cls", "std": 0.01}],
        }
    )
    assert isinstance(both, ConstantInit)
    assert isinstance(both.override, tuple)
    assert both.override[1] == NormalOverride(name="cls", std=0.01)
    with pytest.raises(ValidationError) as caught:  # an override initializes whole modules: no layer
        INIT.validate_python(
            {"type": "Normal", "override": {"type": "Normal", "name": "x", "layer": "Conv2d"}}
        )
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_an_initializer_without_target_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        NormalInit(std=0.01)
    assert [(p.code, p.path) for p in caught.value.problems] == [("init-targets-nothing", ("layer",))]
    with pytest.raises(ConfigError):
        KaimingInit(layer=[])
    assert KaimingInit(layer="Conv2d").layer == "Conv2d"
    assert NormalInit(override=NameOverride(name="conv_seg")).layer is None


def test_pretrained_checkpoints_are_found_with_their_paths() -> None:
    init = INIT.validate_python(
        [
            {"type": "Kaiming", "layer": "Conv2d"},
            {"type": "Pretrained", "checkpoint": "https://x/r50.pth", "prefix": "backbone."},
        ]
    )
    assert checkpoints(init) == [((1, "checkpoint"), "https://x/r50.pth")]
    single = PretrainedInit(checkpoint="a.pth")
    assert checkpoints(single) == [(("checkpoint",), "a.pth")]
    nested = NormalInit(std=0.01, override=PretrainedOverride(name="head", checkpoint="h.pth"))
    assert checkpoints(nested) == [(("override", "checkpoint"), "h.pth")]
    assert checkpoints(None) == []


def test_norm_models_are_frozen_values() -> None:
    assert BN() == BN(requires_grad=True)
    assert hash(GN(num_groups=8)) == hash(GN(num_groups=8))
    with pytest.raises(ValidationError):
        LN().eps = 1e-6  # type: ignore[misc]


# --- every model of the package --------------------------------------------------------------------------


def _models() -> list[type[ConfigModel]]:
    found: list[type[ConfigModel]] = []
    for module in MODULES:
        for name, obj in vars(module).items():
            if (
                isinstance(obj, type)
                and issubclass(obj, ConfigModel)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.append(obj)
    return found


def _defaults() -> list[tuple[str, BaseModel]]:
    found: list[tuple[str, BaseModel]] = []
    for model in _models():
        for name, field in model.model_fields.items():
            values = field.default if isinstance(field.default, tuple) else (field.default,)
            found.extend((f"{model.__name__}.{name}", v) for v in values if isinstance(v, BaseModel))
    return found


def test_the_walk_finds_every_family() -> None:
    names = {model.__name__ for model in _models()}
    assert {
        "SyncBN",
        "GELU",
        "Tanh",
        "XavierInit",
        "ConvNeXt",
        "UNet",
        "UPerHead",
        "FPN",
        "DiceLoss",
    } <= names
    assert len(_defaults()) >= 20


def test_every_class_has_a_one_line_docstring() -> None:
    for model in _models():
        assert model.__doc__ and "\n" not in model.__doc__.strip(), model.__name__


@pytest.mark.parametrize(("where", "value"), _defaults(), ids=[d[0] for d in _defaults()])
def test_default_objects_equal_their_validated_form(where: str, value: BaseModel) -> None:
    # Defaults are built without validation (no validator is built at import): they must be what
    # validating their dict form gives, field for field, and carry no call site.
    again = type(value).model_validate(value.model_dump())
    assert again == value
    assert again.model_dump() == value.model_dump()
    assert json.dumps(again.model_dump()) == json.dumps(value.model_dump())
    assert getattr(value, "site", None) is None


def test_every_field_is_documented_in_the_schema() -> None:
    # Field docs are only extracted with TYPEDSEG_FIELD_DOCS=1 set before import: ask a fresh process.
    script = (
        "import json\n"
        "from pydantic import TypeAdapter\n"
        "from typedseg.config.models.segmentor import ModelConfig, SegTTAModel\n"
        "defs = TypeAdapter(tuple[ModelConfig, SegTTAModel]).json_schema()['$defs']\n"
        "print(json.dumps(defs))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "TYPEDSEG_FIELD_DOCS": "1", "PYTHONPATH": str(ROOT)},
    )
    defs = json.loads(done.stdout)
    undocumented = [
        f"{name}.{field}"
        for name, schema in defs.items()
        for field, prop in schema.get("properties", {}).items()
        if field != "type" and not prop.get("description")
    ]
    assert undocumented == []
    assert {model.__name__ for model in _models() if not issubclass(model, UserConfig)} <= set(defs)
    open_models = [name for name, schema in defs.items() if schema.get("additionalProperties") is not False]
    assert open_models == ["JsonValue"]
