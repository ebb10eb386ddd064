"""The JSON Schema of an experiment, committed under schemas/ for editors (yaml-language-server) and tools."""

from __future__ import annotations

import json
from typing import Any

SCHEMA_FILE = "experiment.schema.json"


def experiment_schema() -> dict[str, Any]:
    from typedseg.config.experiment import Experiment

    schema = Experiment.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "typedseg experiment"
    return schema


def schema_text() -> str:
    return json.dumps(experiment_schema(), indent=2, sort_keys=True) + "\n"
