"""Import an MMEngine/MMSegmentation config: read it (never run it), map it onto typedseg, validate it.

```python
result = import_mmengine_config("configs/fcn/fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py")
result.imported            # True: result.experiment is a validated Experiment
result.problems            # errors and warnings, each at the FILE:LINE of the MMEngine file that set the value
result.unsupported         # types typedseg does not implement (HRNet, PSPHead, ...), with where they are set
```

Every problem is located in the MMEngine files through the reader's provenance (the line of the key that wrote
the final value, in whichever `_base_` file that was). A section that uses a type typedseg does not implement is
left out of validation; the rest (the engine sections always are typedseg's) is validated with all of typedseg's
rules, so one run reports both what cannot be imported and what is wrong. Only a config without either gets an
`experiment`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from typedseg.migrate.mmengine_config import MMConfig, MMConfigLoader, load_mmengine_config
from typedseg.migrate.to_typedseg import (
    OMISSION_CODES,
    SILENT_KEYS,
    Mapped,
    Note,
    Unsupported,
    map_to_typedseg,
    short,
    shown,
    stale_links,
)
from typedseg.migrate.values import Location
from typedseg.problems import Path, Problem, format_path

UNSUPPORTED_CODES = frozenset({"unsupported-type", "unsupported-setting"})
ENGINE_SECTIONS = frozenset(
    {
        "train_cfg",
        "val_cfg",
        "test_cfg",
        "optim_wrapper",
        "param_scheduler",
        "auto_scale_lr",
        "default_hooks",
        "custom_hooks",
        "env_cfg",
        "randomness",
        "log_processor",
        "log_level",
        "visualizer",
        "load_from",
        "resume",
        "launcher",
        "work_dir",
        "default_scope",
        "experiment_name",
    }
)
"""The training-engine sections: loops, optimization, hooks and runtime settings."""


@dataclass
class ImportResult:
    """What importing one MMEngine config gave."""

    source: MMConfig
    data: dict[str, Any]
    """The typedseg experiment's data, mapped from the MMEngine config (every section, validated or not)."""
    experiment: Any = None
    """The validated `Experiment`, only when the config imported completely and without errors."""
    problems: list[Problem] = field(default_factory=list)
    """Errors, unsupported types and settings, then warnings, located in the MMEngine files, in reading order."""
    unsupported: list[Unsupported] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    unchecked: tuple[str, ...] = ()
    """Sections left out of validation because they use unsupported types."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def real_problems(self) -> list[Problem]:
        """The errors that are mistakes in the config (not types or settings typedseg lacks)."""
        return [p for p in self.errors if p.code not in UNSUPPORTED_CODES]

    @property
    def imported(self) -> bool:
        return self.experiment is not None and not self.errors


def import_mmengine_config(
    path: str | os.PathLike[str], loader: MMConfigLoader | None = None
) -> ImportResult:
    """Read, map and validate the MMEngine config at `path`. Raises `MMConfigError` only when it cannot be read.

    Pass one `loader` to many calls to read each shared `_base_` file once.
    """
    cfg = load_mmengine_config(path, loader)
    mapped = map_to_typedseg(cfg)
    return _Importer(cfg, mapped).run()


class _Importer:
    def __init__(self, cfg: MMConfig, mapped: Mapped) -> None:
        self.cfg = cfg
        self.mapped = mapped
        self.unsupported = list(mapped.unsupported)

    def run(self) -> ImportResult:
        skipped = {item.section for item in self.unsupported}
        data = {key: value for key, value in self.mapped.data.items() if key not in skipped}
        experiment, problems = self.validate(data, skipped)
        problems += self.mapped.problems
        skipped |= {item.section for item in self.unsupported}  # validation may have found more
        problems += [item.problem() for item in self.unsupported]
        complete = not skipped and not any(p.is_error for p in problems)
        return ImportResult(
            source=self.cfg,
            data=self.mapped.data,
            experiment=experiment if complete else None,
            problems=self.ordered(problems),
            unsupported=sorted(self.unsupported, key=self.reading_order_of_unsupported),
            notes=self.mapped.notes,
            unchecked=tuple(key for key in self.mapped.data if key in skipped),
        )

    def validate(self, data: dict[str, Any], skipped: set[str]) -> tuple[Any, list[Problem]]:
        from typedseg.config.base import UserImports, user_imports
        from typedseg.config.errors import problems_from_validation
        from typedseg.config.experiment import Experiment
        from typedseg.config.json_mode import validate_document_data
        from typedseg.config.rules.experiment import check_experiment

        experiment: Experiment | None = None
        try:
            # Never imports: a user's class is kept as the data the config wrote (see `unchecked_user_types`).
            with user_imports(UserImports(loaded=False, keep=True)):
                validated = validate_document_data(Experiment, data)
        except ValidationError as exc:
            found = problems_from_validation(exc, Experiment)
        else:
            experiment = validated
            found = [p for p in check_experiment(validated) if not p.is_error]
            found += unchecked_user_types(validated)
        omitted = frozenset().union(*(OMISSION_CODES.get(section, frozenset()) for section in skipped))
        problems: list[Problem] = []
        for problem in found:
            if problem.code in omitted:
                continue
            path = data_path(data, problem.path)
            if problem.code == "unknown-type" and self.type_at(data, path) is not None:
                mm_path = (*self.mm_path(path), "type")
                self.unsupported.append(
                    Unsupported(str(self.type_at(data, path)), mm_path, self.locate(mm_path))
                )
                continue
            problems.append(self.located(problem, path))
        return experiment, problems

    @staticmethod
    def type_at(data: Any, path: Path) -> Any:
        value = data
        for part in path:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        return value.get("type") if isinstance(value, dict) else None

    def mm_path(self, path: Path) -> Path:
        """The MMEngine path of a typedseg path (they differ only where the mapping moved a value)."""
        for end in range(len(path), 0, -1):
            origin = self.mapped.origin.get(path[:end])
            if origin is not None:
                return (*origin, *path[end:])
        return path

    def locate(self, mm_path: Path) -> Location | None:
        for end in range(len(mm_path), 0, -1):
            location = self.cfg.provenance.get(mm_path[:end])
            if location is not None:
                return location
        return None

    def located(self, problem: Problem, path: Path) -> Problem:
        mm_path = self.mm_path(path)
        location = None
        if problem.code in ("unknown-type", "missing-type"):
            location = self.cfg.provenance.get((*mm_path, "type"))
        location = location or self.locate(mm_path)
        hint = problem.hint
        if problem.code == "unknown-key" and path and path[-1] in SILENT_KEYS:
            hint = SILENT_KEYS[str(path[-1])]
        for helper in stale_links(self.mapped, self.cfg, mm_path):
            stale = helper.stale_paths[0]
            hint = (
                f"{hint} Behind this: `{helper.name}` was redefined at {shown(helper.new_location)} as "
                f"{short(helper.new_value, 40)}, but {shown(stale.location)} computed {format_path(stale.path)} from "
                f"its old value {short(stale.old_helper_value, 40)} (see the stale-helper warning)."
            ).strip()
        return Problem(
            problem.code,
            path,
            problem.message,
            hint,
            problem.severity,
            file=location.file if location else self.cfg.path,
            line=location.line if location else None,
        )

    def ordered(self, problems: list[Problem]) -> list[Problem]:
        """Errors, then unsupported types and settings, then warnings; each group in reading order (bases before
        the files that include them)."""
        rank = {file: index for index, file in enumerate(self.cfg.files)}

        def key(problem: Problem) -> tuple[int, int, int]:
            group = 2 if not problem.is_error else 1 if problem.code in UNSUPPORTED_CODES else 0
            return (group, rank.get(problem.file or "", len(rank)), problem.line or 0)

        return sorted(problems, key=key)

    def reading_order_of_unsupported(self, item: Unsupported) -> tuple[int, int]:
        rank = {file: index for index, file in enumerate(self.cfg.files)}
        if item.location is None:
            return (len(rank), 0)
        return (rank.get(item.location.file, len(rank)), item.location.line)


def unchecked_user_types(experiment: Any) -> list[Problem]:
    """A warning for each of the user's own classes in the config: recorded by its dotted path, never imported."""
    from typedseg.loading.user_imports import unresolved

    problems = []
    for path, item in unresolved(experiment):
        module = item.type.rpartition(".")[0]
        problems.append(
            Problem(
                "user-type-unchecked",
                path,
                f"type '{item.type}' is your own class: `typedseg import` copies its settings as written and never "
                f"imports '{module}', so they are not checked.",
                f"Check them with `typedseg validate OUT --allow-import {module.partition('.')[0]}` on the written "
                "config (the module must be installed or on PYTHONPATH).",
                severity="warning",
            )
        )
    return problems


