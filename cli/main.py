"""`typedseg`: thin Typer commands over the library. User mistakes exit 2 with located messages, never a traceback.

Commands import the library lazily so that `validate`, `show` and `schema` start fast and never import torch.
"""

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    name="typedseg",
    help="Typed, validated segmentation training configs in MMEngine's vocabulary.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a setting: PATH=VALUE (repeatable), e.g. optim_wrapper.optimizer.lr=0.02",
    ),
]
AllowImportOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-import",
        metavar="PKG",
        help="Allow a dotted `type` in a YAML/JSON config to import this package (repeatable). Without it, "
        "typedseg imports no module of yours: validate reports it; show, diff and export keep it as data.",
    ),
]


def _allowed(packages: list[str] | None) -> list[str]:
    """The --allow-import packages, each a dotted module name (a mistake exits 2)."""
    from typedseg.loading.user_imports import bad_packages

    bad = bad_packages(packages or [])
    if bad:
        typer.echo(f"--allow-import {bad[0]!r}: give a package name such as mypkg or mypkg.hooks.", err=True)
        raise typer.Exit(code=2)
    return packages or []


class ProblemFormat(str, Enum):
    text = "text"
    json = "json"


class ConfigFormat(str, Enum):
    python = "python"
    yaml = "yaml"
    json = "json"


def _fail(problems: list[object]) -> typer.Exit:
    from typedseg.loading.render import format_problems

    typer.echo(format_problems(problems), err=True)  # type: ignore[arg-type]
    return typer.Exit(code=2)


ForceOption = Annotated[bool, typer.Option("--force", help="Replace OUT if it exists (never an input file).")]


def _write(out: Path, text: str, *, force: bool, inputs: list[Path] | None = None) -> None:
    """Write a user's file through typedseg.files (checked, atomic); a refusal or failure exits 2."""
    from typedseg.files import write_output
    from typedseg.problems import ConfigError

    try:
        write_output(out, text, force=force, inputs=inputs or [])
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None


def _check_out(out: Path | None, *, force: bool, inputs: list[Path]) -> None:
    """Refuse a bad --out before any work (`_write` checks again, with every input then known)."""
    from typedseg.files import check_output
    from typedseg.problems import ConfigError

    if out is None:
        return
    try:
        check_output(out, force=force, inputs=inputs)
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None


def _format_for(out: Path | None, given: Any, suffixes: dict[Any, tuple[str, ...]], default: Any) -> Any:
    from typedseg.files import output_format
    from typedseg.problems import ConfigError

    try:
        return output_format(out, given, suffixes, default)
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Config files (.py, .yaml, .yml, .json).")],
    overrides: SetOption = None,
    output: Annotated[ProblemFormat, typer.Option("--format", help="text for people, json for machines.")] = (
        ProblemFormat.text
    ),
    allow_import: AllowImportOption = None,
) -> None:
    """Check configs completely (types, unknown keys, cross-field rules) without importing torch. Exit 2 if invalid."""
    from typedseg.loading.render import dumps, format_problems, problems_json
    from typedseg.problems import ConfigError, Problem

    results: list[dict[str, object]] = []
    failed = False
    allowed = _allowed(allow_import)
    for file in files:
        problems: list[Problem]
        try:
            problems = _load(file, overrides, allowed).warnings
            valid = True
        except ConfigError as exc:
            problems = exc.problems
            valid = False
            failed = True
        if output is ProblemFormat.json:
            results.append({"file": str(file), "valid": valid, "problems": problems_json(problems)})
            continue
        if problems:
            typer.echo(format_problems(problems), err=not valid)
        errors = sum(p.is_error for p in problems)
        status = "valid" if valid else f"invalid ({errors} error{'s' if errors != 1 else ''})"
        typer.echo(f"{file}: {status}", err=not valid)
    if output is ProblemFormat.json:
        typer.echo(dumps(results))
    if failed:
        raise typer.Exit(code=2)


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help="Config file (.py, .yaml, .yml, .json).")],
    overrides: SetOption = None,
    output: Annotated[ConfigFormat, typer.Option("--format", help="Output format.")] = ConfigFormat.python,
    allow_import: AllowImportOption = None,
) -> None:
    """Print the fully resolved config: every default filled in, overrides applied."""
    from typedseg.loading.dump import to_json, to_python, to_yaml
    from typedseg.problems import ConfigError

    try:
        experiment = _load(file, overrides, _allowed(allow_import), keep_unresolved=True).experiment
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None
    if output is ConfigFormat.json:
        text = to_json(experiment)
    elif output is ConfigFormat.yaml:
        schema = _schema_path()
        text = to_yaml(experiment, str(schema) if schema.is_file() else None)
    else:
        text = to_python(experiment, source=str(file))
    sys.stdout.write(text)


