"""Experiment -> text: JSON, YAML (with the schema header for editors) and readable Python.

Dumps are fully resolved: every default is written out and the schema version is kept, so a saved config keeps
its meaning when a default changes later.
"""

from __future__ import annotations

import json
import keyword
import re
from typing import Any

from pydantic import BaseModel

from typedseg.config.lazy import public_module

_WIDTH = 100


def to_data(experiment: BaseModel) -> dict[str, Any]:
    """Plain data (dicts, lists, numbers, strings) of a config, with every field; `type` first, as people write it."""
    data: dict[str, Any] = _type_first(experiment.model_dump(mode="json", serialize_as_any=True))
    return data


def _type_first(value: Any) -> Any:
    if isinstance(value, dict):
        ordered = {"type": value["type"]} if "type" in value else {}
        ordered.update((key, _type_first(item)) for key, item in value.items() if key != "type")
        return ordered
    if isinstance(value, list):
        return [_type_first(item) for item in value]
    return value


def to_json(experiment: BaseModel) -> str:
    return json.dumps(to_data(experiment), indent=2) + "\n"


def to_yaml(experiment: BaseModel, schema_path: str | None = None) -> str:
    """YAML that loads back equal; starts with the yaml-language-server header when a schema path is given."""
    import yaml

    from typedseg.loading.yaml12 import parse_scalar

    class Dumper(yaml.SafeDumper):
        pass

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        # Quote strings that YAML 1.2 would read back as something else ('1e-4', 'null', '0o7', '{a: 1}').
        try:
            ambiguous = value != "" and parse_scalar(value) != value
        except Exception:  # not even valid YAML on its own (`{{ x }}`): quoted, it reads back as written
            ambiguous = True
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'" if ambiguous else None)

    Dumper.add_representer(str, represent_str)
    header = f"# yaml-language-server: $schema={schema_path}\n" if schema_path else ""
    return header + yaml.dump(to_data(experiment), Dumper=Dumper, sort_keys=False, allow_unicode=True)


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _PythonWriter:
    """Renders config objects as constructor calls, collecting the imports they need."""

    def __init__(self) -> None:
        self.imports: dict[str, set[str]] = {}

    def _import(self, cls: type) -> str:
        self.imports.setdefault(public_module(cls), set()).add(cls.__name__)
        return cls.__name__

    def _class_name(self, value: BaseModel) -> str:
        from typedseg.config.base import UnresolvedUserConfig

        if isinstance(
            value, UnresolvedUserConfig
        ):  # the user's class, named by the dotted path the config wrote
            module, _, name = value.type.rpartition(".")
            self.imports.setdefault(module, set()).add(name)
            return name
        return self._import(type(value))

    def _arguments(self, value: BaseModel) -> list[tuple[str, Any]]:
        from typedseg.config.base import UnresolvedUserConfig

        if isinstance(value, UnresolvedUserConfig):  # exactly the keys the config wrote
            written = [name for name in type(value).model_fields if name in value.model_fields_set]
            extra = value.__pydantic_extra__ or {}
            return [(name, getattr(value, name)) for name in written if name != "type"] + list(extra.items())
        arguments: list[tuple[str, Any]] = []
        for name, field in type(value).model_fields.items():
            if name == "type" and field.annotation is not str:
                continue  # a Literal tag: the class says it
            if name == "type":
                continue  # a user class's dotted path: filled in from the class
            arguments.append((name, getattr(value, name)))
        return arguments

    def render(self, value: Any, indent: int = 0) -> str:
        flat = self._render(value, indent, flat=True)
        if len(flat) + indent <= _WIDTH and "\n" not in flat:
            return flat
        return self._render(value, indent, flat=False)

    def _render(self, value: Any, indent: int, flat: bool) -> str:
        pad = " " * (indent + 4)
        if isinstance(value, BaseModel):
            name = self._class_name(value)
            arguments = self._arguments(value)
            if not arguments:
                return f"{name}()"
            if not all(_IDENTIFIER.fullmatch(key) and not keyword.iskeyword(key) for key, _ in arguments):
                return f"{name}(**{self.render(dict(arguments), indent)})"
            parts = [f"{key}={self.render(item, indent + 4)}" for key, item in arguments]
            return _join(f"{name}(", parts, ")", indent, pad, flat)
        if isinstance(value, (list, tuple)):
            # Tuples fit both kinds of field: sequences (stored as tuples anyway) and fixed-size tuples (betas).
            parts = [self.render(item, indent + 4) for item in value]
            if len(parts) == 1:
                return f"({parts[0]},)"
            return _join("(", parts, ")", indent, pad, flat)
        if isinstance(value, dict):
            parts = [f"{_string(str(k))}: {self.render(v, indent + 4)}" for k, v in value.items()]
            return _join("{", parts, "}", indent, pad, flat)
        if isinstance(value, str):
            return _string(value)
        return repr(value)


def _join(opening: str, parts: list[str], closing: str, indent: int, pad: str, flat: bool) -> str:
    if not parts:
        return opening + closing
    if flat:
        return opening + ", ".join(parts) + closing
    return opening + "\n" + "".join(f"{pad}{part},\n" for part in parts) + " " * indent + closing


def _string(text: str) -> str:
    from typedseg.templating import python_string

    return python_string(text)


def to_python(experiment: BaseModel, source: str = "") -> str:
    """A readable Python config module equal to `experiment` (`load(to_python(x)) == x`)."""
    from typedseg.templating import import_lines, render_template

    writer = _PythonWriter()
    body = writer.render(experiment)
    imports = [(module, name) for module, names in writer.imports.items() for name in names]
    return render_template(
        "config_export.py.j2", source=source, import_lines=import_lines(imports), body=body
    )
