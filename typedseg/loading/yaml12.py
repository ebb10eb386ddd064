"""Safe YAML reading with YAML 1.2 scalars and the line of every key.

PyYAML implements YAML 1.1, where `lr: 1e-4` is a string, `on`/`yes` are booleans and `010` is octal. Configs full
of learning rates need YAML 1.2's core schema: we resolve plain scalars with its rules (true/false only, decimal
ints, floats with or without a dot, .inf/.nan). Only the standard tags are accepted: `!!python/...` and any other
tag is refused with its line, so loading a YAML config never constructs arbitrary objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from typedseg.problems import Path, Problem

MAX_CONFIG_BYTES = 1_000_000
"""Bytes of a YAML/JSON config. A complete experiment written out is about 20 kB; a megabyte is a mistake (or an
attack), and reading it would already take seconds."""
MAX_YAML_NODES = 50_000
"""Values built from one document, counting every use of an alias: bounds the 'billion laughs' alias bomb
(377 bytes of `&a [*b, *b, ...]` that expand to billions of entries). A full experiment has about 2,000."""
MAX_YAML_DEPTH = 100
"""Nesting of one document (an experiment nests about 10 deep; libyaml stops at 1,000, the pure-Python parser
at Python's recursion limit)."""

_CORE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


class _Core12Resolver(yaml.resolver.Resolver):
    """Implicit resolution of plain scalars by the YAML 1.2 core schema."""


_Core12Resolver.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
):
    _Core12Resolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _PyLoader(
    yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer, _Core12Resolver
):
    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Core12Resolver.__init__(self)


_Loader: type = _PyLoader
if yaml.__with_libyaml__:  # libyaml parses and composes in C (several times faster); resolution stays ours
    from yaml._yaml import CParser

    class _CLoader(CParser, _Core12Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Core12Resolver.__init__(self)

    _Loader = _CLoader


@dataclass
class YamlDocument:
    """The plain data of a YAML document and the 1-based line of each path in it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    nodes: int = 0
    """Values built so far (for MAX_YAML_NODES)."""


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    tag = node.tag
    if tag.endswith(":null"):
        return None
    if tag.endswith(":bool"):
        return value.lower() == "true"
    if tag.endswith(":int"):
        if value.startswith("0o"):
            return int(value[2:], 8)
        return int(value, 16) if value.startswith("0x") else int(value)
    if tag.endswith(":float"):
        lowered = value.lower()
        if lowered.endswith("inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        if lowered.endswith("nan"):
            return float("nan")
        return float(value)
    return value


class LimitExceededError(Exception):
    """A document is larger or deeper than the bounds above; `problem` says which, at its line."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def too_large(message: str, line: int | None = None) -> Problem:
    return Problem(
        "config-too-large",
        (),
        message,
        "typedseg reads configs within limits that real configs stay far below; check the file is the config.",
        line=line,
    )


def _build(node: yaml.Node, path: Path, doc: YamlDocument) -> Any:
    doc.nodes += 1
    if doc.nodes > MAX_YAML_NODES:
        raise LimitExceededError(
            too_large(
                f"the document holds more than {MAX_YAML_NODES} values (aliases counted at every use).",
                node.start_mark.line + 1,
            )
        )
    if len(path) > MAX_YAML_DEPTH:
        raise LimitExceededError(
            too_large(f"the document nests more than {MAX_YAML_DEPTH} levels deep.", node.start_mark.line + 1)
        )
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if node.tag not in _CORE_TAGS:
        doc.problems.append(
            Problem(
                "yaml-tag-refused",
                path,
                f"the YAML tag '{node.tag}' is not allowed: typedseg reads YAML safely and constructs no objects.",
                "Write the value as plain data; name types with a 'type' key.",
                line=node.start_mark.line + 1,
            )
        )
        return None
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.MappingNode)
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _build(key_node, path, doc) if isinstance(key_node, yaml.ScalarNode) else None
        if not isinstance(key, (str, int)):
            doc.problems.append(
                Problem(
                    "yaml-bad-key",
                    path,
                    "mapping keys must be plain strings.",
                    "",
                    line=key_node.start_mark.line + 1,
                )
            )
            continue
        if key in result:
            doc.problems.append(
                Problem(
                    "duplicate-key",
                    (*path, key),
                    f"'{key}' is set twice in the same mapping; the first value would be lost.",
                    "Keep one of them.",
                    line=key_node.start_mark.line + 1,
                )
            )
        doc.lines[(*path, key)] = key_node.start_mark.line + 1
        result[key] = _build(value_node, (*path, key), doc)
    return result


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document. Syntax errors raise `yaml.YAMLError` (with a mark) for the caller to report."""
    doc = YamlDocument(None)
    if len(text) > MAX_CONFIG_BYTES:
        doc.problems.append(too_large(f"the document is longer than {MAX_CONFIG_BYTES} characters."))
        return doc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except RecursionError:  # the pure-Python composer nests as deep as the document
        doc.problems.append(too_large(f"the document nests more than {MAX_YAML_DEPTH} levels deep."))
        return doc
    finally:
        loader.dispose()
    if node is not None:
        try:
            doc.data = _build(node, (), doc)
        except LimitExceededError as exc:
            doc.data = None
            doc.problems = [exc.problem]
    return doc


def parse_scalar(text: str) -> Any:
    """A command-line value read as a YAML 1.2 flow value: `0.02`, `true`, `[1, 2]`, `{a: 1}`, `null`, `SGD`."""
    return read_yaml(text).data if text.strip() else ""
