"""YAML is read with YAML 1.2 scalars, safely, and with the line of every key."""

from __future__ import annotations

import math

import pytest
import yaml

from typedseg.loading.yaml12 import parse_scalar, read_yaml


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e-4", 1e-4),
        ("5e-4", 5e-4),
        ("1.0e-06", 1e-6),
        ("0.01", 0.01),
        ("-3", -3),
        ("010", 10),  # YAML 1.1 would read octal 8
        ("0o10", 8),
        ("0x1f", 31),
        ("true", True),
        ("False", False),
        ("on", "on"),  # YAML 1.1 would read True
        ("yes", "yes"),
        ("no", "no"),
        ("null", None),
        ("~", None),
        ("'1e-4'", "1e-4"),
        ("SGD", "SGD"),
        ("[1, 2.5]", [1, 2.5]),
        ("{max_norm: 1.0}", {"max_norm": 1.0}),
    ],
)
def test_scalars_follow_yaml_1_2(text: str, expected: object) -> None:
    value = parse_scalar(text)
    assert value == expected
    assert type(value) is type(expected)


def test_infinity_and_nan() -> None:
    assert parse_scalar(".inf") == math.inf
    assert parse_scalar("-.inf") == -math.inf
    assert math.isnan(parse_scalar(".nan"))


def test_lines_of_keys_and_items() -> None:
    doc = read_yaml("a: 1\nb:\n  c: [1,\n    2]\n  d:\n    - x: 1\n    - y: 2\n")
    assert doc.lines[("a",)] == 1
    assert doc.lines[("b", "c")] == 3
    assert doc.lines[("b", "c", 1)] == 4
    assert doc.lines[("b", "d", 1)] == 7
    assert doc.lines[("b", "d", 1, "y")] == 7
    assert doc.problems == []


def test_python_tags_are_refused_with_their_line() -> None:
    doc = read_yaml("a: 1\nb: !!python/object/apply:os.system ['echo hacked']\n")
    assert [(p.code, p.path, p.line) for p in doc.problems] == [("yaml-tag-refused", ("b",), 2)]
    assert doc.data["b"] is None


def test_custom_tags_are_refused() -> None:
    doc = read_yaml("a: !include other.yaml\n")
    assert doc.problems[0].code == "yaml-tag-refused"


def test_duplicate_keys_are_reported() -> None:
    doc = read_yaml("lr: 0.1\nlr: 0.2\n")
    assert [(p.code, p.line) for p in doc.problems] == [("duplicate-key", 2)]


def test_syntax_errors_raise_with_a_mark() -> None:
    with pytest.raises(yaml.YAMLError) as info:
        read_yaml("a: [1, 2\nb: 3\n")
    assert getattr(info.value, "problem_mark", None) is not None


def test_the_c_and_python_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from typedseg.loading import yaml12

    text = "a: 1e-4\nb:\n  - {c: on, d: 010}\n  - !!python/name:os.system x\nb2: [1,\n  2]\n"
    fast = yaml12.read_yaml(text)
    monkeypatch.setattr(yaml12, "_Loader", yaml12._PyLoader)
    slow = yaml12.read_yaml(text)
    assert (fast.data, fast.lines, fast.problems) == (slow.data, slow.lines, slow.problems)
