"""`typedseg schedule`: the lr and momentum of every iteration, as training would set them, without training.

It imports no torch: the schedulers that the engine runs step plain param-group dicts
(`typedseg.engine.optim.preview`). `--plot` draws a PNG with Pillow (a dependency already), no matplotlib.
"""

import json
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .main import AllowImportOption, SetOption, _allowed, _fail, _load, app

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment
    from typedseg.engine.optim.preview import Curves
    from typedseg.engine.optim.schedulers import PlainGroups


class ScheduleFormat(str, Enum):
    text = "text"
    json = "json"


@app.command()
def schedule(
    file: Annotated[
        Path, typer.Argument(help="Config file (.py, .yaml, .yml, .json), or an MMSegmentation config.")
    ],
    iters_per_epoch: Annotated[
        int | None,
        typer.Option(
            "--iters-per-epoch",
            min=1,
            help="Iterations per epoch (len(train_dataloader)); needed by epoch loops and convert_to_iter_based.",
        ),
    ] = None,
    output: Annotated[ScheduleFormat, typer.Option("--format", help="text: a table; json: every value.")] = (
        ScheduleFormat.text
    ),
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the lr curves into this PNG file.")
    ] = None,
    param_groups: Annotated[
        bool,
        typer.Option(
            "--param-groups",
            help="Build the model (imports torch) and show the optimizer's real param groups, checking "
            "paramwise_cfg against the model's parameter names.",
        ),
    ] = False,
    overrides: SetOption = None,
    allow_import: AllowImportOption = None,
) -> None:
    """Print (or plot) the lr and momentum at every iteration, as the param_scheduler list sets them."""
    from typedseg.engine.optim.preview import compute_curves
    from typedseg.problems import ConfigError

    try:
        experiment = _load(file, overrides, _allowed(allow_import)).experiment
        groups = _model_groups(experiment) if param_groups else None
        curves = compute_curves(experiment, iters_per_epoch=iters_per_epoch, groups=groups)
    except (
        ConfigError
    ) as exc:  # run-time problems (from the schedulers, the model) carry no line: name the file
        raise _fail([p if p.file else p.at(str(file), None) for p in exc.problems]) from None
    if output is ScheduleFormat.json:
        sys.stdout.write(json.dumps(curves.as_json()) + "\n")
    else:
        sys.stdout.write(schedule_table(experiment, curves))
    if plot is not None:
        from typedseg.engine.optim.plot import write_png

        write_png(curves, plot)
        typer.echo(f"wrote {plot}", err=True)


def _model_groups(experiment: "Experiment") -> "tuple[list[str], PlainGroups] | None":
    """The real param groups: the model built on CPU without loading weights, grouped by the constructor."""
    from typedseg.engine.optim.constructors import build_param_groups
    from typedseg.engine.optim.preview import real_groups
    from typedseg.models import build_model

    if experiment.optim_wrapper is None or experiment.model is None:
        return None
    model = build_model(experiment.model, init_weights=False)
    plan = build_param_groups(experiment.optim_wrapper, model)
    labels, target = real_groups(experiment.optim_wrapper, plan.groups)
    for index, names in enumerate(plan.names):  # a per-tensor group is named by its parameter
        if len(names) == 1 and labels[index] == str(index):
            labels[index] = names[0]
    return labels, target


def distinct_curves(curves: "Curves") -> list[tuple[str, int]]:
    """(label, group index) per distinct lr curve, in group order; a label counts the groups that share it."""
    firsts: dict[tuple[float, ...], list[int]] = {}
    for index, values in enumerate(curves.lr):
        firsts.setdefault(tuple(values), []).append(index)
    columns = []
    for indices in firsts.values():
        label = curves.labels[indices[0]]
        columns.append((label if len(indices) == 1 else f"{label} +{len(indices) - 1}", indices[0]))
    return columns


def schedule_table(experiment: "Experiment", curves: "Curves", rows: int = 12) -> str:
    """A header with the schedulers' windows, then the values at evenly spaced iterations and window edges."""
    from typedseg.engine.optim.schedulers import Steps

    ipe = curves.iters_per_epoch
    steps = Steps(ipe, curves.max_iters, curves.max_iters // ipe if curves.epoch_based and ipe else None)
    marks = {0, curves.max_iters - 1}
    marks |= {round(i * (curves.max_iters - 1) / rows) for i in range(rows + 1)}
    lines = [
        f"{curves.max_iters} iterations"
        + (f", {curves.iters_per_epoch} per epoch" if curves.epoch_based else "")
    ]
    for index, cfg in enumerate(experiment.param_scheduler):
        begin, end, by_epoch, _ = steps.window(cfg, index)
        unit = "epochs" if by_epoch else "iterations"
        lines.append(f"  param_scheduler[{index}] {cfg.type} ({cfg.param}): [{begin}, {end}) {unit}")
        if not by_epoch:
            marks |= {begin, end - 1}
        elif curves.epoch_based and curves.iters_per_epoch:
            marks |= {begin * curves.iters_per_epoch, end * curves.iters_per_epoch - 1}
    columns = distinct_curves(curves)
    shown = columns[:4]
    header = ["iter"] + [f"lr[{label}]" for label, _ in shown]
    if curves.momentum is not None:
        header.append("momentum")
    table = [header]
    for iteration in sorted(mark for mark in marks if 0 <= mark < curves.max_iters):
        row = [str(iteration)] + [f"{curves.lr[g][iteration]:.6g}" for _, g in shown]
        if curves.momentum is not None:
            row.append(f"{curves.momentum[0][iteration]:.6g}")
        table.append(row)
    widths = [max(len(row[c]) for row in table) for c in range(len(header))]
    lines.append("")
    lines += ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in table]
    if len(columns) > len(shown):
        lines.append(
            f"({len(columns) - len(shown)} more distinct lr curves: --format json shows every group)"
        )
    return "\n".join(lines) + "\n"
