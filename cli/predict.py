"""`typedseg predict CFG --checkpoint CKPT IMAGE_OR_DIR --out DIR`: label PNGs (palette) and overlays for image
files, through typedseg.engine.inference. A missing image, an unreadable file, a checkpoint of another model or an
existing output (without --force) is one message and exit code 2; torch is imported inside the command only."""

from pathlib import Path
from typing import Annotated

import typer

from .main import AllowImportOption, SetOption, _allowed, _fail, app
from .train import _at, _load


@app.command()
def predict(
    config: Annotated[
        Path, typer.Argument(help="Config file (.py, .yaml, .json), or an MMSegmentation config.")
    ],
    source: Annotated[Path, typer.Argument(metavar="IMAGE_OR_DIR", help="An image, or a folder of images.")],
    checkpoint: Annotated[
        Path, typer.Option("--checkpoint", help="Weights of the config's model (typedseg or MMEngine).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for labels/<name>.png and overlays/<name>.png.")],
    overrides: SetOption = None,
    tta: Annotated[
        bool, typer.Option("--tta", help="Test-time augmentation: the config's tta_pipeline and tta_model.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace outputs that exist.")] = False,
    mmseg: Annotated[bool, typer.Option("--mmseg", help="Read CONFIG as an MMSegmentation config.")] = False,
    allow_import: AllowImportOption = None,
) -> None:
    """Predict label maps for images: a palette label PNG and an overlay per image, written atomically."""
    from typedseg.problems import ConfigError

    locate = None
    try:
        experiment, _, locate = _load(
            config, overrides or [], mmseg=mmseg, allow_import=_allowed(allow_import)
        )
        from typedseg.engine.inference import PredictionFiles, predict_files

        def done(files: PredictionFiles) -> None:
            typer.echo(f"{files.image} -> {files.labels}, {files.overlay}")

        written = predict_files(experiment, checkpoint, source, out, tta=tta, force=force, on_done=done)
    except ConfigError as exc:
        raise _fail(_at(exc.problems, config, locate)) from None
    typer.echo(f"{len(written)} image{'s' if len(written) != 1 else ''} predicted into {out}")
