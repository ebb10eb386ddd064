"""Load an MMEngine `.py` config (and its `_base_` files) without executing it, as MMEngine's `Config.fromfile` would.

```python
cfg = load_mmengine_config("configs/deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py")
cfg.data["model"]["decode_head"]["num_classes"]              # 19
cfg.provenance[("model", "decode_head", "num_classes")]      # Location(file='.../deeplabv3_r50-d8.py', line=...)
stale_helpers(cfg)                                           # helpers a child redefined that a base already used
```

`custom_imports` is recorded, never imported; `import` statements are recorded, never run. Anything the reader
does not support, and anything MMEngine itself would fail on while loading, raises `MMConfigError` with FILE:LINE.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from typing import Any

from typedseg.migrate.errors import MMConfigError, fail, problem
from typedseg.migrate.evaluate import Assignment, FileEval, ImportRecord, Reassignment, evaluate_file
from typedseg.migrate.limits import LIMIT_HINT, MAX_VALUE_DEPTH, MAX_VALUE_WEIGHT
from typedseg.migrate.merge import DELETE_KEY, combine_bases, merge_a_into_b
from typedseg.migrate.source import read_source
from typedseg.migrate.values import HelperRef, Location, TDict, ValueTooLargeError, measure, to_plain, walk
from typedseg.problems import Path, format_path

__all__ = [
    "Assignment",
    "CustomImports",
    "HelperRef",
    "ImportRecord",
    "Location",
    "MMConfig",
    "MMConfigError",
    "MMConfigLoader",
    "Reassignment",
    "StaleHelper",
    "StalePath",
    "load_mmengine_config",
    "stale_helpers",
]

RESERVED_KEYS = ("filename", "text", "pretty_text", "env_variables")


@dataclass(frozen=True)
class CustomImports:
    """The final `custom_imports` (what `Config.fromfile` would import): recorded, never imported."""

    imports: tuple[str, ...]
    allow_failed_imports: bool
    location: Location


@dataclass(frozen=True)
class MMConfig:
    """A loaded MMEngine config: the merged data and where each part of it came from."""

    path: str
    data: dict[str, Any]
    """The merged config, as `Config.fromfile(path).to_dict()` (tuples stay tuples)."""
    provenance: dict[Path, Location]
    """Every path of `data` (list items by index) -> where its final value was written."""
    derived: dict[Path, tuple[HelperRef, ...]]
    """Paths whose value was computed from top-level names of the file that wrote it (`size=crop_size`)."""
    helper_values: dict[tuple[str, str], Any]
    """(file, name) -> that name's value in that file's merged result, for every helper in `derived`."""
    files: tuple[str, ...]
    """Every file read, bases before the files that include them; `path` last."""
    bases: dict[str, tuple[str, ...]]
    assignments: dict[str, tuple[Assignment, ...]]
    """Per file, every top-level assignment in order (`_base_` included)."""
    reassigned: tuple[Reassignment, ...]
    """Top-level names assigned twice in one file (Python keeps the second, silently)."""
    helpers: dict[str, frozenset[str]]
    """Per file, the top-level names it assigns and also references (`norm_cfg`, `crop_size`, ...)."""
    custom_imports: CustomImports | None
    imports: tuple[ImportRecord, ...]
    leftover_deletes: tuple[Path, ...] = ()
    """`_delete_` keys MMEngine leaves in the result (under a key the base lacks, or nested in a replaced dict)."""
    deprecations: dict[str, Any] = field(default_factory=dict)
    """Per file, its `_deprecation_` value (MMEngine pops it and warns)."""

    @property
    def helper_names(self) -> frozenset[str]:
        """Top-level names used as helper variables by any file read."""
        return frozenset().union(*self.helpers.values())

    @property
    def sections(self) -> tuple[str, ...]:
        """Top-level keys of `data` that no file uses as a helper variable."""
        helpers = self.helper_names
        return tuple(key for key in self.data if key not in helpers)

    @property
    def redefined_helpers(self) -> dict[str, tuple[Any, Location]]:
        """Helper variables of a file whose final value was written by a later file: name -> (new value, where)."""
        found: dict[str, tuple[Any, Location]] = {}
        for file, names in self.helpers.items():
            for name in sorted(names):
                where = self.provenance.get((name,))
                if where is not None and where.file != file:
                    found[name] = (self.data[name], where)
        return found

    def location(self, path: Path) -> Location | None:
        return self.provenance.get(path)

    def value(self, path: Path) -> Any:
        """The value at `path` (KeyError/IndexError when there is none)."""
        value: Any = self.data
        for part in path:
            value = value[part]
        return value


@dataclass(frozen=True)
class StalePath:
    """A value a base file computed from a helper with the helper's old value."""

    path: Path
    value: Any
    location: Location
    old_helper_value: Any
    helper_location: Location
    """The helper's assignment in the base file that computed `value`."""


