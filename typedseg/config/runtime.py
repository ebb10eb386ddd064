"""Runtime settings: environment, randomness, logging, visualization backends and LR auto-scaling."""

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import Field, JsonValue

from typedseg.config.base import SCHEMA_MODE, ConfigModel, Seq, discriminate
from typedseg.config.lazy import LazyUnion, tagged_union, tags_of

Launcher = Literal["none", "pytorch", "slurm", "mpi"]
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class MultiProcessingConfig(ConfigModel):
    """How dataloader worker processes start (MMEngine's `env_cfg.mp_cfg`)."""

    mp_start_method: Literal["fork", "spawn", "forkserver"] = "fork"
    """Start method of worker processes."""
    opencv_num_threads: Annotated[int, Field(ge=0)] = 0
    """OpenCV threads per process; 0 avoids oversubscription with many workers."""


class DistConfig(ConfigModel):
    """How the distributed process group starts (MMEngine's `env_cfg.dist_cfg`)."""

    backend: Literal["nccl", "gloo", "mpi", "hccl", "cncl", "mccl"] = "nccl"
    """torch.distributed backend; 'gloo' for CPU-only runs."""
    timeout: Annotated[int, Field(gt=0)] | None = None
    """Collective timeout in seconds (None: torch's default, 30 minutes)."""
    init_backend: Literal["torch"] = "torch"
    """Who initialises the process group. typedseg uses torch.distributed only."""


class EnvConfig(ConfigModel):
    """Process environment (MMEngine's `env_cfg`)."""

    cudnn_benchmark: bool = False
    """Let cuDNN pick the fastest kernels for fixed input sizes (not bit-reproducible)."""
    mp_cfg: MultiProcessingConfig = MultiProcessingConfig()
    """Worker-process settings."""
    dist_cfg: DistConfig = DistConfig()
    """Distributed settings."""
    resource_limit: Annotated[int, Field(gt=0)] = 4096
    """Soft limit on open files (RLIMIT_NOFILE), raised for many dataloader workers."""


class RandomnessConfig(ConfigModel):
    """Seeding and determinism (MMEngine's `randomness`)."""

    seed: Annotated[int, Field(ge=0, lt=2**32)] | None = None
    """Global seed; None draws one at random (and records it in the checkpoint)."""
    diff_rank_seed: bool = False
    """Add the rank to the seed so that each process draws different augmentations."""
    deterministic: bool = False
    """Use deterministic algorithms (slower; needed for bit-exact reruns on GPU)."""


class CustomLogConfig(ConfigModel):
    """One extra smoothed value in the log (MMEngine's `log_processor.custom_cfg` entry)."""

    data_src: str
    """The logged scalar to read, e.g. 'loss'."""
    method_name: Literal["mean", "min", "max", "current"]
    """How to reduce the window."""
    window_size: Annotated[int, Field(gt=0)] | Literal["epoch", "global"] = 10
    """Window in iterations, or the whole epoch / run."""
    log_name: str | None = None
    """Name to log under (defaults to data_src, which then replaces the original)."""


class LogProcessor(ConfigModel):
    """How logged scalars are smoothed and formatted (MMEngine's `log_processor`)."""

    type: Literal["LogProcessor"] = "LogProcessor"
    window_size: Annotated[int, Field(gt=0)] = 10
    """Iterations over which matching scalars are averaged."""
    by_epoch: bool = True
    """Format progress as epochs (epoch-based loops) or iterations."""
    custom_cfg: Seq[CustomLogConfig] | None = None
    """Extra smoothed values."""
    num_digits: Annotated[int, Field(ge=0)] = 4
    """Significant digits of logged floats."""
    log_with_hierarchy: bool = False
    """Log `train/loss` rather than `loss` to visualization backends."""
    mean_pattern: str = r".*(loss|time|data_time|grad_norm).*"
    """Scalars whose names match are averaged over the window; others are logged as they are."""


class LocalVisBackend(ConfigModel):
    """Writes scalars (`scalars.json`, JSON lines), the config and images under the run's `vis_data/`."""

    type: Literal["LocalVisBackend"] = "LocalVisBackend"
    save_dir: str | None = None
    """Root folder; None puts it under the run's log directory."""
    img_save_dir: str = "vis_image"
    """Image sub-folder."""
    config_save_file: str = "config.py"
    """File name of the saved config."""
    scalar_save_file: str = "scalars.json"
    """File name of the scalar log."""


