"""Evaluate one MMEngine config file's syntax tree without running it.

The evaluator supports what the 769 configs of MMSegmentation 1.2.2 use, and refuses everything else with the
construct and its FILE:LINE:

- statements: `name = expression` (one plain name), docstrings and other bare constants, `name.update(...)` on a
  dict assigned in the same file (the Mask2Former configs fill `custom_keys` this way), and `import` statements,
  which are recorded but never run (a name they bind cannot be used);
- expressions: literals (numbers, strings, None/True/False, lists, tuples, dicts), `dict(...)` with keyword
  arguments and at most one positional dict (`dict(dict(type=...))` occurs), names assigned earlier in the file,
  `_base_` and attribute access on what it holds (MMEngine's ConfigDicts), subscripts and slices, the arithmetic
  operators `+ - * / // % **` and unary `-`/`+` (on numbers; `+`/`*` on lists, tuples and strings; `%` formatting),
  f-strings, list and dict comprehensions (`for` clauses only, over `range(...)`, `enumerate(...)` or a value),
  and the calls `sum(x)`, `len(x)` and `int(x)`.

Values are built as `typedseg.migrate.values` containers, so each entry keeps the line that wrote it and the
file's top-level names it was computed from.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from typedseg.migrate.errors import MMConfigError, fail, problem
from typedseg.migrate.limits import (
    LIMIT_HINT,
    MAX_EVAL_STEPS,
    MAX_INT_BITS,
    MAX_ITEMS,
    MAX_STRING_CHARS,
    MAX_VALUE_DEPTH,
    MAX_VALUE_WEIGHT,
)
from typedseg.migrate.source import BASE_KEY, PLACEHOLDER_PREFIX, SourceFile
from typedseg.migrate.values import (
    NO_REFS,
    HelperRef,
    Location,
    Slot,
    TDict,
    TList,
    TTuple,
    Value,
    ValueTooLargeError,
    deep_refs,
    measure,
    to_plain,
    type_name,
)
from typedseg.problems import Problem

DEPRECATION_KEY = "_deprecation_"
_CALLABLES = frozenset({"dict", "sum", "len", "int", "range", "enumerate"})
_ITERATORS = frozenset({"range", "enumerate"})
_FORMAT_WIDTHS = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
"""The width and precision of each `%` conversion of a format string."""
_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_OP_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_CONSTRUCTS: dict[str, str] = {
    "Lambda": "a lambda",
    "FunctionDef": "a function definition",
    "AsyncFunctionDef": "a function definition",
    "ClassDef": "a class definition",
    "If": "an if statement",
    "For": "a for loop",
    "AsyncFor": "a for loop",
    "While": "a while loop",
    "With": "a with statement",
    "AsyncWith": "a with statement",
    "Try": "a try statement",
    "TryStar": "a try statement",
    "Match": "a match statement",
    "AugAssign": "an augmented assignment (`x += ...`)",
    "AnnAssign": "an annotated assignment",
    "Delete": "a del statement",
    "Assert": "an assert statement",
    "Raise": "a raise statement",
    "Global": "a global statement",
    "Nonlocal": "a nonlocal statement",
    "Return": "a return statement",
    "Pass": "a pass statement",
    "Break": "a break statement",
    "Continue": "a continue statement",
    "IfExp": "a conditional expression (`x if c else y`)",
    "Compare": "a comparison",
    "BoolOp": "`and`/`or`",
    "Set": "a set literal",
    "SetComp": "a set comprehension",
    "GeneratorExp": "a generator expression",
    "Starred": "a starred expression (`*x`)",
    "NamedExpr": "an assignment expression (`:=`)",
    "Await": "await",
    "Yield": "yield",
    "YieldFrom": "yield from",
    "Not": "`not`",
    "Invert": "the operator `~`",
    "MatMult": "the operator `@`",
    "LShift": "the operator `<<`",
    "RShift": "the operator `>>`",
    "BitOr": "the operator `|`",
    "BitXor": "the operator `^`",
    "BitAnd": "the operator `&`",
}
_ALLOWED = (
    ast.Module,
    ast.Assign,
    ast.Expr,
    ast.Import,
    ast.ImportFrom,
    ast.alias,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Store,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Call,
    ast.keyword,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.BinOp,
    ast.UnaryOp,
    ast.UAdd,
    ast.USub,
    ast.JoinedStr,
    ast.FormattedValue,
    ast.ListComp,
    ast.DictComp,
    ast.comprehension,
    *(op for op in _BINOPS),
)
_UNSUPPORTED_HINT = "typedseg reads configs without running them; write the value out literally."


@dataclass(frozen=True)
class Assignment:
    """A top-level `name = ...` of a file (also `_base_`)."""

    name: str
    line: int


@dataclass(frozen=True)
class Reassignment:
    """A top-level name assigned twice in one file: Python keeps the second value, silently."""

    name: str
    first_line: int
    second_line: int
    file: str


@dataclass(frozen=True)
class ImportRecord:
    """An `import`/`from ... import` statement: recorded, never run."""

    file: str
    line: int
    statement: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class FileEval:
    """What evaluating one file gives: its own top-level names (before merging into its bases) and facts about it."""

    cfg: TDict
    assignments: tuple[Assignment, ...]
    reassigned: tuple[Reassignment, ...]
    helpers: frozenset[str]
    """Top-level names the file assigns and also references."""
    imports: tuple[ImportRecord, ...]
    deprecation: Any


def evaluate_file(source: SourceFile, base: TDict) -> FileEval:
    """Evaluate `source` with `_base_` bound to `base` (its merged bases). Raises `MMConfigError`."""
    problems = check_supported(source.tree, source.path)
    if problems:
        raise MMConfigError(problems)
    evaluator = _Evaluator(source, base)
    return evaluator.run()


# -- the static check: every refused construct of a file at once -------------------------------------------------


def _construct(node: ast.AST) -> str:
    return _CONSTRUCTS.get(type(node).__name__, f"`{type(node).__name__}`")


def _snippet(node: ast.AST, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_supported(tree: ast.Module, file: str) -> list[Problem]:
    """Every construct of `tree` the evaluator refuses, each with its line (empty when the file can be read)."""
    problems: list[Problem] = []

    line = 0  # the line of the innermost node that has one (operators and comprehension clauses have none)

    def refuse(node: ast.AST, message: str, hint: str = _UNSUPPORTED_HINT) -> None:
        problems.append(
            problem("mmconfig-unsupported", message, file, getattr(node, "lineno", line), hint=hint)
        )

    def visit(node: ast.AST, iterable: bool = False) -> None:
        nonlocal line
        outer = line
        line = getattr(node, "lineno", line)
        try:
            visit_node(node, iterable)
        finally:
            line = outer

    def visit_node(node: ast.AST, iterable: bool) -> None:
        if not isinstance(node, _ALLOWED):
            refuse(node, f"{_construct(node)} is not supported")
            return
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                refuse(node, f"assignment to `{_snippet(node.targets[0])}`: only `name = value` is supported")
            visit(node.value)
            return
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant):
                return
            call = node.value
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "update"
                and isinstance(call.func.value, ast.Name)
            ):
                for argument in [*call.args, *call.keywords]:
                    visit(argument)
                return
            refuse(node, f"the statement `{_snippet(node)}` is not supported (only `name.update(...)` is)")
            return
        if isinstance(node, ast.ImportFrom) and any(alias.name == "*" for alias in node.names):
            refuse(node, f"`{_snippet(node)}`: star imports are not supported")
            return
        if isinstance(node, ast.Constant) and not isinstance(
            node.value, int | float | str | bool | type(None)
        ):
            refuse(node, f"the constant {node.value!r} is not supported")
            return
        if isinstance(node, ast.Dict) and any(key is None for key in node.keys):
            refuse(node, "`**` unpacking in a dict literal is not supported")
            return
        if isinstance(node, ast.keyword) and node.arg is None:
            refuse(node, "`**` unpacking in a call is not supported")
            return
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _CALLABLES:
                if func.id in _ITERATORS and not iterable:
                    refuse(node, f"`{func.id}(...)` is supported only as the iterable of a comprehension")
                    return
            else:
                refuse(node, f"the call `{_snippet(node)}` is not supported (only dict, sum, len and int)")
                return
            for argument in [*node.args, *node.keywords]:
                visit(argument)
            return
        if isinstance(node, ast.comprehension):
            if node.is_async or node.ifs:
                refuse(node, "comprehensions with `if` clauses are not supported")
                return
            visit(node.target)
            visit(node.iter, iterable=True)
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return problems


# -- evaluation -----------------------------------------------------------------------------------------------------

_Binding = tuple[Value, frozenset[HelperRef]]


class _Evaluator:
    def __init__(self, source: SourceFile, base: TDict) -> None:
        self.source = source
        self.file = source.path
        self.base = base
        self.ns: dict[str, Slot] = {}
        self.bound_line: dict[str, int] = {}
        self.imported: dict[str, ImportRecord] = {}
        self.scopes: list[dict[str, _Binding]] = []
        self.collect: list[set[HelperRef]] = [set()]
        self.referenced: set[str] = set()
        self.assignments: list[Assignment] = []
        self.last_line: dict[str, int] = {}
        self.reassigned: list[Reassignment] = []
        self.imports: list[ImportRecord] = []
        self.steps = 0

    # -- errors

    def error(self, node: ast.AST | int | None, message: str, hint: str = "") -> MMConfigError:
        line = node if isinstance(node, int) or node is None else getattr(node, "lineno", None)
        return fail("mmconfig-eval-error", message, self.file, line, hint=hint)

    def refuse(self, node: ast.AST, message: str, hint: str = _UNSUPPORTED_HINT) -> MMConfigError:
        return fail("mmconfig-unsupported", message, self.file, getattr(node, "lineno", None), hint=hint)

    def limit(self, node: ast.AST | int | None, message: str) -> MMConfigError:
        """A bound of typedseg.migrate.limits: the config asks more of the reader than any real config does."""
        line = node if isinstance(node, int) or node is None else getattr(node, "lineno", None)
        return fail(
            "mmconfig-limit",
            message,
            self.file,
            line,
            hint=LIMIT_HINT,
        )

    # -- bounds

    def count(self, steps: int, node: ast.AST | int | None) -> None:
        self.steps += steps
        if self.steps > MAX_EVAL_STEPS:
            raise self.limit(node, f"evaluating this file takes more than {MAX_EVAL_STEPS} steps")

    def check_value(self, value: Value, node: ast.AST | int | None) -> None:
        """Refuse a value whose copy would be too large or too deep (before anything copies it)."""
        if not isinstance(value, TDict | TList | TTuple):
            return
        try:
            visited = measure(value, max_weight=MAX_VALUE_WEIGHT, max_depth=MAX_VALUE_DEPTH)
        except ValueTooLargeError as error:
            raise self.limit(node, f"this value is too large: {error}") from None
        self.count(visited, node)

    def check_result(self, value: Value, node: ast.AST) -> Value:
        """Refuse an integer, string or sequence result past its bound."""
        if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
            raise self.limit(node, f"`{_snippet(node)}` gives an integer of more than {MAX_INT_BITS} bits")
        if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            raise self.limit(
                node, f"`{_snippet(node)}` gives a string of more than {MAX_STRING_CHARS} characters"
            )
        if isinstance(value, TList | TTuple | TDict) and len(value.items) > MAX_ITEMS:
            raise self.limit(node, f"`{_snippet(node)}` gives more than {MAX_ITEMS} items")
        return value

    # -- statements

    def run(self) -> FileEval:
        for statement in self.source.tree.body:
            self.statement(statement)
        cfg: dict[str, Slot] = {}
        for name, slot in self.ns.items():
            if not name.startswith("__"):
                cfg[name] = slot
        deprecation = cfg.pop(DEPRECATION_KEY, None)
        tree = TDict(cfg)
        self.check_value(tree, None)
        if self.source.base_vars:
            tree = _as_dict(self.substitute(tree))
        assigned = {assignment.name for assignment in self.assignments}
        return FileEval(
            cfg=tree,
            assignments=tuple(self.assignments),
            reassigned=tuple(self.reassigned),
            helpers=frozenset(self.referenced & assigned),
            imports=tuple(self.imports),
            deprecation=None if deprecation is None else to_plain(deprecation.value),
        )

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            target = node.targets[0]
            assert isinstance(target, ast.Name)
            self.record_assignment(target.id, node.lineno)
            if target.id == BASE_KEY:
                return  # MMEngine removes every `_base_ = ...` before it runs the file
            slot = self.slot(node.value, node.lineno)
            self.check_value(slot.value, node)
            self.ns[target.id] = slot
            self.bound_line[target.id] = node.lineno
            self.imported.pop(target.id, None)
        elif isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Call):
                self.update(node.value)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = tuple(
                alias.asname or (alias.name.split(".")[0] if isinstance(node, ast.Import) else alias.name)
                for alias in node.names
            )
            record = ImportRecord(self.file, node.lineno, ast.unparse(node), names)
            self.imports.append(record)
            for name in names:
                self.imported[name] = record
                self.ns.pop(name, None)  # a module or function: MMEngine drops it from the config

    def record_assignment(self, name: str, line: int) -> None:
        self.assignments.append(Assignment(name, line))
        previous = self.last_line.get(name)
        if previous is not None:
            self.reassigned.append(Reassignment(name, previous, line, self.file))
        self.last_line[name] = line

    def update(self, call: ast.Call) -> None:
        assert isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name)
        name = call.func.value.id
        target = self.ns.get(name)
        if target is None or not isinstance(target.value, TDict):
            what = "not assigned in this file" if target is None else f"a {type_name(target.value)}"
            raise self.refuse(
                call, f"`{name}.update(...)`: `{name}` is {what}; only a dict of this file can be updated"
            )
        if target.value.config:
            raise self.refuse(call, f"`{name}.update(...)` would change a value taken from `_base_`")
        if len(call.args) > 1:
            raise self.error(call, "dict.update() takes at most one positional argument")
        items: dict[str, Slot] = {}
        self.collect.append(set())
        try:
            for argument in call.args:
                value = self.eval(argument)
                if not isinstance(value, TDict):
                    raise self.error(argument, f"`{name}.update(...)` needs a dict, got a {type_name(value)}")
                items.update(value.items)
            for keyword in call.keywords:
                assert keyword.arg is not None
                items[keyword.arg] = self.slot(keyword.value, keyword.lineno)
        finally:
            self.collect.pop()
        target.value.items.update(items)
        self.check_value(target.value, call)

    # -- slots: an entry and the helper names it was computed from

    def slot(self, node: ast.expr, line: int) -> Slot:
        self.collect.append(set())
        try:
            value = self.eval(node)
        finally:
            refs = self.collect.pop()
        if isinstance(node, ast.Name) and self.is_file_name(node.id):
            refs = {replace(ref, direct=True) if ref.name == node.id else ref for ref in refs}
        return Slot(value, Location(self.file, line), frozenset(refs))

    def keyed_slot(self, key: ast.expr, value: ast.expr, line: int) -> tuple[str, Slot]:
        self.collect.append(set())
        try:
            name = self.eval(key)
            if not isinstance(name, str):
                raise self.refuse(key, f"dict key {name!r}: only string keys are supported")
            if PLACEHOLDER_PREFIX in name:
                raise self.refuse(key, "`{{_base_.x}}` cannot be used as a dict key")
            slot = self.slot(value, line)
        finally:
            key_refs = self.collect.pop()
        if key_refs:
            slot = Slot(slot.value, slot.loc, slot.refs | key_refs)
        return name, slot

    def is_file_name(self, name: str) -> bool:
        return name in self.ns and not any(name in scope for scope in self.scopes)

    def use(self, refs: frozenset[HelperRef]) -> None:
        if refs:
            self.collect[-1].update(refs)

    # -- expressions

    def eval(self, node: ast.expr) -> Value:
        method = _DISPATCH.get(type(node))
        if method is None:
            raise self.refuse(node, f"{_construct(node)} is not supported")
        self.count(1, node)
        return method(self, node)

    def eval_constant(self, node: ast.Constant) -> Value:
        value = node.value
        assert isinstance(value, int | float | str | None)  # the static check refused other constants
        return self.check_result(value, node)

    def eval_name(self, node: ast.Name) -> Value:
        name = node.id
        for scope in reversed(self.scopes):
            if name in scope:
                value, refs = scope[name]
                self.use(refs)
                return value
        if name in self.imported:
            record = self.imported[name]
            raise self.refuse(
                node,
                f"`{name}` is bound by `{record.statement}` (line {record.line}); imports are recorded, never run",
            )
        slot = self.ns.get(name)
        if slot is not None:
            self.referenced.add(name)
            self.use(frozenset({HelperRef(name, self.file, self.bound_line[name], False)}))
            return slot.value
        if name == BASE_KEY:
            return self.base
        if name in _CALLABLES:
            raise self.refuse(node, f"the builtin `{name}` can only be called")
        hint = ""
        if name in self.base.items:
            hint = f"`{name}` comes from a base file; names of base files are not visible here: use `_base_.{name}`."
        raise self.error(node, f"name `{name}` is not defined (MMEngine raises NameError)", hint)

    def eval_list(self, node: ast.List) -> Value:
        return TList([self.slot(element, element.lineno) for element in node.elts])

    def eval_tuple(self, node: ast.Tuple) -> Value:
        return TTuple(tuple(self.slot(element, element.lineno) for element in node.elts))

    def eval_dict(self, node: ast.Dict) -> Value:
        items: dict[str, Slot] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            assert key is not None
            name, slot = self.keyed_slot(key, value, key.lineno)
            items[name] = slot
        return TDict(items)

    def eval_call(self, node: ast.Call) -> Value:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        if self.is_file_name(name) or any(name in scope for scope in self.scopes):
            raise self.refuse(
                node, f"`{name}` is assigned in this file, so `{_snippet(node)}` would call that value"
            )
        if name == "dict":
            return self.call_dict(node)
        if node.keywords or len(node.args) != 1:
            raise self.refuse(node, f"`{_snippet(node)}`: only `{name}(x)` with one argument is supported")
        argument = self.eval(node.args[0])
        if name == "len":
            if isinstance(argument, TDict | TList | TTuple):
                return len(argument.items)
            if isinstance(argument, str):
                self.check_text(argument, node)
                return len(argument)
            raise self.error(node, f"object of type '{type_name(argument)}' has no len()")
        if name == "sum":
            if not isinstance(argument, TList | TTuple):
                raise self.error(node, f"sum() needs a list or tuple, got a {type_name(argument)}")
            numbers = [slot.value for slot in argument.items]
            if not all(isinstance(number, int | float) for number in numbers):
                raise self.error(node, "sum() of something other than numbers is not supported")
            self.use(deep_refs(argument))
            return self.check_result(
                sum(number for number in numbers if isinstance(number, int | float)), node
            )
        # int(x)
        if isinstance(argument, TDict | TList | TTuple) or argument is None:
            raise self.error(
                node, f"int() argument must be a string or a number, not '{type_name(argument)}'"
            )
        if isinstance(argument, str):
            self.check_text(argument, node)
        try:
            return self.check_result(int(argument), node)
        except (ValueError, OverflowError) as error:
            raise self.error(node, f"int(): {error}") from error

    def call_dict(self, node: ast.Call) -> Value:
        if len(node.args) > 1:
            raise self.error(node, "dict expected at most 1 argument")
        items: dict[str, Slot] = {}
        for argument in node.args:
            value = self.eval(argument)
            if not isinstance(value, TDict):
                raise self.refuse(
                    argument, f"`dict(x)` is supported for a dict x only, not a {type_name(value)}"
                )
            items.update(value.items)  # a shallow copy, as dict(x) makes
        for keyword in node.keywords:
            assert keyword.arg is not None
            items[keyword.arg] = self.slot(keyword.value, keyword.lineno)
        return TDict(items)

    def eval_attribute(self, node: ast.Attribute) -> Value:
        value = self.eval(node.value)
        attr = node.attr
        if not isinstance(value, TDict):
            raise self.error(
                node, f"'{type_name(value)}' object has no attribute '{attr}' (`{_snippet(node)}`)"
            )
        if not value.config:
            raise self.error(
                node,
                f"`{_snippet(node)}`: attribute access on a plain dict; only values taken from `_base_` are "
                "ConfigDicts, so MMEngine raises AttributeError here",
                hint=f"Write `{_snippet(node.value)}['{attr}']`.",
            )
        if hasattr(dict, attr) or attr in {"merge", "to_dict", "lazy", "build_lazy"}:
            raise self.refuse(node, f"`{_snippet(node)}` names a ConfigDict method, not a key")
        slot = value.items.get(attr)
        if slot is None:
            raise self.error(node, f"`{_snippet(node)}`: 'ConfigDict' object has no attribute '{attr}'")
        self.use(slot.refs)
        return slot.value

    def eval_subscript(self, node: ast.Subscript) -> Value:
        value = self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            bounds: list[int | None] = []
            for part in (node.slice.lower, node.slice.upper, node.slice.step):
                bound = None if part is None else self.eval(part)
                if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
                    raise self.error(node, "slice indices must be integers")
                bounds.append(bound)
            window = slice(*bounds)
            try:
                if isinstance(value, TList):
                    return TList(value.items[window])
                if isinstance(value, TTuple):
                    return TTuple(value.items[window])
                if isinstance(value, str):
                    self.check_text(value, node)
                    return value[window]
            except ValueError as error:
                raise self.error(node, str(error)) from error
            raise self.error(node, f"a {type_name(value)} cannot be sliced")
        index = self.eval(node.slice)
        if isinstance(value, TList | TTuple):
            if not isinstance(index, int):
                raise self.error(node, f"{type_name(value)} indices must be integers, not {type_name(index)}")
            try:
                slot = value.items[index]
            except IndexError as error:
                raise self.error(
                    node, f"`{_snippet(node)}`: {type_name(value)} index out of range"
                ) from error
            self.use(slot.refs)
            return slot.value
        if isinstance(value, TDict):
            if not isinstance(index, str) or index not in value.items:
                raise self.error(
                    node,
                    f"`{_snippet(node)}`: key {_snippet(node.slice)} not found (MMEngine raises KeyError)",
                )
            slot = value.items[index]
            self.use(slot.refs)
            return slot.value
        if isinstance(value, str) and isinstance(index, int):
            self.check_text(value, node)
            try:
                return value[index]
            except IndexError as error:
                raise self.error(node, "string index out of range") from error
        raise self.error(
            node, f"'{type_name(value)}' object is not subscriptable with {_snippet(node.slice)}"
        )

    def eval_binop(self, node: ast.BinOp) -> Value:
        left = self.eval(node.left)
        right = self.eval(node.right)
        kind = type(node.op)
        symbol = _OP_SYMBOLS[kind]
        if kind is ast.Add and isinstance(left, TList) and isinstance(right, TList):
            return self.check_result(TList(left.items + right.items), node)
        if kind is ast.Add and isinstance(left, TTuple) and isinstance(right, TTuple):
            return self.check_result(TTuple(left.items + right.items), node)
        if kind is ast.Mult and isinstance(left, TList | TTuple) != isinstance(right, TList | TTuple):
            sequence, count = (left, right) if isinstance(left, TList | TTuple) else (right, left)
            assert isinstance(sequence, TList | TTuple)
            if not isinstance(count, int):
                raise self.error(node, f"can't multiply sequence by non-int of type '{type_name(count)}'")
            if count * len(sequence.items) > MAX_ITEMS:
                raise self.limit(node, f"`{_snippet(node)}` builds more than {MAX_ITEMS} items")
            if isinstance(sequence, TList):
                return TList(sequence.items * count)
            return TTuple(sequence.items * count)
        if kind is ast.Mod and isinstance(left, str):
            self.check_text(left, node)
            self.check_format(left, node)
            self.check_value(right, node)
            self.use(deep_refs(right))
            return self.apply(node, operator.mod, left, to_plain(right))
        for operand in (left, right):
            if isinstance(operand, TDict | TList | TTuple):
                raise self.error(
                    node,
                    f"unsupported operand types for {symbol}: '{type_name(left)}' and '{type_name(right)}'",
                )
            if isinstance(operand, str):
                self.check_text(operand, node)
        if _int(left) and _int(right):
            assert isinstance(left, int) and isinstance(right, int)
            if kind is ast.Pow and right > 0 and right * _bits(left) > MAX_INT_BITS:
                raise self.limit(
                    node, f"`{_snippet(node)}` gives an integer of more than {MAX_INT_BITS} bits"
                )
            if kind is ast.Mult and _bits(left) + _bits(right) > MAX_INT_BITS:
                raise self.limit(
                    node, f"`{_snippet(node)}` gives an integer of more than {MAX_INT_BITS} bits"
                )
        if kind is ast.Mult and isinstance(left, str) != isinstance(right, str):
            text, count = (left, right) if isinstance(left, str) else (right, left)
            if isinstance(text, str) and isinstance(count, int) and len(text) * count > MAX_STRING_CHARS:
                raise self.limit(
                    node, f"`{_snippet(node)}` builds a string of more than {MAX_STRING_CHARS} characters"
                )
        return self.apply(node, _BINOPS[kind], left, right)

    def check_format(self, template: str, node: ast.AST) -> None:
        """Refuse `%` widths and precisions that would build a huge string (`'%0999999999d' % 1`)."""
        for match in _FORMAT_WIDTHS.finditer(template):
            for number in match.groups():
                if number == "*":
                    raise self.refuse(node, f"`{_snippet(node)}`: a `*` width or precision is not supported")
                if number is not None and int(number) > MAX_STRING_CHARS:
                    raise self.limit(
                        node, f"`{_snippet(node)}` asks for a width of more than {MAX_STRING_CHARS}"
                    )

    def apply(self, node: ast.expr, function: Callable[[Any, Any], Any], left: Any, right: Any) -> Value:
        try:
            result = function(left, right)
        except (ArithmeticError, TypeError, ValueError) as error:
            raise self.error(node, f"`{_snippet(node)}`: {type(error).__name__}: {error}") from error
        if not isinstance(result, int | float | str | bool):
            raise self.refuse(
                node, f"`{_snippet(node)}` gives a {type(result).__name__}, which is not supported"
            )
        return self.check_result(result, node)

    def eval_unaryop(self, node: ast.UnaryOp) -> Value:
        operand = self.eval(node.operand)
        if not isinstance(operand, int | float):
            raise self.error(node, f"bad operand type for unary operator: '{type_name(operand)}'")
        return self.check_result(-operand if isinstance(node.op, ast.USub) else +operand, node)

    def eval_joinedstr(self, node: ast.JoinedStr) -> Value:
        parts: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
                continue
            assert isinstance(part, ast.FormattedValue)
            value = self.eval(part.value)
            self.check_value(value, part)
            self.use(deep_refs(value))
            plain = to_plain(value)
            if isinstance(plain, str):
                self.check_text(plain, part)
            if part.conversion == ord("r"):
                plain = repr(plain)
            elif part.conversion == ord("s"):
                plain = str(plain)
            elif part.conversion == ord("a"):
                plain = ascii(plain)
            spec = ""
            if part.format_spec is not None:
                spec_value = self.eval(part.format_spec)
                assert isinstance(spec_value, str)
                spec = spec_value
                if any(int(digits) > MAX_STRING_CHARS for digits in re.findall(r"\d+", spec)):
                    raise self.limit(part, f"f-string: a width of more than {MAX_STRING_CHARS} characters")
            try:
                parts.append(format(plain, spec))
            except (TypeError, ValueError) as error:
                raise self.error(part, f"f-string: {error}") from error
            self.check_result(parts[-1], part)
        return self.check_result("".join(parts), node)

    def eval_listcomp(self, node: ast.ListComp) -> Value:
        items: list[Slot] = []

        def emit() -> None:
            items.append(self.slot(node.elt, node.elt.lineno))

        self.comprehension(node.generators, emit)
        return TList(items)

    def eval_dictcomp(self, node: ast.DictComp) -> Value:
        items: dict[str, Slot] = {}

        def emit() -> None:
            name, slot = self.keyed_slot(node.key, node.value, node.key.lineno)
            items[name] = slot

        self.comprehension(node.generators, emit)
        return TDict(items)

    # -- comprehensions

    def comprehension(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        def loop(level: int) -> None:
            if level == len(generators):
                emit()
                return
            generator = generators[level]
            for value, refs in self.iterate(generator.iter):
                scope: dict[str, _Binding] = {}
                self.bind(generator.target, value, refs, scope)
                self.scopes.append(scope)
                try:
                    loop(level + 1)
                finally:
                    self.scopes.pop()

        loop(0)

    def iterate(self, node: ast.expr) -> list[_Binding]:
        self.collect.append(set())
        try:
            items = self.iteration_items(node)
        finally:
            outer = frozenset(self.collect.pop())
        self.use(outer)
        return [(value, outer | refs) for value, refs in items]

    def iteration_items(self, node: ast.expr) -> list[_Binding]:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ITERATORS:
            name = node.func.id
            if self.is_file_name(name):
                raise self.refuse(
                    node, f"`{name}` is assigned in this file, so `{_snippet(node)}` would call it"
                )
            if node.keywords:
                raise self.refuse(node, f"`{_snippet(node)}`: keyword arguments are not supported")
            arguments = [self.eval(argument) for argument in node.args]
            if name == "range":
                if not 1 <= len(arguments) <= 3 or not all(
                    isinstance(a, int) and not isinstance(a, bool) for a in arguments
                ):
                    raise self.error(node, "range() takes one to three integers")
                numbers = range(*(a for a in arguments if isinstance(a, int)))
                if len(numbers) > MAX_ITEMS:
                    raise self.limit(node, f"`{_snippet(node)}` has more than {MAX_ITEMS} items")
                return [(number, NO_REFS) for number in numbers]
            if len(arguments) != 1:
                raise self.refuse(node, "only `enumerate(x)` with one argument is supported")
            location = Location(self.file, node.lineno)
            pairs: list[_Binding] = []
            for index, (value, refs) in enumerate(self.items_of(arguments[0], node)):
                pair = TTuple((Slot(index, location), Slot(value, location, refs)))
                pairs.append((pair, refs))
            return pairs
        return self.items_of(self.eval(node), node)

    def items_of(self, value: Value, node: ast.expr) -> list[_Binding]:
        if isinstance(value, TList | TTuple):
            return [(slot.value, slot.refs) for slot in value.items]
        if isinstance(value, TDict):
            return [(key, NO_REFS) for key in value.items]
        if isinstance(value, str):
            self.check_text(value, node)
            return [(character, NO_REFS) for character in value]
        raise self.error(node, f"'{type_name(value)}' object is not iterable")

    def bind(
        self, target: ast.expr, value: Value, refs: frozenset[HelperRef], scope: dict[str, _Binding]
    ) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = (value, refs)
            return
        if isinstance(target, ast.Tuple | ast.List):
            if not isinstance(value, TList | TTuple):
                raise self.error(target, f"cannot unpack a non-sequence {type_name(value)}")
            if len(value.items) != len(target.elts):
                raise self.error(
                    target, f"cannot unpack {len(value.items)} values into {len(target.elts)} names"
                )
            for element, slot in zip(target.elts, value.items, strict=True):
                self.bind(element, slot.value, refs | slot.refs, scope)
            return
        raise self.refuse(target, f"the loop target `{_snippet(target)}` is not supported")

    # -- `{{_base_.x}}` placeholders

    def check_text(self, text: str, node: ast.AST) -> None:
        if PLACEHOLDER_PREFIX in text:
            raise self.refuse(
                node, "`{{_base_.x}}` can only be used as a whole value, not inside an expression"
            )

    def substitute(self, value: Value) -> Value:
        """`Config._substitute_base_vars`: a value equal to a placeholder becomes the base's value."""
        if isinstance(value, TDict):
            return TDict(
                {key: self.substitute_slot(slot) for key, slot in value.items.items()},
                config=value.config,
            )
        if isinstance(value, TList):
            return TList([self.substitute_slot(slot) for slot in value.items])
        if isinstance(value, TTuple):
            return TTuple(tuple(self.substitute_slot(slot) for slot in value.items))
        return value

    def substitute_slot(self, slot: Slot) -> Slot:
        value = slot.value
        if isinstance(value, str):
            if value in self.source.base_vars:
                return Slot(self.base_value(self.source.base_vars[value], slot.loc), slot.loc, slot.refs)
            if PLACEHOLDER_PREFIX in value:
                raise fail(
                    "mmconfig-unsupported",
                    "`{{_base_.x}}` inside a string literal is not substituted by MMEngine",
                    slot.loc.file,
                    slot.loc.line,
                    hint="Write `{{_base_.x}}` without quotes.",
                )
            return slot
        if isinstance(value, TDict | TList | TTuple):
            return Slot(self.substitute(value), slot.loc, slot.refs)
        return slot

    def base_value(self, dotted: str, loc: Location) -> Value:
        value: Value = self.base
        for key in dotted.split("."):
            if not isinstance(value, TDict) or key not in value.items:
                raise fail(
                    "mmconfig-base-var",
                    f"`{{{{_base_.{dotted}}}}}`: `{key}` is not found in the merged base files",
                    loc.file,
                    loc.line,
                )
            value = value.items[key].value
        return value


def _int(value: Value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bits(value: int) -> int:
    """Bits of an int operand (at least one: `1 ** n` is refused past the bound too)."""
    return max(abs(value).bit_length(), 1)


def _as_dict(value: Value) -> TDict:
    assert isinstance(value, TDict)
    return value


_DISPATCH: dict[type[ast.AST], Callable[[_Evaluator, Any], Value]] = {
    ast.Constant: _Evaluator.eval_constant,
    ast.Name: _Evaluator.eval_name,
    ast.List: _Evaluator.eval_list,
    ast.Tuple: _Evaluator.eval_tuple,
    ast.Dict: _Evaluator.eval_dict,
    ast.Call: _Evaluator.eval_call,
    ast.Attribute: _Evaluator.eval_attribute,
    ast.Subscript: _Evaluator.eval_subscript,
    ast.BinOp: _Evaluator.eval_binop,
    ast.UnaryOp: _Evaluator.eval_unaryop,
    ast.JoinedStr: _Evaluator.eval_joinedstr,
    ast.ListComp: _Evaluator.eval_listcomp,
    ast.DictComp: _Evaluator.eval_dictcomp,
}