def _schema_path() -> Path:
    from typedseg.config.schema import schema_file

    return schema_file()


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write experiment.schema.json into.")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the file in --out is stale.")] = False,
    force: ForceOption = False,
) -> None:
    """Write (or print) the JSON Schema of an experiment, for editor completion of YAML/JSON configs."""
    import os

    os.environ["TYPEDSEG_FIELD_DOCS"] = "1"  # before typedseg.config is imported: field descriptions wanted
    from typedseg.config.schema import SCHEMA_FILE, schema_text

    if check and out is None:
        typer.echo("--check compares with the file in --out: give --out (e.g. --out schemas)", err=True)
        raise typer.Exit(code=2)
    text = schema_text()
    if out is None:
        sys.stdout.write(text)
        return
    target = out / SCHEMA_FILE
    if check:
        if not target.is_file():
            typer.echo(f"{target} does not exist: run `typedseg schema --out {out}`", err=True)
            raise typer.Exit(code=1)
        if target.read_text(encoding="utf-8") != text:
            typer.echo(f"{target} is stale: run `typedseg schema --out {out}`", err=True)
            raise typer.Exit(code=1)
        return
    if not out.exists() and out.parent.is_dir():
        out.mkdir()  # --out names the folder to write into: created when its parent exists
    _write(target, text, force=force)
    typer.echo(f"wrote {target}")


class ExportFormat(str, Enum):
    mmengine = "mmengine"
    python = "python"
    yaml = "yaml"
    json = "json"


_CONFIG_SUFFIXES = {
    ConfigFormat.python: (".py",),
    ConfigFormat.yaml: (".yaml", ".yml"),
    ConfigFormat.json: (".json",),
}
_EXPORT_SUFFIXES = {
    ExportFormat.mmengine: (".py",),
    ExportFormat.python: (".py",),
    ExportFormat.yaml: (".yaml", ".yml"),
    ExportFormat.json: (".json",),
}


@app.command("import")
def import_config(
    file: Annotated[
        Path, typer.Argument(help="MMEngine/MMSegmentation config (.py); its _base_ files are read too.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the typed config here (default: stdout).")
    ] = None,
    output: Annotated[
        ConfigFormat | None,
        typer.Option("--format", help="Output format (default: from --out's suffix, else python)."),
    ] = None,
    force: ForceOption = False,
) -> None:
    """Read an MMEngine config without running it, check it with typedseg's rules, and write it as a typed config.

    Exit 2 (writing nothing) when the config has errors, such as keys MMEngine silently ignores, or uses types
    typedseg does not implement; every problem is shown at FILE:LINE in the MMEngine files. Warnings allow it.
    """
    from typedseg.loading.dump import to_json, to_yaml
    from typedseg.loading.render import format_problems
    from typedseg.migrate.importer import import_mmengine_config, to_typed_python
    from typedseg.problems import ConfigError

    fmt = _format_for(out, output, _CONFIG_SUFFIXES, ConfigFormat.python)
    _check_out(out, force=force, inputs=[file])
    try:
        result = import_mmengine_config(file)
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None
    for note in result.notes:
        where = f"{_shown(note.file)}:{note.line}" if note.file else str(file)
        typer.echo(f"{where}  note: {note.message}", err=True)
    if result.problems:
        typer.echo(format_problems(result.problems), err=True)
    if not result.imported:
        errors = len(result.real_problems)
        parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
        if result.unsupported:
            names = list(dict.fromkeys(item.name for item in result.unsupported))
            parts.append(f"unsupported: {', '.join(names)}")
        if result.unchecked:
            parts.append(f"not validated: {', '.join(result.unchecked)}")
        typer.echo(f"{file}: not imported ({'; '.join(parts)})", err=True)
        raise typer.Exit(code=2)
    experiment = result.experiment
    if fmt is ConfigFormat.json:
        text = to_json(experiment)
    elif fmt is ConfigFormat.yaml:
        schema = _schema_path()
        text = to_yaml(experiment, str(schema) if schema.is_file() else None)
    else:
        text = to_typed_python(result, source=str(file))
    warnings = len(result.warnings)
    status = f"imported ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else "imported"
    if out is None:
        sys.stdout.write(text)
        typer.echo(f"{file}: {status}", err=True)
        return
    _write(out, text, force=force, inputs=[file, *(Path(read) for read in result.source.files)])
    typer.echo(f"{file}: {status}, wrote {out}", err=True)


