"""One place per name: every kind of a lazy family is declared once, in typedseg/codegen/family_table.py.

These tests walk every row of the table and check that the kind's module defines its class with that `type`, that
the family package exports it lazily from that module, and that every union and lazy view that should hold it
does, under its tag. They also check that the generated files are what the table produces now, and that no
hand-written module under typedseg/config lists a kind's tag a second time.
"""

from __future__ import annotations

import ast
import functools
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from typedseg.codegen import families
from typedseg.codegen.family_table import FAMILIES, PACKAGES, Family, Kind, Package
from typedseg.config.errors import model_tag, strip_annotated, union_members
from typedseg.config.lazy import LazyUnion, tags_of

ROOT = Path(__file__).resolve().parents[2]
ROWS = [(family, kind) for family in FAMILIES for kind in family.kinds]


def _id(row: tuple[Family, Kind]) -> str:
    return f"{row[0].package.rpartition('.')[2]}:{row[1].group or ''}{row[1].tag}"


def _lazy(view: Any) -> LazyUnion:
    [meta] = [m for m in getattr(view, "__metadata__", ()) if isinstance(m, LazyUnion)]
    return meta


@pytest.mark.parametrize("row", ROWS, ids=[_id(r) for r in ROWS])
def test_each_row_agrees_with_its_module_export_and_unions(row: tuple[Family, Kind]) -> None:
    family, kind = row
    module = importlib.import_module(f"{family.package}.{kind.module}")
    cls = vars(module)[kind.class_name]  # defined there, not imported
    assert cls.__module__ == module.__name__
    unions = [u for u in family.unions if not u.group or u.group == kind.group]
    assert unions, "a kind no union holds"
    # the member a mapping without `type` gets (an `override` entry with only `name`) has no `type` of its own
    assert model_tag(cls) == (None if any(u.default == kind.tag for u in unions) else kind.tag)
    package = importlib.import_module(family.package)
    assert vars(package)["__getattr__"].exports[kind.class_name] == module.__name__
    assert getattr(package, kind.class_name) is cls
    tagged = importlib.import_module(f"{family.package}._tagged")
    for union in unions:
        real = getattr(tagged, union.real or union.name)
        assert cls in [strip_annotated(m) for m in union_members(real)], union.name
        if union.tagged:
            assert kind.tag in tags_of(getattr(tagged, union.tagged))
        if union.view:
            own = f"{family.package}.{union.module or '_unions'}"
            where = "typedseg.config.unions" if union.view == "experiment" else own
            lazy = _lazy(getattr(importlib.import_module(where), union.name))
            assert kind.tag in lazy.tags
            assert lazy.member(kind.tag) is cls


@pytest.mark.parametrize("family", FAMILIES, ids=[f.package for f in FAMILIES])
def test_unions_hold_nothing_the_table_does_not_list(family: Family) -> None:
    tagged = importlib.import_module(f"{family.package}._tagged")
    for union in family.unions:
        listed = {k.class_name for k in family.kinds if not union.group or k.group == union.group}
        if union.user:
            listed.add(union.user[1])
        real = getattr(tagged, union.real or union.name)
        assert {strip_annotated(m).__name__ for m in union_members(real)} == listed, union.name


@pytest.mark.parametrize("package", PACKAGES, ids=[p.package for p in PACKAGES])
def test_a_plain_package_exports_what_its_modules_export(package: Package) -> None:
    # typedseg.presets: each module's `__all__` (or public names), lazily, and nothing else
    imported = importlib.import_module(package.package)
    expected: dict[str, str] = {}
    for name in package.modules:
        module = importlib.import_module(f"{package.package}.{name}")
        names = families.public_names(ROOT.joinpath(*module.__name__.split(".")).with_suffix(".py"))
        assert names, f"{module.__name__} exports nothing"
        for exported in names:
            assert getattr(imported, exported) is getattr(module, exported)
            expected[exported] = module.__name__
    assert vars(imported)["__getattr__"].exports == expected
    assert sorted(imported.__all__) == sorted(expected)


@functools.cache
def _generated() -> dict[Path, str]:
    return families.generate()


def test_generated_files_are_what_the_table_produces() -> None:
    assert families.stale(_generated()) == [], f"regenerate with: {families.COMMAND}"


def test_check_mode_passes_on_the_committed_files() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "typedseg.codegen.families", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _hand_written_modules() -> list[Path]:
    generated = {ROOT / path for path in _generated()}
    folders = [ROOT / "typedseg" / "config", ROOT / "typedseg" / "presets"]
    return [p for folder in folders for p in sorted(folder.rglob("*.py")) if p not in generated]


def _string_constants(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


KNOWN = {("typedseg/config/models/common/init_args.py", "Pretrained")}
"""The one tag written outside its kinds' modules, which may only shrink: Pretrained, written once in the
arguments both Pretrained kinds (the initializer and the `override` entry) share (init_args.py)."""
OTHER_MEANINGS = {"Conv2d", "name"}
"""Tags that also mean something else: torch layer class names, which `init_cfg.layer` targets (`layer="Conv2d"`),
and the field `name` (the tag of an `override` entry without `type` is the name of its one field)."""


@pytest.mark.parametrize("family", FAMILIES, ids=[f.package for f in FAMILIES])
def test_no_hand_written_module_lists_a_tag_again(family: Family) -> None:
    # A kind's tag is written by hand once: as the `Literal` of its class, in its own module. A second list (a
    # tag set, a union, an isinstance stand-in) in another hand-written module would be a second place to edit.
    modules = {p: _string_constants(p) for p in _hand_written_modules()}
    found = set()
    for kind in family.kinds:
        # kinds of two unions may share a tag (the initializer `Normal` and the `override` entry `Normal`)
        own = {
            ROOT.joinpath(*family.package.split("."), f"{k.module}.py")
            for k in family.kinds
            if k.tag == kind.tag
        }
        found |= {
            (str(p.relative_to(ROOT)), kind.tag)
            for p, constants in modules.items()
            if p not in own and kind.tag in constants and kind.tag not in OTHER_MEANINGS
        }
    assert found <= KNOWN, f"written again: {sorted(found - KNOWN)}"