@dataclass(frozen=True)
class StaleHelper:
    """A helper variable a child file redefined while values computed from it in a base keep its old value."""

    name: str
    new_value: Any
    new_location: Location
    stale_paths: tuple[StalePath, ...]


@dataclass(frozen=True)
class _Loaded:
    """`Config._file2dict(path)`: the file merged into its bases, and what evaluating it found."""

    path: str
    tree: TDict
    bases: tuple[str, ...]
    evaluation: FileEval
    lost: tuple[Reassignment, ...]
    """The reassignments whose first value differs from the second (equal ones lose nothing)."""


def _same_value_twice(tree: ast.Module, item: Reassignment) -> bool:
    """Both assignments of `item` write the same literal (`crop_size = (640, 640)` twice): nothing is lost.

    Only literals are compared: an expression that names other values may mean something else the second time.
    """
    values: dict[int, ast.expr] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == item.name for target in node.targets
        ):
            values[node.lineno] = node.value
    first, second = values.get(item.first_line), values.get(item.second_line)
    if first is None or second is None:
        return False
    try:
        a, b = ast.literal_eval(first), ast.literal_eval(second)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return type(a) is type(b) and a == b


class MMConfigLoader:
    """Loads configs; a file's merged result is computed once per loader and shared by every config using it."""

    def __init__(self) -> None:
        self._cache: dict[str, _Loaded] = {}
        self._stack: list[str] = []

    def load(self, path: str | os.PathLike[str]) -> MMConfig:
        root = os.path.abspath(os.path.expanduser(os.fspath(path)))
        if not os.path.isfile(root):
            raise fail("mmconfig-read", "no such config file", root, None)
        loaded = self._file2dict(root, None)
        return self._result(loaded)

    def _file2dict(self, path: str, included_from: Location | None) -> _Loaded:
        cached = self._cache.get(path)
        if cached is not None:
            return cached
        if path in self._stack:
            cycle = " -> ".join([*self._stack[self._stack.index(path) :], path])
            line = None if included_from is None else included_from.line
            raise fail(
                "mmconfig-base-cycle", f"`_base_` files include each other: {cycle}", self._stack[-1], line
            )
        source = read_source(path)
        self._stack.append(path)
        try:
            here = Location(path, source.base_line or 0)
            external = [entry for entry in source.base_entries if "::" in entry]
            if external:
                raise MMConfigError(
                    problem(
                        "mmconfig-external-base",
                        f"`_base_` entry '{entry}' names a config of another package (scope "
                        f"'{entry.partition('::')[0]}'); configs of other packages are not read",
                        path,
                        source.base_line,
                        hint="Copy the values you need into this file, or into a local base file.",
                    )
                    for entry in external
                )
            bases: list[_Loaded] = []
            for entry in source.base_entries:
                base_path = os.path.normpath(os.path.join(os.path.dirname(path), entry))
                if not os.path.isfile(base_path):
                    raise fail(
                        "mmconfig-missing-base",
                        f"`_base_` file '{entry}' not found (looked for {base_path})",
                        path,
                        source.base_line,
                    )
                bases.append(self._file2dict(base_path, here))
            base = combine_bases([loaded.tree for loaded in bases], here)
            evaluation = evaluate_file(source, base)
            tree = merge_a_into_b(evaluation.cfg, base)
        finally:
            self._stack.pop()
        lost = tuple(r for r in evaluation.reassigned if not _same_value_twice(source.tree, r))
        loaded = _Loaded(path, tree, tuple(b.path for b in bases), evaluation, lost)
        self._cache[path] = loaded
        return loaded

    def _files(self, loaded: _Loaded) -> list[_Loaded]:
        order: list[_Loaded] = []
        seen: set[str] = set()

        def visit(item: _Loaded) -> None:
            if item.path in seen:
                return
            seen.add(item.path)
            for base in item.bases:
                visit(self._cache[base])
            order.append(item)

        visit(loaded)
        return order

    def _result(self, loaded: _Loaded) -> MMConfig:
        tree = loaded.tree
        reserved = [key for key in RESERVED_KEYS if key in tree.items]
        if reserved:
            slot = tree.items[reserved[0]]
            raise fail(
                "mmconfig-reserved-key",
                f"`{reserved[0]}` is a reserved name in MMEngine's Config, which raises KeyError for it",
                slot.loc.file,
                slot.loc.line,
                path=(reserved[0],),
            )
        try:  # every file was bounded, but merging adds them up: bound the whole before copying it out
            measure(tree, max_weight=MAX_VALUE_WEIGHT, max_depth=MAX_VALUE_DEPTH)
        except ValueTooLargeError as error:
            raise fail(
                "mmconfig-limit",
                f"the merged config is too large: {error}",
                loaded.path,
                None,
                hint=LIMIT_HINT,
            ) from None
        provenance: dict[Path, Location] = {}
        derived: dict[Path, tuple[HelperRef, ...]] = {}
        leftover: list[Path] = []
        for path, slot in walk(tree):
            provenance[path] = slot.loc
            if slot.refs:
                derived[path] = tuple(sorted(slot.refs, key=lambda r: (r.name, r.file, r.line, r.direct)))
            if path[-1] == DELETE_KEY:
                leftover.append(path)
        helper_values: dict[tuple[str, str], Any] = {}
        for refs in derived.values():
            for ref in refs:
                key = (ref.file, ref.name)
                if key not in helper_values:
                    owner = self._cache.get(ref.file)
                    helper = None if owner is None else owner.tree.items.get(ref.name)
                    if helper is not None:
                        helper_values[key] = to_plain(helper.value)
        files = self._files(loaded)
        data = to_plain(tree)
        return MMConfig(
            path=loaded.path,
            data=data,
            provenance=provenance,
            derived=derived,
            helper_values=helper_values,
            files=tuple(item.path for item in files),
            bases={item.path: item.bases for item in files},
            assignments={item.path: item.evaluation.assignments for item in files},
            reassigned=tuple(r for item in files for r in item.lost),
            helpers={item.path: item.evaluation.helpers for item in files},
            custom_imports=_custom_imports(data, provenance),
            imports=tuple(record for item in files for record in item.evaluation.imports),
            leftover_deletes=tuple(leftover),
            deprecations={
                item.path: item.evaluation.deprecation
                for item in files
                if item.evaluation.deprecation is not None
            },
        )


