"""`typedseg run` and `typedseg test`: train or evaluate a config on the engine (typedseg.engine.Runner).

Exit codes: 0 done; 2 the config or the setup has a problem a person must fix (nothing was trained: an invalid
config, a missing data folder, a CUDA setting on a CPU machine, a checkpoint of another model); 1 training had to
stop (a non-finite loss, a checkpoint that could not be written); 143 stopped by SIGTERM after saving a
checkpoint. torch is imported inside the commands only.
"""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .distributed import (
    LauncherOption,
    MasterAddrOption,
    MasterPortOption,
    NnodesOption,
    NodeRankOption,
    NprocOption,
    RdzvEndpointOption,
    RdzvTimeoutOption,
    is_secondary_rank,
    worker_argv,
)
from .main import AllowImportOption, SetOption, _allowed, _fail, app

ResumeCheckpoint = Annotated[
    Path | None,
    typer.Argument(
        help="With --resume: the checkpoint to resume from (default: the work_dir's last valid one).",
        show_default=False,
    ),
]


def _load(
    config: Path, overrides: list[str], *, mmseg: bool, allow_import: list[str]
) -> tuple[Any, str | None, Any]:
    """The validated experiment, the text saved beside the logs and where the file writes each field path
    (None for an imported MMSegmentation config); a ConfigError for an invalid config."""
    from typedseg.loading.dump import to_python
    from typedseg.migrate.detect import is_mmengine_config
    from typedseg.problems import ConfigError

    if mmseg or is_mmengine_config(config):
        from typedseg.loading.overrides import apply_overrides
        from typedseg.migrate.importer import import_mmengine_config

        result = import_mmengine_config(config)
        if not result.imported:
            raise ConfigError(result.errors or result.problems)
        experiment = apply_overrides(result.experiment, overrides)
        locate = None
    else:
        from typedseg.loading import load_config

        loaded = load_config(config, overrides, allow_import=allow_import)
        experiment, locate = loaded.experiment, loaded.locate
    try:
        text: str | None = to_python(experiment, source=str(config))
    except Exception:  # a user's type without a Python form: the runner saves the JSON form
        text = None
    return experiment, text, locate


def _with_amp(experiment: Any) -> Any:
    """MMSeg's `--amp`: an OptimWrapper becomes an AmpOptimWrapper with loss_scale='dynamic'."""
    from typedseg.config.optim import AmpOptimWrapper, OptimWrapper
    from typedseg.config.replace import replace
    from typedseg.problems import ConfigError, Problem

    wrapper = experiment.optim_wrapper
    if isinstance(wrapper, AmpOptimWrapper):
        return experiment
    if not isinstance(wrapper, OptimWrapper):
        raise ConfigError(
            [Problem("invalid-value", ("optim_wrapper",), "--amp needs an optim_wrapper to convert.")]
        )
    fields = {name: getattr(wrapper, name) for name in wrapper.model_fields_set if name != "type"}
    return replace(experiment, optim_wrapper=AmpOptimWrapper(**fields, loss_scale="dynamic"))


def _at(problems: list[Any], config: Path, locate: Any = None) -> list[object]:
    """Problems found while starting a run, shown where the config writes their field path (`locate`), else at
    the config file, when they name no other file."""

    def place(problem: Any) -> object:
        if problem.file is not None:
            return problem
        where = locate(problem.path) if locate is not None and problem.path else None
        return problem.at(*where) if where else problem.at(str(config), None)

    return [place(p) for p in problems]


