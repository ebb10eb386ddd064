"""`typedseg data`: data helpers. `typedseg data synth ROOT` writes the synthetic dataset the quickstart trains on."""

import re
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from .main import AllowImportOption, SetOption, _allowed, _fail, _load, app

data_app = typer.Typer(help="Data helpers: generate the synthetic dataset.", no_args_is_help=True)
app.add_typer(data_app, name="data")


def _size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if match is None or min(int(match[1]), int(match[2])) < 8:
        raise typer.BadParameter(f"{text!r} is not HxW with both sides at least 8, e.g. 128x128")
    return int(match[1]), int(match[2])


@data_app.command()
def synth(
    root: Annotated[Path, typer.Argument(help="Folder to write images/<split>/ and labels/<split>/ into.")],
    classes: Annotated[int, typer.Option(min=2, max=255, help="Classes, background included.")] = 4,
    train: Annotated[int, typer.Option(min=0, help="Training images.")] = 200,
    val: Annotated[int, typer.Option(min=0, help="Validation images.")] = 40,
    size: Annotated[str, typer.Option(help="Image size HxW (larger than the training crop).")] = "128x128",
    seed: Annotated[int, typer.Option(min=0, help="Seed: the same seed writes byte-identical files.")] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Replace images/ and labels/ in a non-empty ROOT.")
    ] = False,
    if_missing: Annotated[
        bool,
        typer.Option(
            "--if-missing",
            help="Do nothing when ROOT already holds a finished synthetic dataset (its classes.txt).",
        ),
    ] = False,
) -> None:
    """Write a deterministic synthetic dataset (shapes on textured backgrounds, palette PNG labels) in
    BaseSegDataset's layout, as configs/quickstart.py reads it."""
    from typedseg.datasets.errors import DataError
    from typedseg.datasets.synthetic import SynthSpec, is_complete, write_synthetic

    if if_missing and not force and is_complete(root):
        typer.echo(f"{root} already holds a synthetic dataset; left as it is")
        return
    try:
        height_width = _size(size)
    except typer.BadParameter as exc:
        typer.echo(f"--size: {exc}", err=True)
        raise typer.Exit(code=2) from None
    spec = SynthSpec(classes=classes, train=train, val=val, size=height_width, seed=seed)
    try:
        summary = write_synthetic(root, spec, force=force)
    except DataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=2) from None
    counts = ", ".join(f"{n} {split}" for split, n in summary.written.items())
    typer.echo(
        f"wrote {counts} images ({size}) of {len(summary.classes)} classes to {root}: {', '.join(summary.classes)}"
    )


class Stage(str, Enum):
    train = "train"
    val = "val"
    test = "test"


@data_app.command()
def check(
    file: Annotated[
        Path, typer.Argument(help="Config file (.py, .yaml, .yml, .json), or an MMSegmentation config.")
    ],
    read: Annotated[bool, typer.Option("--read", help="Also decode every image and label map.")] = False,
    only: Annotated[
        list[Stage] | None, typer.Option("--only", help="Check only this dataloader (repeatable).")
    ] = None,
    overrides: SetOption = None,
    allow_import: AllowImportOption = None,
) -> None:
    """Check that the data of each dataloader is where the config says: folders exist, every image has its label
    map, and (with --read) every file decodes. What a run would find before its first iteration, all at once."""
    from typedseg.problems import ConfigError

    try:
        experiment = _load(file, overrides, _allowed(allow_import)).experiment
    except ConfigError as exc:
        raise _fail(list(exc.problems)) from None
    from typedseg.datasets.datasets import build_dataset, check_readable
    from typedseg.datasets.errors import DataError

    failed = False
    stages = [stage.value for stage in only] if only else [stage.value for stage in Stage]
    for stage in stages:
        name = f"{stage}_dataloader"
        loader = getattr(experiment, name, None)
        if loader is None:
            continue
        try:
            dataset = build_dataset(loader.dataset)
            line = f"{name}: {len(dataset)} samples"
            if read:
                line += f", {check_readable(dataset)} files read"
            typer.echo(line)
        except DataError as exc:
            typer.echo(f"{file}  {name}: {exc}", err=True)
            failed = True
    if failed:
        raise typer.Exit(code=2)
