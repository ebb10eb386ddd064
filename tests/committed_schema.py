"""The committed JSON Schema (schemas/experiment.schema.json), for tests about descriptions and shapes.

Field descriptions come from attribute docstrings, which typedseg only extracts for the schema export (it costs
start-up time everywhere else); tests/config/test_schema.py proves the committed file is what the code produces.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "experiment.schema.json"


@lru_cache(maxsize=1)
def committed_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def definition(name: str) -> dict[str, Any]:
    """The schema of one model, by class name."""
    found: dict[str, Any] = committed_schema()["$defs"][name]
    return found


def description(model: str, field: str) -> str:
    return str(definition(model)["properties"][field].get("description", ""))
