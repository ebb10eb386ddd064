"""`assigned-twice`: a top-level name assigned twice in one file is reported only when a value is really lost."""

from __future__ import annotations

from pathlib import Path

from typedseg.migrate.mmengine_config import load_mmengine_config


def _reassigned(tmp_path: Path, text: str) -> list[tuple[str, int, int]]:
    config = tmp_path / "config.py"
    config.write_text(text, encoding="utf-8")
    return [(r.name, r.first_line, r.second_line) for r in load_mmengine_config(str(config)).reassigned]


def test_the_same_value_twice_loses_nothing(tmp_path: Path) -> None:
    text = (
        "crop_size = (640, 640)\nsize = dict(a=crop_size)\ncrop_size = (640, 640)\n"
        "x = {'a': [1, 2.0]}\nx = {'a': [1, 2.0]}\n"
    )
    assert _reassigned(tmp_path, text) == []


def test_a_different_second_value_is_reported(tmp_path: Path) -> None:
    text = "crop_size = (512, 512)\ncrop_size = (640, 640)\nloader = dict(batch_size=2)\nloader = dict(batch_size=4)\n"
    assert _reassigned(tmp_path, text) == [("crop_size", 1, 2), ("loader", 3, 4)]


def test_equal_text_with_names_whose_values_changed_is_reported(tmp_path: Path) -> None:
    text = "n = 1\nloader = dict(batch_size=n)\nm = 2\nloader = dict(batch_size=m)\n"
    assert _reassigned(tmp_path, text) == [("loader", 2, 4)]
