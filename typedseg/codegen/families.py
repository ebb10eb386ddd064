"""Generate what lists the kinds of each lazy config family, from the one table in `family_table`.

For each family package: its `__init__` (PEP 562 lazy exports of every name its modules define, and the same names
for type checkers), `_tagged` (the real tagged unions: JSON Schema, code that needs every kind) and `_unions` (the
lazy unions fields validate through). Also `typedseg/config/unions.py`, the lazy views of the experiment-level
unions. Each lazy view has three faces: a plain `A | B | ...` under `if TYPE_CHECKING:` (mypy, pyright and jedi
all read it; jedi reads neither `Annotated` nor `if TYPE_CHECKING or ...`), the real union in the process that
exports the JSON Schema, and a `LazyUnion` otherwise.

    python -m typedseg.codegen.families            # write
    python -m typedseg.codegen.families --check    # exit 1 when a committed file is stale
"""

from __future__ import annotations

import argparse
import ast
import importlib
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typedseg.codegen.family_table import FAMILIES, PACKAGES, Family, Kind, Package, Union
from typedseg.templating import render_template

COMMAND = "python -m typedseg.codegen.families"
ROOT = Path(__file__).resolve().parents[2]
GENERATED = ("__init__.py", "_tagged.py", "_unions.py")
"""The files of every family package this generator owns (see `generated_names`)."""


def generated_names(family: Family) -> tuple[str, ...]:
    """The files of a family package this generator owns; every other module there is hand-written."""
    return (*GENERATED, *(f"{u.module}.py" for u in family.unions if u.module))


@dataclass(frozen=True)
class Member:
    """A kind as the templates need it."""

    tag: str
    module: str
    cls: str


@dataclass(frozen=True)
class View:
    """One union as the templates need it: its members, user branch and the names it is exported under."""

    name: str
    doc: str
    members: tuple[Member, ...]
    user: Member | None
    tagged: str
    real: str
    types: str
    classes: str
    plain: bool
    lazy_package: str
    """The package a `LazyUnion` imports members from."""
    view: str = ""
    default: str = ""
    module: str = ""


def package_dir(package: str) -> Path:
    return ROOT.joinpath(*package.split("."))