def _shown(file: str) -> str:
    from typedseg.problems import readable_path

    return readable_path(file)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="typedseg config (.py, .yaml, .yml, .json).")],
    output: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="What to write (default: from --out's suffix, else mmengine)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the file here (default: stdout).")] = None,
    overrides: SetOption = None,
    force: ForceOption = False,
    allow_import: AllowImportOption = None,
) -> None:
    """Write the resolved config as typed Python, YAML or JSON, or as an MMEngine dict-style config.

    Every format loads back equal: `load(export(x)) == x` (the MMEngine form through `typedseg import`).
    """
    from typedseg.loading.dump import to_json, to_python, to_yaml
    from typedseg.problems import ConfigError

    output = _format_for(out, output, _EXPORT_SUFFIXES, ExportFormat.mmengine)
    _check_out(out, force=force, inputs=[file])
    try:
        loaded = _load(file, overrides, _allowed(allow_import), keep_unresolved=True)
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None
    if output is ExportFormat.mmengine:
        from typedseg.migrate.to_mmengine import export_mmengine

        exported = export_mmengine(loaded.experiment, source=str(file))
        for note in exported.notes:
            typer.echo(f"{file}  note: {note}", err=True)
        text = exported.text
    elif output is ExportFormat.python:
        text = to_python(loaded.experiment, source=str(file))
    elif output is ExportFormat.yaml:
        schema = _schema_path()
        text = to_yaml(loaded.experiment, str(schema) if schema.is_file() else None)
    else:
        text = to_json(loaded.experiment)
    if out is None:
        sys.stdout.write(text)
        return
    _write(out, text, force=force, inputs=[file])
    typer.echo(f"wrote {out}", err=True)


@app.command()
def diff(
    before: Annotated[
        Path, typer.Argument(help="Config (.py/.yaml/.json), or an MMSegmentation config with --mmseg-a.")
    ],
    after: Annotated[Path, typer.Argument(help="Config to compare with.")],
    output: Annotated[ProblemFormat, typer.Option("--format", help="text for people, json for machines.")] = (
        ProblemFormat.text
    ),
    mmseg_a: Annotated[
        bool, typer.Option("--mmseg-a", help="Read the first file as an MMSegmentation config.")
    ] = False,
    mmseg_b: Annotated[
        bool, typer.Option("--mmseg-b", help="Read the second file as an MMSegmentation config.")
    ] = False,
    allow_import: AllowImportOption = None,
) -> None:
    """Show what differs between two resolved configs, field by field. Exit 0 equal, 1 different, 2 on an error."""
    from typedseg.loading.diff import changes_json, diff_experiments, format_changes
    from typedseg.loading.render import dumps
    from typedseg.problems import ConfigError

    allowed = _allowed(allow_import)
    try:
        left = _experiment(before, mmseg=mmseg_a, allow_import=allowed)
        right = _experiment(after, mmseg=mmseg_b, allow_import=allowed)
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None
    changes = diff_experiments(left, right)
    if output is ProblemFormat.json:
        typer.echo(dumps(changes_json(changes)))
    elif changes:
        typer.echo(format_changes(changes, color=sys.stdout.isatty()))
    else:
        typer.echo("no differences")
    if changes:
        raise typer.Exit(code=1)


def _load(
    file: Path, overrides: list[str] | None, allow_import: list[str], *, keep_unresolved: bool = False
) -> Any:
    """`load_config`, or, for an MMSegmentation (MMEngine) config, the importer (which runs nothing) and then the
    overrides: every verb that reads a config reads both. Raises ConfigError with every problem."""
    from typedseg.loading import LoadedConfig, load_config
    from typedseg.migrate.detect import is_mmengine_config

    if not is_mmengine_config(file):
        return load_config(file, overrides or [], allow_import=allow_import, keep_unresolved=keep_unresolved)
    from typedseg.config.rules.experiment import check_experiment
    from typedseg.loading.overrides import apply_overrides
    from typedseg.migrate.importer import import_mmengine_config
    from typedseg.problems import ConfigError

    typer.echo(f"{file}: an MMSegmentation (MMEngine) config, read as `typedseg import` reads it.", err=True)
    result = import_mmengine_config(file)
    if not result.imported:
        raise ConfigError(result.problems)
    experiment = apply_overrides(result.experiment, overrides or [])
    warnings = (
        result.warnings if not overrides else [p for p in check_experiment(experiment) if not p.is_error]
    )
    return LoadedConfig(experiment, file, "python", tuple(overrides or ()), warnings)


