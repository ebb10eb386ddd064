"""The JSON Schema of an experiment, committed under schemas/ for editors (yaml-language-server) and tools."""

from __future__ import annotations

import json
from typing import Any

SCHEMA_FILE = "experiment.schema.json"


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

    schema = Experiment.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "typedseg experiment"
    return schema


def schema_text() -> str:
    return json.dumps(experiment_schema(), indent=2, sort_keys=True) + "\n"
