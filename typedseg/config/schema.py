"""The JSON Schema of an experiment, committed under schemas/ for editors (yaml-language-server) and tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonRef, JsonSchemaValue
from pydantic_core import core_schema

SCHEMA_FILE = "experiment.schema.json"


def schema_file() -> Path:
    """The committed schema as shipped: package data in a wheel, `schemas/` in a checkout (for YAML's header)."""
    from typedseg.resources import data_folder

    return Path(str(data_folder("schemas").joinpath(SCHEMA_FILE)))


class _TagRequired(GenerateJsonSchema):
    """Unions tagged by `type` that a JSON Schema validator can tell apart, as typedseg's validator does.

    typedseg routes a mapping by its `type` (with a default member where MMEngine has one: no `type` is an
    OptimWrapper, an `override` entry with only a `name` is a NameOverride). pydantic writes such a union as a
    plain `oneOf` in which `type` is optional in every member (it has a default), so a mapping without `type`
    matches several members and `oneOf` rejects it. Here every member but the default requires its `type`.
    """

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        default = _default_tag(schema["discriminator"])
        branches: list[JsonSchemaValue] = []
        for tag, choice in schema["choices"].items():
            branch = self.generate_inner(choice).copy()
            if tag != default and self._type_const(branch) == tag:
                branch["required"] = ["type"]  # beside `$ref`: this branch only, not the model's own schema
            branches.append(branch)
        return {"oneOf": branches}

    def _type_const(self, branch: JsonSchemaValue) -> object:
        ref = branch.get("$ref")
        target = self.get_schema_from_definitions(JsonRef(ref)) if isinstance(ref, str) else branch
        return ((target or {}).get("properties", {}).get("type") or {}).get("const")


def _default_tag(discriminator: Any) -> object:
    """The member a mapping without `type` goes to (what the union's discriminator says for `{}`), if any."""
    if not callable(discriminator):
        return None
    try:
        return discriminator({})
    except Exception:  # a discriminator that needs a real value has no default member
        return None


def experiment_schema() -> dict[str, Any]:
    """The schema, with every field's attribute docstring as its description.

    Descriptions are only collected when the models are defined with TYPEDSEG_FIELD_DOCS=1 (it costs start-up
    time everywhere else): run this in a process that set it before importing typedseg.config, as
    `typedseg schema` does.
    """
    from typedseg.config.base import FIELD_DOCS_ENV, SCHEMA_MODE

    if not SCHEMA_MODE:  # read when the models were defined: setting the variable later is too late
        raise RuntimeError(f"set {FIELD_DOCS_ENV}=1 before typedseg.config is imported")
    from typedseg.config.experiment import Experiment

    schema = Experiment.model_json_schema(mode="validation", schema_generator=_TagRequired)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "typedseg experiment"
    return schema


def schema_text() -> str:
    return json.dumps(experiment_schema(), indent=2, sort_keys=True) + "\n"