def _experiment(path: Path, *, mmseg: bool, allow_import: list[str]) -> Any:
    from typedseg.migrate.detect import is_mmengine_config

    if mmseg or is_mmengine_config(path):
        from typedseg.migrate.importer import import_mmengine_config
        from typedseg.problems import ConfigError

        result = import_mmengine_config(path)
        if not result.imported:
            raise ConfigError(result.errors)
        return result.experiment
    from typedseg.loading import load_config

    return load_config(path, allow_import=allow_import, keep_unresolved=True).experiment


@app.command()
def new(
    out: Annotated[Path | None, typer.Argument(help="The config file to write (.py).")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model preset (see --list).")] = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset preset (see --list).")] = None,
    schedule: Annotated[str | None, typer.Option("--schedule", help="20k, 40k, 80k, 160k or 320k.")] = None,
    optimizer: Annotated[str | None, typer.Option("--optimizer", help="sgd or adamw.")] = None,
    amp: Annotated[bool, typer.Option("--amp", help="Mixed precision (AmpOptimWrapper).")] = False,
    ema: Annotated[bool, typer.Option("--ema", help="Add an EMAHook to custom_hooks.")] = False,
    list_choices: Annotated[bool, typer.Option("--list", help="Show the choices and exit.")] = False,
    force: ForceOption = False,
) -> None:
    """Write a new config that composes the presets; with no option, the quickstart experiment."""
    from typedseg.codegen.scaffold import ScaffoldError, choices_text, new_config_source

    if list_choices:
        sys.stdout.write(choices_text())
        return
    if out is None:
        typer.echo("missing OUT: the config file to write (or --list).", err=True)
        raise typer.Exit(code=2)
    _format_for(out, ConfigFormat.python, {ConfigFormat.python: (".py",)}, ConfigFormat.python)
    try:
        text = new_config_source(model, dataset, schedule, optimizer, amp=amp, ema=ema)
    except ScaffoldError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    _write(out, text, force=force)
    typer.echo(f"wrote {out}", err=True)


codegen_app = typer.Typer(help="Generate typed config code.", no_args_is_help=True)
app.add_typer(codegen_app, name="codegen")


@codegen_app.command("class")
def codegen_class(
    target: Annotated[
        str, typer.Argument(help="Your class, as module.path:ClassName (importable from here).")
    ],
    kind: Annotated[
        str,
        typer.Option("--kind", help="Where the config is used: config, hook, dataset, transform, model, ..."),
    ] = "config",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the module here (default: stdout).")
    ] = None,
    skip_var_args: Annotated[
        bool, typer.Option("--skip-var-args", help="Leave *args/**kwargs out (noted in a comment).")
    ] = False,
    force: ForceOption = False,
) -> None:
    """Write a typed config model (fields, docs, build()) for your own class, from its __init__ signature."""
    from typedseg.codegen.signature import SignatureError
    from typedseg.codegen.user_class import BASES, user_config_source

    if kind not in BASES:
        typer.echo(f"unknown --kind '{kind}'; one of: {', '.join(BASES)}", err=True)
        raise typer.Exit(code=2)
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # the user's package, run from its folder
    try:
        text = user_config_source(target, kind=kind, skip_var_args=skip_var_args)
    except SignatureError as exc:
        typer.echo(f"{target}: {str(exc).replace('(skip_var_args=True)', '(--skip-var-args)')}", err=True)
        raise typer.Exit(code=2) from None
    if out is None:
        sys.stdout.write(text)
        return
    _format_for(out, ConfigFormat.python, {ConfigFormat.python: (".py",)}, ConfigFormat.python)
    _write(out, text, force=force, inputs=_module_files(target))
    typer.echo(f"wrote {out}", err=True)


def _module_files(target: str) -> list[Path]:
    """The source file of `target`'s module (already imported by codegen): the output must not replace it."""
    module = sys.modules.get(target.partition(":")[0])
    origin = getattr(module, "__file__", None)
    return [Path(origin)] if origin else []


from . import data as _data  # noqa: E402, F401  (registers `typedseg data`)
from . import predict as _predict  # noqa: E402, F401  (registers `typedseg predict`)
from . import schedule as _schedule  # noqa: E402, F401  (registers `typedseg schedule`)
from . import train as _train  # noqa: E402, F401  (registers `typedseg run` and `typedseg test`)


def main() -> None:
    """The `typedseg` command: the garbage collector is paused while it starts (typedseg.startup)."""
    from typedseg import startup

    startup.pause()
    try:
        app()
    finally:
        startup.resume()  # a command that ran no loop


if __name__ == "__main__":
    main()