def data_path(data: Any, path: Path) -> Path:
    """`path` without union tags (`model.EncoderDecoder.backbone` -> `model.backbone`), found by walking the data:
    a part that is not a key of a mapping but is that mapping's `type` is a tag, not part of the config."""
    kept: list[str | int] = []
    value = data
    for part in path:
        if isinstance(value, dict):
            if part in value:
                value = value[part]
                kept.append(part)
            elif part == value.get("type") or part == "user":
                continue
            else:
                kept.append(part)
                value = None
        elif isinstance(value, list | tuple) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
            kept.append(part)
        else:
            kept.append(part)
            value = None
    return tuple(kept)


def to_typed_python(result: ImportResult, source: str) -> str:
    """The imported experiment as a readable typed Python config, its docstring saying where it came from.

    The body is `typedseg.loading.dump.to_python`'s (every setting written out); the docstring names the MMEngine
    file and lists the import's notes and warnings, located in the MMEngine files.
    """
    from typedseg.loading.dump import to_python
    from typedseg.loading.render import format_problem
    from typedseg.templating import render_template

    if result.experiment is None:
        raise ValueError("the config was not imported")
    python = to_python(result.experiment)
    end = python.index('"""\n', 3) + 4  # to_python starts with its own docstring: replaced by this one
    paragraphs = [
        f"Imported by `typedseg import` from {source}: the MMEngine config and its _base_ files, read without "
        "running them, with every setting written out. Edit freely; check it with `typedseg validate`."
    ]
    paragraphs += [f"Note: {note.message}" for note in result.notes]
    paragraphs += [
        f"Warning: {format_problem(problem).replace('  warning: ', ': ', 1)}" for problem in result.warnings
    ]
    return render_template("imported_config.py.j2", text="\n\n".join(paragraphs), body=python[end:])
