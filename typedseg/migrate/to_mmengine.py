"""typedseg `Experiment` -> an MMEngine dict-style config file, for teams that still run MMEngine somewhere.

```python
text = to_mmengine(experiment)        # `train_cfg = dict(type='IterBasedTrainLoop', max_iters=80000, ...)` ...
```

The file is written from `templates/mmengine_config.py.j2`: one `name = dict(type=..., ...)` per section, in the
form MMEngine, MMCV and MMSegmentation expect, and `typedseg import` reads it back to an equal experiment:

- Settings are written where they differ from the default (typedseg's defaults are MMEngine's), also when the
  config spelled a default out, so the file reads like the MMSegmentation config it may have come from and
  holds no argument an older MMEngine rejects (`use_fsdp=False`); `type` is always written, and so is what
  MMSegmentation reads without a default of its own (a dataloader's `sampler`, the model's `test_cfg.mode`).
- Sequences become lists (`auxiliary_head`, pipelines, RandomFlip's `prob`/`direction` lists, which MMCV checks
  with `isinstance(..., list)`), fixed-size pairs stay tuples (crop sizes, `betas`, resize scales).
- A scheduler's `begin` and `end` are always written; `end=None` ("until the end of training" in typedseg) as
  the training loop's length, with a comment.
- typedseg-only settings (a scheduler's `chained`) are dropped, with a comment where they were set.
- Classes MMSegmentation takes from another package get their scoped name and a `custom_imports` entry
  (`mmpretrain.ConvNeXt`); a user's own config (`UserConfig`) is written as the class its `build()` constructs
  (its `runtime_class`, which MMEngine's registry builds), with that module in `custom_imports`.
"""

from __future__ import annotations

import keyword
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from typedseg.migrate.supported import EXPORT_SCOPES

if TYPE_CHECKING:
    from typedseg.config.base import UserConfig

_WIDTH = 100
_UNIONS: tuple[object, ...] = (Union, type(int | str))


@dataclass
class MMEngineExport:
    """The text of the MMEngine config and what a person should know about it."""

    text: str
    notes: list[str] = field(default_factory=list)


@dataclass
class _Call:
    """`dict(key=value, ...)`, with comments written after its last item."""

    items: list[tuple[str, Any]]
    comments: list[str] = field(default_factory=list)


def to_mmengine(experiment: BaseModel, source: str = "") -> str:
    """The MMEngine dict-style config (Python source) equivalent to `experiment`."""
    return export_mmengine(experiment, source).text


def export_mmengine(experiment: BaseModel, source: str = "") -> MMEngineExport:
    """`to_mmengine`, with the notes about what could not be written as it is."""
    from typedseg.templating import render_template

    writer = _Writer(experiment)
    sections = writer.sections()
    text = render_template(
        "mmengine_config.py.j2",
        source=source,
        custom_imports=sorted(writer.custom_imports),
        sections=[(name, _render(value, 0, len(name) + 3)) for name, value in sections],
        header_comments=[textwrap.wrap(comment, _WIDTH - 8) for comment in writer.header_comments],
    )
    return MMEngineExport(text, writer.notes)