def _custom_imports(data: dict[str, Any], provenance: dict[Path, Location]) -> CustomImports | None:
    raw = data.get("custom_imports")
    if not raw:
        return None
    location = provenance[("custom_imports",)]
    if not isinstance(raw, dict):
        raise fail("mmconfig-custom-imports", "`custom_imports` must be a dict", location.file, location.line)
    imports = raw.get("imports", ())
    if isinstance(imports, str):
        imports = (imports,)
    if not isinstance(imports, list | tuple) or not all(isinstance(name, str) for name in imports):
        raise fail(
            "mmconfig-custom-imports",
            "`custom_imports.imports` must be a module name or a list of them",
            location.file,
            location.line,
        )
    return CustomImports(tuple(imports), bool(raw.get("allow_failed_imports", False)), location)


def load_mmengine_config(path: str | os.PathLike[str], loader: MMConfigLoader | None = None) -> MMConfig:
    """Read the MMEngine config at `path` and its `_base_` files without executing them. Raises `MMConfigError`.

    Pass one `loader` to many calls to read each shared base file once.
    """
    return (loader or MMConfigLoader()).load(path)


def stale_helpers(result: MMConfig) -> list[StaleHelper]:
    """Helper variables a child file redefined while values that a base file computed from them keep the old value.

    Example: a leaf sets `crop_size = (1280, 1280)`, but the dataset base's `train_pipeline` (and so
    `train_dataloader.dataset.pipeline`) still holds `RandomCrop(crop_size=(512, 1024))`. A path counts when the
    helper's final value (written by a later file) differs from its value in the file that computed the path; a path
    that *is* the helper (`norm_cfg=norm_cfg`) counts only if its merged value does not hold the helper's final value
    (for dicts: some key of the new value is missing or different there).
    Only the outermost stale path is listed for each helper.
    """
    found: dict[str, list[StalePath]] = {}
    for path, refs in result.derived.items():
        for ref in refs:
            new_location = result.provenance.get((ref.name,))
            if new_location is None or new_location.file == ref.file:
                continue
            old = result.helper_values.get((ref.file, ref.name))
            new = result.data[ref.name]
            if _same(old, new):
                continue
            value = result.value(path)
            if ref.direct and _covers(value, new):
                continue
            found.setdefault(ref.name, []).append(
                StalePath(path, value, result.provenance[path], old, Location(ref.file, ref.line))
            )
    helpers: list[StaleHelper] = []
    for name in sorted(found):
        paths = sorted(found[name], key=lambda stale: format_path(stale.path))
        outermost: list[StalePath] = []
        for stale in paths:
            if not any(stale.path[: len(kept.path)] == kept.path for kept in outermost):
                outermost.append(stale)
        helpers.append(StaleHelper(name, result.data[name], result.provenance[(name,)], tuple(outermost)))
    return helpers


def _covers(value: Any, helper: Any) -> bool:
    """Merging `helper` into `value` would change nothing: `value` already holds all of the helper's value."""
    if isinstance(value, dict) and isinstance(helper, dict):
        return all(key in value and _covers(value[key], item) for key, item in helper.items())
    return _same(value, helper)


def _same(a: Any, b: Any) -> bool:
    """Equal as config values: a tuple never equals a list, and True never equals 1."""
    if type(a) is not type(b) and not (isinstance(a, int | float) and isinstance(b, int | float)):
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