class TensorboardVisBackend(ConfigModel):
    """Writes scalars and images as TensorBoard event files."""

    type: Literal["TensorboardVisBackend"] = "TensorboardVisBackend"
    save_dir: str | None = None
    """Root folder; None puts it under the run's log directory."""


class WandbVisBackend(ConfigModel):
    """Sends scalars and images to Weights & Biases (needs the `wandb` package at run time)."""

    type: Literal["WandbVisBackend"] = "WandbVisBackend"
    save_dir: str | None = None
    """Local folder for wandb's files."""
    init_kwargs: dict[str, JsonValue] | None = None
    """Arguments to `wandb.init` (project, name, ...)."""
    define_metric_cfg: dict[str, JsonValue] | Seq[dict[str, JsonValue]] | None = None
    """Arguments to `wandb.define_metric` (e.g. summary of a metric)."""
    commit: bool = True
    """Commit each step immediately."""
    log_code_name: str | None = None
    """Name of the code artifact to save; None saves none."""
    watch_kwargs: dict[str, JsonValue] | None = None
    """Arguments to `wandb.watch`."""


_VisBackends: TypeAlias = LocalVisBackend | TensorboardVisBackend | WandbVisBackend
if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    VisBackendConfig: TypeAlias = _VisBackends
else:  # validated member by member: a config builds only the kinds it names (see LazyUnion.of)
    _TaggedVisBackends = tagged_union(_VisBackends)
    _TaggedVisBackendConfig = Annotated[_TaggedVisBackends, discriminate(tags_of(_TaggedVisBackends))]
    VisBackendConfig = (
        _TaggedVisBackendConfig if SCHEMA_MODE else Annotated[Any, LazyUnion.of(_TaggedVisBackendConfig)]
    )


class Visualizer(ConfigModel):
    """MMEngine's generic visualizer: routes scalars and images to its backends."""

    type: Literal["Visualizer"] = "Visualizer"
    name: str = "visualizer"
    """Instance name."""
    vis_backends: Seq[VisBackendConfig] | None = None
    """Where scalars and images go; None means a LocalVisBackend."""
    save_dir: str | None = None
    """Root folder of the backends; None puts it under the run's log directory."""


class SegLocalVisualizer(ConfigModel):
    """MMSegmentation's visualizer: draws predicted and ground-truth masks over the image."""

    type: Literal["SegLocalVisualizer"] = "SegLocalVisualizer"
    name: str = "visualizer"
    """Instance name."""
    vis_backends: Seq[VisBackendConfig] | None = None
    """Where scalars and images go; None means a LocalVisBackend."""
    save_dir: str | None = None
    """Root folder of the backends; None puts it under the run's log directory."""
    classes: Seq[str] | None = None
    """Class names (default: the dataset's)."""
    palette: Seq[tuple[int, int, int]] | None = None
    """One RGB colour per class (default: the dataset's)."""
    dataset_name: str | None = None
    """Take classes and palette from this dataset's metadata."""
    alpha: Annotated[float, Field(ge=0.0, le=1.0)] = 0.8
    """Opacity of the drawn mask."""


_Visualizers: TypeAlias = Visualizer | SegLocalVisualizer
_TaggedVisualizerConfig = Annotated[_Visualizers, Field(discriminator="type")]
if TYPE_CHECKING:  # a plain union: mypy, pyright and jedi all read it (jedi reads no Annotated)
    VisualizerConfig: TypeAlias = _Visualizers
else:  # validated member by member: a config builds only the kinds it names (see LazyUnion.of)
    VisualizerConfig = (
        _TaggedVisualizerConfig if SCHEMA_MODE else Annotated[Any, LazyUnion.of(_TaggedVisualizerConfig)]
    )


class AutoScaleLR(ConfigModel):
    """Scale every lr by `world_size * batch_size / base_batch_size` before training (MMEngine's `auto_scale_lr`)."""

    enable: bool = False
    """Apply the scaling."""
    base_batch_size: Annotated[int, Field(gt=0)]
    """The total batch size the configured lr was tuned for."""
