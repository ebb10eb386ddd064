"""MMEngine config data -> typedseg experiment data, and what MMEngine would have kept silent about.

`map_to_typedseg(cfg)` takes what `load_mmengine_config` read and returns the data of a typedseg `Experiment`
(validated afterwards by `typedseg.migrate.importer`), plus:

- problems, located at the FILE:LINE that wrote the value: top-level keys MMEngine's Runner never reads
  (MMSegmentation 0.x's `runner=`, `fp16=`, `lr_config=` ..., typos such as `models=`), a top-level `optimizer`
  that is not the one `optim_wrapper` uses, top-level names assigned twice in one file (ERRORS), and helper
  variables a child file redefined after a base had used them (WARNINGS);
- the types typedseg does not implement (a model, dataset, transform, constructor ...), with where they are set,
  and the settings MMEngine reads that typedseg has no field for (`sync_bn`, `compile`, ...);
- notes: what was translated (`custom_imports` recorded, a top-level `data_preprocessor` moved into `model`).

What stays as it is: everything else. MMEngine's spelling is typedseg's (same keys, same type names), so the
sections are copied and typedseg's own validation reports the unknown keys and broken rules inside them.
Translations: `train_cfg` given `by_epoch` instead of `type` (MMEngine's Runner picks the loop from it), scoped
type names (`mmpretrain.ConvNeXt`, `mmseg.FCNHead`) for classes typedseg has, and MMCV's deprecated
`file_client_args=dict(backend='disk')` (the default backend).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from typedseg.migrate.mmengine_config import MMConfig, StaleHelper, stale_helpers
from typedseg.migrate.supported import (
    OPTIM_WRAPPER_CONSTRUCTORS,
    is_openmmlab_scoped,
    typedseg_type,
)
from typedseg.migrate.values import Location
from typedseg.problems import Path, Problem, Severity, format_path, readable_path

RUNNER_SETTINGS_TYPEDSEG_LACKS = frozenset(
    {
        "sync_bn",
        "compile",
        "activation_checkpointing",
        "efficient_conv_bn_eval",
        "runner_type",
    }
)
"""Top-level keys MMEngine (or mmseg's tools) read that typedseg has no field for: unsupported settings."""

LEGACY_KEYS: dict[str, tuple[str, str]] = {
    "optimizer_config": (
        "MMSegmentation 0.x's optimizer-hook settings (gradient clipping, ...)",
        "Put gradient clipping in optim_wrapper.clip_grad (grad_clip=dict(max_norm=...) becomes "
        "clip_grad=dict(max_norm=...)) and delete optimizer_config.",
    ),
    "lr_config": (
        "MMSegmentation 0.x's learning-rate policy",
        "Write the schedule as param_scheduler=[dict(type='PolyLR', ...)] and delete lr_config.",
    ),
    "momentum_config": (
        "MMSegmentation 0.x's momentum policy",
        "Write it as momentum schedulers in param_scheduler and delete momentum_config.",
    ),
    "checkpoint_config": (
        "MMSegmentation 0.x's checkpoint settings",
        "Use default_hooks.checkpoint=dict(type='CheckpointHook', ...) and delete checkpoint_config.",
    ),
    "log_config": (
        "MMSegmentation 0.x's logger settings",
        "Use default_hooks.logger (and visualizer.vis_backends for TensorBoard or W&B) and delete log_config.",
    ),
    "evaluation": (
        "MMSegmentation 0.x's evaluation settings",
        "Use train_cfg.val_interval, val_evaluator and default_hooks.checkpoint.save_best, and delete evaluation.",
    ),
    "total_iters": (
        "MMSegmentation 0.x's run length",
        "Set train_cfg.max_iters and delete total_iters.",
    ),
    "workflow": (
        "MMCV 1.x's train/val workflow",
        "The loops are train_cfg, val_cfg and test_cfg; delete workflow.",
    ),
    "data": (
        "MMSegmentation 0.x's dataset settings",
        "Use train_dataloader, val_dataloader and test_dataloader, and delete data.",
    ),
    "dist_params": (
        "MMCV 1.x's distributed settings",
        "Use env_cfg.dist_cfg and delete dist_params.",
    ),
    "cudnn_benchmark": (
        "MMSegmentation 0.x's cuDNN setting",
        "Use env_cfg.cudnn_benchmark and delete the top-level key.",
    ),
    "mp_start_method": (
        "MMSegmentation 0.x's multiprocessing setting",
        "Use env_cfg.mp_cfg.mp_start_method and delete the top-level key.",
    ),
    "opencv_num_threads": (
        "MMSegmentation 0.x's OpenCV setting",
        "Use env_cfg.mp_cfg.opencv_num_threads and delete the top-level key.",
    ),
    "resume_from": (
        "MMCV 1.x's resume setting",
        "Use load_from=<checkpoint> with resume=True and delete resume_from.",
    ),
    "auto_resume": (
        "MMSegmentation 0.x's resume setting",
        "Use resume=True and delete auto_resume.",
    ),
    "gpu_ids": (
        "MMSegmentation 0.x's device list",
        "Start one process per GPU (launcher='pytorch' with torchrun) and delete gpu_ids.",
    ),
    "img_norm_cfg": (
        "MMSegmentation 0.x's image normalisation",
        "Normalisation is model.data_preprocessor's mean, std and bgr_to_rgb; check them and delete img_norm_cfg.",
    ),
}
"""Keys of MMSegmentation 0.x / MMCV 1.x configs that MMEngine ignores: what they were, what to write instead."""

# Sections whose absence makes typedseg's cross-section rules complain: when a section is left out of
# validation because it uses unsupported types, these complaints are about the omission, not the config.
SILENT_KEYS: dict[str, str] = {
    "wd_mult": (
        "MMEngine copies a custom_keys entry's keys into the parameter group, where nothing reads `wd_mult`: the "
        "weight decay of these parameters is unchanged. The multiplier is `decay_mult`."
    ),
}
"""Unknown keys that MMEngine accepts without effect, and what they were meant to be (hints for typedseg's
`unknown-key` errors)."""

OMISSION_CODES: dict[str, frozenset[str]] = {
    "train_dataloader": frozenset({"train-incomplete"}),
    "train_cfg": frozenset({"train-incomplete"}),
    "optim_wrapper": frozenset({"train-incomplete", "scheduler-without-optimizer"}),
    "val_dataloader": frozenset({"val-incomplete"}),
    "val_cfg": frozenset({"val-incomplete"}),
    "val_evaluator": frozenset({"val-incomplete", "no-evaluator"}),
    "test_dataloader": frozenset({"test-incomplete"}),
    "test_cfg": frozenset({"test-incomplete"}),
    "test_evaluator": frozenset({"test-incomplete"}),
    "tta_model": frozenset({"tta-pipeline-without-model"}),
    "model": frozenset({"stage-without-model"}),
}


@dataclass(frozen=True)
class Note:
    """Something the import did that a person may want to know, with where it comes from."""

    message: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class Unsupported:
    """A type (or setting) of the MMEngine config that typedseg does not implement, and where it is set."""

    name: str
    """The type name as written (`HRNet`, `mmpretrain.PoolFormer`), or the setting's key."""
    path: Path
    """Where in the MMEngine config: `("model", "backbone", "type")`."""
    location: Location | None
    kind: str = "type"
    """'type', 'constructor' or 'setting'."""

    @property
    def section(self) -> str:
        return str(self.path[0])

    def problem(self) -> Problem:
        if self.kind == "setting":
            code = "unsupported-setting"
            message = f"MMEngine reads `{self.name}`, but typedseg has no such setting."
            hint = "Remove it to import this config (typedseg's engine decides this itself)."
        else:
            code = "unsupported-type"
            what = "optimizer wrapper constructor" if self.kind == "constructor" else "type"
            message = f"typedseg does not implement the {what} '{self.name}'."
            hint = "Only configs made of typedseg's types can be imported."
        file, line = (self.location.file, self.location.line) if self.location else (None, None)
        return Problem(code, self.path, message, hint, file=file, line=line)


@dataclass
class Mapped:
    """MMEngine data mapped onto typedseg's experiment, and what the mapping found."""

    data: dict[str, Any]
    """The typedseg experiment's data (validate it with `Experiment.model_validate_json`)."""
    origin: dict[Path, Path] = field(default_factory=dict)
    """typedseg path -> the MMEngine path its value came from, where the two differ."""
    problems: list[Problem] = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    stale: list[StaleHelper] = field(default_factory=list)


def shown(location: Location) -> str:
    """`FILE:LINE` for a message (the file relative to the working directory when it is below it)."""
    return f"{readable_path(location.file)}:{location.line}"


def short(value: Any, limit: int = 80) -> str:
    """`repr(value)`, cut to `limit` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _experiment_fields() -> frozenset[str]:
    from typedseg.config.experiment import Experiment

    return frozenset(name for name in Experiment.model_fields if name != "schema_version")


def map_to_typedseg(cfg: MMConfig) -> Mapped:
    """The typedseg experiment data for a loaded MMEngine config, with the problems of the MMEngine config."""
    return _Mapper(cfg).run()


class _Mapper:
    def __init__(self, cfg: MMConfig) -> None:
        self.cfg = cfg
        self.out = Mapped({})
        imports = cfg.custom_imports.imports if cfg.custom_imports is not None else ()
        self.user_modules = tuple(imports)

    # --- helpers -----------------------------------------------------------------------------------------

    def loc(self, path: Path) -> Location | None:
        return self.cfg.provenance.get(path)

    def report(
        self, code: str, path: Path, message: str, hint: str = "", severity: Severity = "error"
    ) -> None:
        location = self.loc(path)
        self.out.problems.append(
            Problem(
                code,
                path,
                message,
                hint,
                severity,
                file=location.file if location else None,
                line=location.line if location else None,
            )
        )

    def note(self, message: str, path: Path) -> None:
        location = self.loc(path)
        self.out.notes.append(
            Note(message, location.file if location else None, location.line if location else None)
        )

    def written_as_helper(self, key: str) -> bool:
        """Whether the file that wrote `key`'s final value also used it in another of its assignments."""
        location = self.loc((key,))
        return location is not None and key in self.cfg.helpers.get(location.file, frozenset())

    # --- the mapping ---------------------------------------------------------------------------------------

    def run(self) -> Mapped:
        fields = _experiment_fields()
        data = self.cfg.data
        helpers = self.cfg.helper_names
        for key, value in data.items():
            if key in fields:
                self.out.data[key] = self.convert(value, (key,))
            elif key == "data_preprocessor":
                continue  # below, once `model` is mapped
            elif key == "custom_imports":
                self.note(
                    f"custom_imports {list(self.user_modules)} recorded, not imported: typedseg reads the config "
                    "without running any of its code.",
                    (key,),
                )
            elif key == "optimizer":
                self.top_level_optimizer(value)
            elif key in RUNNER_SETTINGS_TYPEDSEG_LACKS:
                self.out.unsupported.append(Unsupported(key, (key,), self.loc((key,)), "setting"))
            elif key in helpers:
                continue  # a helper variable (norm_cfg, crop_size, ...): its values are in the sections
            else:
                self.ignored_key(key, value)
        if "data_preprocessor" in data:
            self.top_level_preprocessor(data["data_preprocessor"])
        self.train_loop()
        self.optim_constructor()
        self.reassignments()
        self.stale_helpers()
        return self.out

    def convert(self, value: Any, path: Path) -> Any:
        """A copy of `value` with scoped types mapped; types typedseg lacks are recorded as unsupported."""
        if isinstance(value, dict):
            result: dict[str, Any] = {}
            for key, item in value.items():
                if key == "type" and isinstance(item, str):
                    result[key] = self.type_name(item, (*path, key))
                elif key == "file_client_args" and item == {"backend": "disk"}:
                    self.note(
                        "file_client_args=dict(backend='disk') (MMCV's deprecated argument, the default backend) "
                        f"dropped from {format_path(path)}.",
                        (*path, key),
                    )
                else:
                    result[key] = self.convert(item, (*path, key))
            return result
        if isinstance(value, list | tuple):
            items = [self.convert(item, (*path, index)) for index, item in enumerate(value)]
            return items if isinstance(value, list) else tuple(items)
        return value

    def type_name(self, name: str, path: Path) -> str:
        mapped = typedseg_type(name)
        if mapped is not None:
            return mapped
        if "." in name and not is_openmmlab_scoped(name) and self.user_class(name):
            return name  # a user's own class, listed in custom_imports: typedseg's user branch validates it
        self.out.unsupported.append(Unsupported(name, path, self.loc(path)))
        return name

    def user_class(self, name: str) -> bool:
        module = name.rpartition(".")[0]
        return any(module == listed or module.startswith(listed + ".") for listed in self.user_modules)

    def top_level_preprocessor(self, value: Any) -> None:
        """MMEngine's Runner does `model.setdefault('data_preprocessor', data_preprocessor)`."""
        model = self.out.data.get("model")
        key: Path = ("data_preprocessor",)
        if not isinstance(model, dict):
            return  # no model to fill (MMEngine requires one; a typedseg experiment may have none)
        if "data_preprocessor" not in model:
            model["data_preprocessor"] = self.convert(value, key)
            self.out.origin[("model", "data_preprocessor")] = key
            self.note(
                "the top-level data_preprocessor is used as model.data_preprocessor (MMEngine's Runner fills in "
                "a model's missing data_preprocessor from it).",
                key,
            )
            return
        if "data_preprocessor" in self.cfg.helper_names:
            return  # a helper: the stale-helper check covers a redefinition that did not reach the model
        raw = self.cfg.data.get("model")
        used = raw.get("data_preprocessor") if isinstance(raw, dict) else None
        if used == value:
            return
        where = self.loc(("model", "data_preprocessor"))
        self.report(
            "ignored-key",
            key,
            f"MMEngine ignores this data_preprocessor ({short(value)}): the model has its own, "
            f"{short(used)}" + (f" ({shown(where)})" if where else "") + ", and that one is used.",
            "Set the values in model.data_preprocessor, or delete the top-level data_preprocessor.",
        )

    def top_level_optimizer(self, value: Any) -> None:
        """A top-level `optimizer` is a helper for `optim_wrapper`; MMEngine never reads it itself."""
        if self.written_as_helper("optimizer"):
            return
        wrapper = self.cfg.data.get("optim_wrapper")
        used = wrapper.get("optimizer") if isinstance(wrapper, dict) else None
        if used == value:
            return
        where = self.loc(("optim_wrapper", "optimizer"))
        self.report(
            "stale-optimizer",
            ("optimizer",),
            f"this top-level optimizer {short(value)} is not the optimizer MMEngine builds: "
            f"optim_wrapper.optimizer is {short(used)}"
            + (f" ({shown(where)})" if where else "")
            + ", and MMEngine "
            "ignores a top-level `optimizer`.",
            "Write the optimizer inside optim_wrapper (optim_wrapper=dict(optimizer=optimizer) after changing "
            "it), or delete the top-level optimizer.",
        )

    def ignored_key(self, key: str, value: Any) -> None:
        path: Path = (key,)
        if key == "runner":
            self.legacy_runner(value)
        elif key == "fp16":
            self.legacy_fp16(value)
        elif key in LEGACY_KEYS:
            what, hint = LEGACY_KEYS[key]
            self.report("legacy-key", path, f"`{key}` is {what}; MMEngine ignores it.", hint)
        else:
            # A misspelt section (`models=`) is a setting lost; any other unused name is dead code (a warning).
            close = difflib.get_close_matches(key, sorted(_experiment_fields()), n=1, cutoff=0.85)
            guess = close[0] if close else None
            self.report(
                "ignored-key",
                path,
                f"MMEngine ignores the top-level `{key}` = {short(value, 60)}: its Runner does not read it and no "
                "other assignment uses it.",
                f"Did you mean `{guess}`?"
                if guess
                else "Delete it, or move the value where it is meant to apply.",
                severity="error" if guess else "warning",
            )

    def legacy_runner(self, value: Any) -> None:
        loop = self.cfg.data.get("train_cfg")
        runner = value if isinstance(value, dict) else {}
        unit = "max_epochs" if "max_epochs" in runner else "max_iters"
        wanted = runner.get(unit)
        used = loop.get(unit) if isinstance(loop, dict) else None
        where = self.loc(("train_cfg", unit))
        if wanted is None:
            message = (
                "`runner` is MMSegmentation 0.x's loop setting; MMEngine ignores it (train_cfg is the loop)."
            )
        elif used is None:
            message = (
                f"`runner` is MMSegmentation 0.x's loop setting; MMEngine ignores it, so the runner.{unit}={wanted} "
                f"it asks for is not used (train_cfg sets no {unit})."
            )
        else:
            message = (
                f"`runner` is MMSegmentation 0.x's loop setting; MMEngine ignores it, so this config trains "
                f"train_cfg.{unit}={used}"
                + (f" (set at {shown(where)})" if where else "")
                + f", not the {wanted} "
                f"that runner.{unit} asks for."
            )
        target = wanted if wanted is not None else "..."
        hint = (
            f"Delete `runner` and set train_cfg.{unit}={target} (with the schedule's end and the checkpoint "
            "interval to match)"
            + (f", or delete it to keep {used}." if used is not None and used != wanted else ".")
        )
        self.report("legacy-key", ("runner",), message, hint)

    def legacy_fp16(self, value: Any) -> None:
        wrapper = self.cfg.data.get("optim_wrapper")
        kind = wrapper.get("type", "OptimWrapper") if isinstance(wrapper, dict) else None
        where = self.loc(("optim_wrapper", "type")) or self.loc(("optim_wrapper",))
        scale = value.get("loss_scale", "dynamic") if isinstance(value, dict) else "dynamic"
        if kind == "AmpOptimWrapper":
            message = (
                "`fp16` is MMSegmentation 0.x's mixed-precision switch; MMEngine ignores it (AMP is on here "
                "through optim_wrapper's AmpOptimWrapper)."
            )
            hint = "Delete fp16; set the loss scale in optim_wrapper.loss_scale."
        else:
            message = (
                "`fp16` is MMSegmentation 0.x's mixed-precision switch; MMEngine ignores it, so AMP is not used: "
                f"this config trains in full precision (optim_wrapper is {kind}"
                + (f", {shown(where)}" if where else "")
                + ")."
            )
            hint = (
                f"Delete fp16 and use optim_wrapper=dict(type='AmpOptimWrapper', loss_scale={scale!r}, ...)."
            )
        self.report("legacy-key", ("fp16",), message, hint)

    def train_loop(self) -> None:
        """MMEngine's Runner: a train_cfg without `type` is chosen by its `by_epoch`."""
        loop = self.out.data.get("train_cfg")
        if isinstance(loop, dict) and "type" not in loop and "by_epoch" in loop:
            by_epoch = loop.pop("by_epoch")
            kind = "EpochBasedTrainLoop" if by_epoch else "IterBasedTrainLoop"
            self.out.data["train_cfg"] = {"type": kind, **loop}
            self.out.origin[("train_cfg", "type")] = ("train_cfg", "by_epoch")

    def optim_constructor(self) -> None:
        wrapper = self.out.data.get("optim_wrapper")
        constructor = wrapper.get("constructor") if isinstance(wrapper, dict) else None
        if isinstance(constructor, str) and constructor not in OPTIM_WRAPPER_CONSTRUCTORS:
            path: Path = ("optim_wrapper", "constructor")
            self.out.unsupported.append(Unsupported(constructor, path, self.loc(path), "constructor"))

    def reassignments(self) -> None:
        for item in self.cfg.reassigned:
            self.out.problems.append(
                Problem(
                    "assigned-twice",
                    (item.name,),
                    f"`{item.name}` is assigned twice in this file (lines {item.first_line} and "
                    f"{item.second_line}); Python keeps only the second value, so what line {item.first_line} "
                    "sets is lost.",
                    "Merge the two assignments into one.",
                    file=item.file,
                    line=item.first_line,
                )
            )

    def stale_helpers(self) -> None:
        for helper in stale_helpers(self.cfg):
            if helper.name == "optimizer" and any(p.code == "stale-optimizer" for p in self.out.problems):
                continue  # reported as an error already
            self.out.stale.append(helper)
            listed = "; ".join(
                f"{format_path(stale.path)} = {short(stale.value, 60)} ({shown(stale.location)})"
                for stale in helper.stale_paths
            )
            old = helper.stale_paths[0].old_helper_value
            self.out.problems.append(
                Problem(
                    "stale-helper",
                    (helper.name,),
                    f"`{helper.name}` is redefined here as {short(helper.new_value, 60)}, but values a base file "
                    f"computed from its old value {short(old, 60)} keep it: {listed}. MMEngine evaluates each "
                    "file on its own.",
                    f"Set those values in this file too, or rebuild them from `{helper.name}` here.",
                    severity="warning",
                    file=helper.new_location.file,
                    line=helper.new_location.line,
                )
            )


def stale_links(mapped: Mapped, cfg: MMConfig, path: Path) -> list[StaleHelper]:
    """The stale helpers behind the value at (MMEngine) `path`: it is, holds or was computed from a stale value."""
    found: list[StaleHelper] = []
    behind = set(_helpers_behind(cfg, path))
    for helper in mapped.stale:
        overlaps = any(
            stale.path[: len(path)] == path or path[: len(stale.path)] == stale.path
            for stale in helper.stale_paths
        )
        if overlaps or helper.name in behind:
            found.append(helper)
    return found


def _helpers_behind(cfg: MMConfig, path: Path, depth: int = 0) -> Iterator[str]:
    """Names of the helper variables the value at `path` (or a container holding it) was computed from."""
    if depth > 8:
        return
    for end in range(len(path), 0, -1):
        for ref in cfg.derived.get(path[:end], ()):
            yield ref.name
            if ref.direct:
                yield from _helpers_behind(cfg, (ref.name, *path[end:]), depth + 1)