class _Writer:
    def __init__(self, experiment: BaseModel) -> None:
        self.experiment = experiment
        self.custom_imports: set[str] = set()
        self.notes: list[str] = []
        self.header_comments: list[str] = []

    def sections(self) -> list[tuple[str, Any]]:
        exp = self.experiment
        found: list[tuple[str, Any]] = []
        for name, info in type(exp).model_fields.items():
            if name == "schema_version":
                continue
            value = getattr(exp, name)
            if not _written(exp, name, value, info):
                continue
            found.append((name, self.value(value, info.annotation, (name,))))
        scope = getattr(exp, "default_scope", None)
        if scope == "mmengine" and getattr(exp, "model", None) is not None:
            message = (
                "default_scope is 'mmengine' (typedseg's default): MMSegmentation's tools look its model, dataset "
                "and transform classes up in the 'mmseg' scope. Set default_scope='mmseg' in the typedseg config "
                "to export a config MMSegmentation runs as it is."
            )
            self.notes.append(message)
            self.header_comments.append(message)
        return found

    # --- values ----------------------------------------------------------------------------------------------

    def value(self, value: Any, annotation: Any, path: tuple[str | int, ...]) -> Any:
        if isinstance(value, BaseModel):
            return self.model(value, path)
        if isinstance(value, tuple | list):
            fixed = _fixed_tuple(annotation, value)
            if fixed is not None:
                return tuple(
                    self.value(item, arg, (*path, i))
                    for i, (item, arg) in enumerate(zip(value, fixed, strict=True))
                )
            element = _element_type(annotation)
            return [self.value(item, element, (*path, i)) for i, item in enumerate(value)]
        if isinstance(value, dict):
            item_type = _dict_value_type(annotation)
            return {key: self.value(item, item_type, (*path, key)) for key, item in value.items()}
        return value

    def model(self, model: BaseModel, path: tuple[str | int, ...]) -> _Call:
        from typedseg.config.base import UserConfig
        from typedseg.config.errors import model_tag
        from typedseg.problems import format_path

        cls = type(model)
        call = _Call([])
        if isinstance(model, UserConfig):
            self.user_type(model, call, path)
        else:
            tag = model_tag(cls)
            if tag is not None:
                scoped, module = EXPORT_SCOPES.get(tag, (tag, ""))
                call.items.append(("type", scoped))
                if module:
                    self.custom_imports.add(module)
        scheduler = _is_scheduler(model)
        for name, info in cls.model_fields.items():
            if name == "type":
                continue
            value = getattr(model, name)
            if scheduler and name == "chained":
                if value:
                    call.comments.append(
                        "typedseg's chained=True dropped: MMEngine always multiplies overlapping schedulers "
                        "(chained only silences typedseg's overlap rule)."
                    )
                    self.notes.append(f"{format_path(path)}: chained=True dropped (typedseg only).")
                continue
            if scheduler and name == "end" and value is None:
                self.scheduler_end(model, call, path)
                continue
            forced = (scheduler and name == "begin") or (cls.__name__, name) in _ALWAYS_WRITTEN
            if not forced and not _written(model, name, value, info):
                continue
            call.items.append((name, self.value(value, info.annotation, (*path, name))))
        for key, item in (model.__pydantic_extra__ or {}).items():  # a user object kept as data: its own keys
            call.items.append((key, self.value(item, Any, (*path, key))))
        return call

    def user_type(self, model: UserConfig, call: _Call, path: tuple[str | int, ...]) -> None:
        """MMEngine builds `type` itself: name the class the user's config builds, not the config class."""
        from typedseg.config.base import UnresolvedUserConfig
        from typedseg.problems import format_path

        runtime = type(model).runtime_class
        if isinstance(model, UnresolvedUserConfig):
            runtime = model.type  # kept as the config wrote it (its module was not imported)
        elif not runtime:
            runtime = model.type  # what `typedseg import` reads back; MMEngine needs the built class
            self.notes.append(
                f"{format_path(path)}: type names the config class {runtime}, which MMEngine cannot build; set "
                f"`runtime_class` on it to the dotted path of the class its build() constructs."
            )
        call.items.append(("type", runtime))
        self.custom_imports.add(runtime.rpartition(".")[0])

    def scheduler_end(self, scheduler: BaseModel, call: _Call, path: tuple[str | int, ...]) -> None:
        from typedseg.problems import format_path

        loop = getattr(self.experiment, "train_cfg", None)
        by_epoch = getattr(scheduler, "by_epoch", True)
        if (
            loop is not None
            and by_epoch == loop.by_epoch
            and not getattr(scheduler, "convert_to_iter_based", False)
        ):
            unit = "max_epochs" if loop.by_epoch else "max_iters"
            call.items.append(("end", loop.length))
            call.comments.append(
                f"end: typedseg's None (until the end of training), written as train_cfg.{unit}."
            )
            return
        call.comments.append("end: typedseg's None (until the end of training) has no value to write here.")
        self.notes.append(
            f"{format_path(path)}.end is None and the training loop does not give it a length in the scheduler's "
            "unit: MMEngine's own default applies."
        )


_ALWAYS_WRITTEN = frozenset({("DataLoaderConfig", "sampler"), ("ModelTestCfg", "mode")})
"""Settings MMEngine/MMSegmentation read without a default of their own (`build_dataloader` pops `sampler`;
EncoderDecoder reads `test_cfg.mode` as an attribute)."""


def _is_scheduler(model: BaseModel) -> bool:
    from typedseg.config.schedulers import UserScheduler, _Scheduler

    return isinstance(model, _Scheduler | UserScheduler)


def _written(model: BaseModel, name: str, value: Any, info: Any) -> bool:
    """Required, or different from the default of the class that reads it (typedseg's defaults are MMEngine's).

    A default is left out even when the config spelled it out (`show --format python` writes every setting):
    MMEngine reads the same value, and some (`use_fsdp=False`) are arguments older MMEngine versions reject.
    """
    if info.is_required():
        return True
    default = info.default_factory() if info.default_factory is not None else info.default
    return bool(value != default)