def defined_names(path: Path) -> list[str]:
    """The names a hand-written module defines at top level (classes, functions, assignments), in order.

    Names assigned inside a top-level `if` (a `TYPE_CHECKING` view) count; imported names do not.
    """
    names: list[str] = []

    def visit(body: Sequence[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                found = [node.name]
            elif isinstance(node, ast.Assign):
                found = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found = [node.target.id]
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
                continue
            else:
                continue
            names.extend(n for n in found if n not in names and not n.startswith("__"))

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return names


def public_names(path: Path) -> list[str]:
    """What a hand-written module exports: its `__all__` (a list of strings) when it has one, else every name
    `defined_names` finds that has no leading underscore."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                assert isinstance(value, (ast.List, ast.Tuple)), f"{path}: __all__ must be a literal list"
                return [str(ast.literal_eval(item)) for item in value.elts]
    return [name for name in defined_names(path) if not name.startswith("_")]


def package_files(package: Package) -> dict[str, str]:
    """The `__init__` of a plain lazy package: every module's exports, lazily, and the same for type checkers."""
    folder = package_dir(package.package)
    exports = {
        f"{package.package}.{module}": public_names(folder / f"{module}.py") for module in package.modules
    }
    return {
        "__init__.py": render_template(
            "family_package.py.j2",
            generated_by=COMMAND,
            doc=package.doc,
            imports=sorted((module, name) for module, names in exports.items() for name in names),
            lazy=[(_relative(package.package, module), names) for module, names in exports.items() if names],
            all_names=[name for names in exports.values() for name in names],
        )
    }


def _member(package: str, kind: Kind) -> Member:
    return Member(kind.tag, f"{package}.{kind.module}", kind.class_name)


def views(family: Family) -> list[View]:
    out = []
    for union in family.unions:
        kinds = [k for k in family.kinds if not union.group or k.group == union.group]
        out.append(
            View(
                name=union.name,
                doc=union.doc,
                members=tuple(_member(family.package, k) for k in kinds),
                user=Member("", f"{family.package}.{union.user[0]}", union.user[1]) if union.user else None,
                tagged=union.tagged,
                real=union.real or union.name,
                types=union.types,
                classes=union.classes,
                plain=union.plain,
                lazy_package=family.package,
                view=union.view,
                default=union.default,
                module=union.module,
            )
        )
    return out


def _unions_of(family: Family, view: str) -> list[tuple[Union, View]]:
    return [(u, v) for u, v in zip(family.unions, views(family), strict=True) if u.view == view]


def family_files(family: Family) -> dict[str, str]:
    """File name -> source of the generated files of one family package."""
    all_views = views(family)
    files = {
        "_tagged.py": render_template(
            "family_tagged.py.j2",
            generated_by=COMMAND,
            family=family,
            views=all_views,
            user=any(v.user for v in all_views),
            pydantic=_pydantic_names(all_views),
            imports=_grouped(all_views),
        )
    }
    package_views = [v for _, v in _unions_of(family, "package")]
    for module in dict.fromkeys(v.module or "_unions" for v in package_views):
        local = [v for v in package_views if (v.module or "_unions") == module]
        files[f"{module}.py"] = render_template(
            "family_unions.py.j2",
            generated_by=COMMAND,
            family=family,
            views=local,
            inline=module != "_unions",
            pydantic=_pydantic_names(local),
            imports=_grouped(local),
            checking_imports=sorted({(m.module, m.cls) for v in local for m in _with_user(v)}),
        )
    exports: dict[str, list[str]] = {}
    folder = package_dir(family.package)
    for path in sorted(folder.glob("*.py")):
        if path.name not in generated_names(family):
            exports[f"{family.package}.{path.stem}"] = defined_names(path)
    tagged = exports.setdefault(f"{family.package}._tagged", [])
    for union, view in zip(family.unions, all_views, strict=True):
        tagged.extend(n for n in (view.tagged, view.types if union.view != "package" else "") if n)
        if union.view != "experiment":
            tagged.append(view.real)
        if union.view == "experiment":
            exports.setdefault("typedseg.config.unions", []).append(view.name)
        elif union.view == "package":
            names = [n for n in (view.types, view.classes, view.name) if n]
            exports.setdefault(f"{family.package}.{union.module or '_unions'}", []).extend(names)
    files["__init__.py"] = render_template(
        "family_package.py.j2",
        generated_by=COMMAND,
        doc=family.doc,
        imports=sorted((module, name) for module, names in exports.items() for name in names),
        lazy=[(_relative(family.package, module), names) for module, names in exports.items() if names],
    )
    return files


def _pydantic_names(views: list[View]) -> list[str]:
    """What a module holding these real unions imports from pydantic."""
    names = set()
    if any(not v.user and not v.plain and not v.default for v in views):
        names.add("Field")
    if any(v.default for v in views):
        names |= {"Discriminator", "Tag"}
    if any(v.user for v in views):
        names |= {"SerializeAsAny", "Tag", "WithJsonSchema"}
    return sorted(names)


def _with_user(view: View) -> list[Member]:
    return [*view.members, *([view.user] if view.user else [])]


def _grouped(all_views: list[View]) -> list[tuple[str, list[str]]]:
    """`(module, class names)` to import for these views, in the order their modules first appear."""
    grouped: dict[str, list[str]] = {}
    for view in all_views:
        for member in _with_user(view):
            names = grouped.setdefault(member.module, [])
            if member.cls not in names:
                names.append(member.cls)
    return list(grouped.items())


def _relative(package: str, module: str) -> str:
    return module.removeprefix(f"{package}.") if module.startswith(f"{package}.") else module


@dataclass(frozen=True)
class Introspected:
    """An experiment-level union whose kinds are listed by its own module (not a family of the table)."""

    name: str
    tags: str
    real: str
    """`module:attribute` of the real union."""
    lazy_package: str
    user: str


INTROSPECTED = (
    Introspected(
        "OptimizerConfig",
        "OPTIMIZER_TAGS",
        "typedseg.config.optimizers._tagged:OptimizerConfig",
        "typedseg.config.optimizers",
        "UserOptimizer",
    ),
    Introspected(
        "ModelConfig",
        "MODEL_TAGS",
        "typedseg.config.models.segmentor:ModelConfig",
        "typedseg.config.models.segmentor",
        "UserModel",
    ),
    Introspected(
        "TransformConfig",
        "TRANSFORM_TAGS",
        "typedseg.config.transforms:_TaggedTransformConfig",
        "typedseg.config.transforms",
        "UserTransform",
    ),
)
"""The optimizers (generated from torch's signatures), and the sections that keep their few kinds in one module
(the segmentor, the transforms): their tags are read from the real union when this generator runs."""


def _introspect(spec: Introspected) -> tuple[View, list[str]]:
    from typedseg.config.errors import model_tag, strip_annotated, union_members

    module, _, attr = spec.real.partition(":")
    union = getattr(importlib.import_module(module), attr)
    members: list[Member] = []
    user: Member | None = None
    for arg in union_members(union):
        cls: Any = strip_annotated(arg)
        if cls.__name__ == spec.user:
            user = Member("", cls.__module__, cls.__name__)
        else:
            members.append(Member(str(model_tag(cls)), cls.__module__, cls.__name__))
    view = View(spec.name, "", tuple(members), user, "", spec.real, spec.tags, "", False, spec.lazy_package)
    return view, sorted(m.tag for m in members)


def experiment_unions() -> str:
    """`typedseg/config/unions.py`: the lazy views of the experiment-level unions."""
    entries: list[dict[str, Any]] = []
    for family in FAMILIES:
        for union, view in _unions_of(family, "experiment"):
            entries.append(
                {
                    "view": view,
                    "tags_name": view.types.replace("_TYPES", "_TAGS"),
                    "tags": [m.tag for m in view.members],
                    "real_module": f"{family.package}._tagged",
                    "real_attr": view.name,
                    "doc": union.doc,
                }
            )
    for spec in INTROSPECTED:
        view, tags = _introspect(spec)
        module, _, attr = spec.real.partition(":")
        entries.append(
            {
                "view": view,
                "tags_name": spec.tags,
                "tags": tags,
                "real_module": module,
                "real_attr": attr,
                "doc": "",
            }
        )
    return render_template("experiment_unions.py.j2", generated_by=COMMAND, entries=entries)


def generate() -> dict[Path, str]:
    """Path (relative to the repository) -> source of every file this generator writes, formatted by ruff."""
    files: dict[Path, str] = {}
    for family in FAMILIES:
        folder = package_dir(family.package).relative_to(ROOT)
        for name, text in family_files(family).items():
            files[folder / name] = text
    for package in PACKAGES:
        folder = package_dir(package.package).relative_to(ROOT)
        for name, text in package_files(package).items():
            files[folder / name] = text
    files[Path("typedseg/config/unions.py")] = experiment_unions()
    return {path: _ruff(path, text) for path, text in files.items()}


def _ruff(path: Path, text: str) -> str:
    """Sort the imports and format as the project's ruff does, so that committed files compare as exact text."""
    for args in (["check", "--select", "I,RUF022", "--fix", "--exit-zero", "--quiet"], ["format", "--quiet"]):
        text = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--stdin-filename", str(ROOT / path), "-"],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    return text


def stale(files: dict[Path, str]) -> list[Path]:
    """The generated files whose committed text differs, plus generated-looking files no family owns."""
    out = [
        path
        for path, text in files.items()
        if not (ROOT / path).is_file() or (ROOT / path).read_text("utf-8") != text
    ]
    for family in FAMILIES:
        folder = package_dir(family.package)
        for name in generated_names(family):
            path = (folder / name).relative_to(ROOT)
            if (folder / name).exists() and path not in files:
                out.append(path)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a file is stale")
    args = parser.parse_args(argv)
    files = generate()
    if args.check:
        outdated = stale(files)
        if outdated:
            names = ", ".join(str(p) for p in outdated)
            print(f"stale generated files: {names}; regenerate them with: {COMMAND}", file=sys.stderr)
            return 1
        print(f"{len(files)} generated files are up to date.")
        return 0
    for path in stale(files):
        if path not in files:
            (ROOT / path).unlink()
    for path, text in files.items():
        target = ROOT / path
        if not target.is_file() or target.read_text("utf-8") != text:
            target.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
