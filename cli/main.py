"""`typedseg`: thin Typer commands over the library. User mistakes exit 2 with located messages, never a traceback.

Commands import the library lazily so that `validate`, `show` and `schema` start fast and never import torch.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

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


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Config files (.py, .yaml, .yml, .json).")],
    overrides: SetOption = None,
    output: Annotated[ProblemFormat, typer.Option("--format", help="text for people, json for machines.")] = (
        ProblemFormat.text
    ),
) -> None:
    """Check configs completely (types, unknown keys, cross-field rules) without importing torch. Exit 2 if invalid."""
    from typedseg.loading import load_config
    from typedseg.loading.render import dumps, format_problems, problems_json
    from typedseg.problems import ConfigError, Problem

    results: list[dict[str, object]] = []
    failed = False
    for file in files:
        problems: list[Problem]
        try:
            loaded = load_config(file, overrides or [])
            problems = loaded.warnings
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
) -> None:
    """Print the fully resolved config: every default filled in, overrides applied."""
    from typedseg.loading import load_config
    from typedseg.loading.dump import to_json, to_python, to_yaml
    from typedseg.problems import ConfigError

    try:
        loaded = load_config(file, overrides or [])
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None
    experiment = loaded.experiment
    if output is ConfigFormat.json:
        text = to_json(experiment)
    elif output is ConfigFormat.yaml:
        schema = _schema_path()
        text = to_yaml(experiment, str(schema) if schema.is_file() else None)
    else:
        text = to_python(experiment, source=str(file))
    sys.stdout.write(text)


def _schema_path() -> Path:
    from typedseg.config.schema import SCHEMA_FILE

    return Path(__file__).resolve().parent.parent / "schemas" / SCHEMA_FILE


@app.command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write experiment.schema.json into.")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the file in --out is stale.")] = False,
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
    out.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {target}")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