def _print_dry_run(runner: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    hooks = Table(title="Hooks by stage (in call order)")
    hooks.add_column("stage")
    hooks.add_column("hook")
    hooks.add_column("priority", justify="right")
    for stage, entries in runner.hooks.by_stage():
        for index, (name, priority) in enumerate(entries):
            hooks.add_row(stage if index == 0 else "", name, str(priority))
    console.print(hooks)
    groups = Table(title="Parameter groups")
    for column in ("names", "lr", "weight_decay", "count"):
        groups.add_column(column, justify="left" if column == "names" else "right")
    for row in runner.param_groups():
        groups.add_row(row.pattern, f"{row.lr:.6g}", f"{row.weight_decay:.6g}", str(row.count))
    console.print(groups)


@app.command()
def run(
    config: Annotated[
        Path, typer.Argument(help="Config file (.py, .yaml, .json), or an MMSegmentation config.")
    ],
    checkpoint: ResumeCheckpoint = None,
    work_dir: Annotated[
        Path | None, typer.Option("--work-dir", help="Where checkpoints and logs go.")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Resume training: --resume [CKPT] (default: the last valid one).")
    ] = False,
    overrides: SetOption = None,
    amp: Annotated[
        bool, typer.Option("--amp", help="Mixed precision: OptimWrapper -> AmpOptimWrapper.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Build everything, print hooks and parameter groups, then stop.")
    ] = False,
    mmseg: Annotated[bool, typer.Option("--mmseg", help="Read CONFIG as an MMSegmentation config.")] = False,
    skip_nonfinite: Annotated[
        bool, typer.Option("--skip-nonfinite", help="Skip a step whose loss is NaN/inf instead of stopping.")
    ] = False,
    allow_import: AllowImportOption = None,
    nproc: NprocOption = None,
    nnodes: NnodesOption = 1,
    node_rank: NodeRankOption = 0,
    master_addr: MasterAddrOption = None,
    master_port: MasterPortOption = None,
    rdzv_endpoint: RdzvEndpointOption = None,
    rdzv_timeout: RdzvTimeoutOption = 900,
    launcher: LauncherOption = None,
) -> None:
    """Train a config: build everything, check it before iteration 0, then run MMEngine's loops and hooks."""
    from typedseg.problems import ConfigError

    if checkpoint is not None and not resume:
        typer.echo(f"unexpected argument {checkpoint}: a checkpoint goes after --resume.", err=True)
        raise typer.Exit(code=2)
    secondary = is_secondary_rank()
    try:
        experiment, text, locate = _load(
            config, overrides or [], mmseg=mmseg, allow_import=_allowed(allow_import)
        )
        if amp:
            experiment = _with_amp(experiment)
    except ConfigError as exc:
        raise (typer.Exit(code=2) if secondary else _fail(list(exc.problems))) from None
    resolved_work_dir = work_dir or experiment.work_dir or Path("work_dirs") / config.stem
    if (nproc is not None or nnodes > 1) and not dry_run:  # this process launches the workers
        from typedseg.engine.launch import LaunchOptions, launch

        options = LaunchOptions(
            nproc=nproc or 1,
            nnodes=nnodes,
            node_rank=node_rank,
            master_addr=master_addr,
            master_port=master_port,
            rdzv_endpoint=rdzv_endpoint,
            rdzv_timeout=rdzv_timeout,
        )
        argv = worker_argv(
            config,
            work_dir=Path(resolved_work_dir),
            checkpoint=checkpoint,
            resume=resume,
            overrides=overrides or [],
            amp=amp,
            mmseg=mmseg,
            skip_nonfinite=skip_nonfinite,
            allow_import=allow_import or [],
        )
        try:
            import torch

            from typedseg.engine.dist import check_backend
            from typedseg.engine.launch import check_options

            check_options(options)
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
            check_backend(experiment.env_cfg.dist_cfg.backend, device)  # before any worker starts
            code = launch(options, argv)
        except ConfigError as exc:
            raise _fail(_at(exc.problems, config, locate)) from None
        raise typer.Exit(code=code)
    if launcher is not None:
        from typedseg.config.replace import replace

        experiment = replace(experiment, launcher=launcher)
    from typedseg.engine.errors import TrainingFault, TrainingInterrupted
    from typedseg.engine.runner import Runner

    runner = Runner(
        experiment,
        work_dir=resolved_work_dir,
        resume=(checkpoint or True) if resume else None,
        on_nonfinite="skip" if skip_nonfinite else "stop",
        config_text=text,
    )
    try:
        if dry_run:
            state, hooks, *_ = runner.build_for_training(dry_run=True)
            hooks.call("after_run", state)
            _print_dry_run(runner)
            return
        runner.train()
        if runner.last_metrics and not secondary:
            sys.stdout.write(f"final validation metrics:\n{_summary_table(runner.last_metrics)}\n")
    except ConfigError as exc:
        raise (typer.Exit(code=2) if secondary else _fail(_at(exc.problems, config, locate))) from None
    except TrainingFault as exc:
        if not secondary:
            typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from None
    except TrainingInterrupted as exc:
        if not secondary:
            typer.echo(str(exc), err=True)
        raise typer.Exit(code=143) from None
    finally:
        from typedseg.engine.logs import close_logger

        close_logger()


@app.command()
def test(
    config: Annotated[
        Path, typer.Argument(help="Config file (.py, .yaml, .json), or an MMSegmentation config.")
    ],
    checkpoint: Annotated[
        Path, typer.Option("--checkpoint", help="Weights to evaluate (typedseg or MMEngine).")
    ],
    work_dir: Annotated[Path | None, typer.Option("--work-dir", help="Where the logs go.")] = None,
    overrides: SetOption = None,
    mmseg: Annotated[bool, typer.Option("--mmseg", help="Read CONFIG as an MMSegmentation config.")] = False,
    tta: Annotated[
        bool, typer.Option("--tta", help="Test-time augmentation: the config's tta_pipeline and tta_model.")
    ] = False,
    allow_import: AllowImportOption = None,
) -> None:
    """Evaluate a checkpoint on the config's test set; prints the per-class table and the metrics."""
    from typedseg.problems import ConfigError

    locate = None
    try:
        experiment, text, locate = _load(
            config, overrides or [], mmseg=mmseg, allow_import=_allowed(allow_import)
        )
        from typedseg.engine.runner import Runner

        runner = Runner(
            experiment,
            work_dir=work_dir or experiment.work_dir or Path("work_dirs") / config.stem,
            config_text=text,
        )
        metrics = runner.test(checkpoint, tta=tta)
    except ConfigError as exc:
        raise _fail(_at(exc.problems, config, locate)) from None
    sys.stdout.write(_summary_table(metrics) + "\n")


def _summary_table(metrics: dict[str, float]) -> str:
    """The metrics as one row under their names (the per-class table is in the log above it)."""
    cells = [f"{value:.2f}" for value in metrics.values()]
    widths = [max(len(name), len(cell)) for name, cell in zip(metrics, cells, strict=True)]
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(row: list[str]) -> str:
        return "|" + "|".join(f" {c:>{w}} " for c, w in zip(row, widths, strict=True)) + "|"

    return "\n".join([rule, line(list(metrics)), rule, line(cells), rule])