# --- annotations: which sequences are fixed-size tuples -----------------------------------------------------------


def _strip(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if get_origin(tp) in _UNIONS:
        found: list[Any] = []
        for arg in get_args(tp):
            found.extend(_members(arg))
        return found
    return [tp]


def _is_sequence_type(tp: Any) -> bool:
    return any(get_origin(member) in (tuple, list, Sequence) for member in _members(tp))


def _fixed_tuple(annotation: Any, value: Sequence[Any]) -> tuple[Any, ...] | None:
    """The element types of a fixed-size `tuple[A, B]` member of `annotation` that fits `value`, or None."""
    for member in _members(annotation):
        args = get_args(member)
        if get_origin(member) is not tuple or not args or args[-1] is Ellipsis or len(args) != len(value):
            continue
        if all(
            isinstance(item, tuple | list) == _is_sequence_type(arg)
            for item, arg in zip(value, args, strict=True)
        ):
            return args
    return None


def _element_type(annotation: Any) -> Any:
    for member in _members(annotation):
        origin, args = get_origin(member), get_args(member)
        if origin in (list, Sequence) and args:
            return args[0]
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return args[0]
    return Any


def _dict_value_type(annotation: Any) -> Any:
    for member in _members(annotation):
        if get_origin(member) is dict and len(get_args(member)) == 2:
            return get_args(member)[1]
    return Any


# --- rendering --------------------------------------------------------------------------------------------------


def _render(value: Any, indent: int, prefix: int = 0) -> str:
    """`value` on one line when it fits after `prefix` more characters, else one item per line."""
    flat = _render_flat(value)
    if flat is not None and indent + prefix + len(flat) <= _WIDTH:
        return flat
    return _render_block(value, indent)


def _render_flat(value: Any) -> str | None:
    """The value on one line, or None when it cannot be (a dict carrying comments)."""
    if isinstance(value, _Call):
        if value.comments:
            return None
        if not all(_identifier(key) for key, _ in value.items):
            return _render_flat(dict(value.items))
        parts: list[str] = []
        for key, item in value.items:
            text = _render_flat(item)
            if text is None:
                return None
            parts.append(f"{key}={text}")
        return f"dict({', '.join(parts)})"
    if isinstance(value, dict):
        if not all(_render_flat(item) is not None for item in value.values()):
            return None
        return "{" + ", ".join(f"{_literal(key)}: {_render_flat(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        texts = [_render_flat(item) for item in value]
        if any(text is None for text in texts):
            return None
        joined = ", ".join(str(text) for text in texts)
        if isinstance(value, list):
            return f"[{joined}]"
        return f"({joined},)" if len(texts) == 1 else f"({joined})"
    return _literal(value)


def _identifier(key: object) -> bool:
    return isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)


def _render_block(value: Any, indent: int) -> str:
    pad = " " * (indent + 4)
    close = " " * indent
    if isinstance(value, _Call):
        if not all(_identifier(key) for key, _ in value.items):
            return _render_block(dict(value.items), indent)
        lines = [f"{pad}{key}={_render(item, indent + 4, len(key) + 2)}," for key, item in value.items]
        lines += [
            f"{pad}# {line}"
            for comment in value.comments
            for line in textwrap.wrap(comment, _WIDTH - indent - 6)
        ]
        return "dict(\n" + "\n".join(lines) + f"\n{close})"
    if isinstance(value, dict):
        lines = [
            f"{pad}{_literal(key)}: {_render(item, indent + 4, len(_literal(key)) + 3)},"
            for key, item in value.items()
        ]
        return "{\n" + "\n".join(lines) + f"\n{close}}}"
    if isinstance(value, list | tuple):
        opening, closing = ("[", "]") if isinstance(value, list) else ("(", ")")
        lines = [f"{pad}{_render(item, indent + 4, 1)}," for item in value]
        return opening + "\n" + "\n".join(lines) + f"\n{close}{closing}"
    return _literal(value)


def _literal(value: object) -> str:
    """`repr(value)`, with every `{` of a string written `\\x7b` when the string holds `{{`.

    MMEngine substitutes `{{ fileDirname }}`, `{{$VAR:default}}` and `{{_base_.x}}` in a config's raw text
    (`Config._substitute_predefined_vars` and its siblings run regexes over the file before parsing it), string
    literals included: written verbatim, such a value would come back changed. `\\x7b` reads back as `{` in
    Python, and the file's text then holds no `{{` for MMEngine to substitute.
    """
    text = repr(value)
    if isinstance(value, str) and "{{" in value:
        return text.replace("{", "\\x7b")
    return text
