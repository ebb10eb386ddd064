"""The top-level model: one experiment, every section typed, cross-field rules checked on construction."""

from typing import TYPE_CHECKING, Annotated, Any, Literal, Optional

from pydantic import BeforeValidator, model_validator

from typedseg.config.base import SCHEMA_MODE, ConfigModel, Rules, Seq
from typedseg.config.data import DataLoaderConfig
from typedseg.config.evaluation import EvaluatorConfig
from typedseg.config.hooks import DefaultHooks
from typedseg.config.lazy import LazyUnion
from typedseg.config.loops import TestLoop, TrainLoopConfig, ValLoop
from typedseg.config.model_wrapper import MMDistributedDataParallel
from typedseg.config.optim import OptimWrapperConfig
from typedseg.config.runtime import (
    AutoScaleLR,
    EnvConfig,
    Launcher,
    LogLevel,
    LogProcessor,
    RandomnessConfig,
    VisualizerConfig,
)
from typedseg.config.unions import CustomHookConfig, ModelConfig, SchedulerConfig, TransformConfig

if TYPE_CHECKING or SCHEMA_MODE:
    from typedseg.config.models.segmentor import SegTTAModel as TTAModelConfig
else:  # loads only for configs that use test-time augmentation
    TTAModelConfig = Annotated[Any, LazyUnion("typedseg.config.models.segmentor", frozenset({"SegTTAModel"}))]


def _one_or_many(value: Any) -> Any:
    # MMEngine accepts a single scheduler dict where a list is meant.
    return [value] if isinstance(value, dict) else value


class Experiment(ConfigModel):
    """A whole training/evaluation experiment: MMEngine's top-level config keys, typed.

    Construction checks every field and then the cross-field rules (scheduler windows against the run length,
    by_epoch against the loop type, save_best against the evaluator's metrics, ...), so an `Experiment` that
    exists is one that `typedseg validate` accepts.
    """

    schema_version: Literal[1] = 1
    """Version of this schema; saved configs carry it so that later versions can migrate them."""
    model: Optional[ModelConfig] = None  # Optional: jedi completes nothing after `ModelConfig | None`
    """The segmentation model (EncoderDecoder: data preprocessor, backbone, neck, heads, inference mode)."""
    work_dir: str | None = None
    """Where checkpoints and logs go; None means `work_dirs/<config file stem>`."""

    train_dataloader: DataLoaderConfig | None = None
    """Training data. Set together with train_cfg and optim_wrapper, or none of them."""
    train_cfg: TrainLoopConfig | None = None
    """The training loop."""
    optim_wrapper: OptimWrapperConfig | None = None
    """Optimizer, gradient accumulation/clipping and mixed precision."""
    param_scheduler: Annotated[Seq[SchedulerConfig], BeforeValidator(_one_or_many)] = ()
    """Learning-rate/momentum schedules, applied in order (windows compound where they overlap)."""
    auto_scale_lr: AutoScaleLR | None = None
    """Scale the lr with the total batch size."""

    val_dataloader: DataLoaderConfig | None = None
    """Validation data. Set together with val_cfg and val_evaluator, or none of them."""
    val_cfg: ValLoop | None = None
    """The validation loop."""
    val_evaluator: EvaluatorConfig | None = None
    """Validation metrics."""

    test_dataloader: DataLoaderConfig | None = None
    """Test data. Set together with test_cfg and test_evaluator, or none of them."""
    test_cfg: TestLoop | None = None
    """The test loop."""
    test_evaluator: EvaluatorConfig | None = None
    """Test metrics."""

    default_hooks: DefaultHooks = DefaultHooks()
    """The named default hooks (timer, logger, checkpoint, ...)."""
    custom_hooks: Seq[CustomHookConfig] = ()
    """More hooks, ours or the user's own."""

    load_from: str | None = None
    """Checkpoint to load weights from (or to resume from when resume=True)."""
    resume: bool = False
    """Resume training state; with load_from=None, from the work_dir's last checkpoint."""
    launcher: Launcher = "none"
    """How processes were started: 'none' for one process, 'pytorch' for torchrun."""
    find_unused_parameters: bool = False
    """On several processes, let DistributedDataParallel find the parameters an iteration did not use (MMEngine's
    top-level key); read only when model_wrapper_cfg is None."""
    model_wrapper_cfg: MMDistributedDataParallel | None = None
    """DistributedDataParallel's options on several processes; None: MMEngine's (broadcast_buffers=False,
    find_unused_parameters from the top-level key)."""
    env_cfg: EnvConfig = EnvConfig()
    """Process environment."""
    randomness: RandomnessConfig = RandomnessConfig()
    """Seeding and determinism."""
    log_processor: LogProcessor = LogProcessor()
    """Log smoothing and formatting."""
    log_level: LogLevel = "INFO"
    """Logging level."""
    visualizer: VisualizerConfig | None = None
    """Scalar and image logging backends."""
    default_scope: str | None = "mmengine"
    """MMEngine's registry scope, kept for round trips; typedseg has no registries."""
    experiment_name: str | None = None
    """Run name; None uses the config file's stem."""
    tta_model: TTAModelConfig | None = None
    """The wrapper that merges test-time-augmented predictions (`typedseg test --tta`)."""
    tta_pipeline: Seq[TransformConfig] | None = None
    """The test pipeline used with tta_model (its TestTimeAug step lists the alternatives)."""

    @model_validator(mode="after")
    def _cross_field_rules(self) -> "Experiment":
        from typedseg.config.rules.experiment import check_experiment

        rules = Rules()
        rules.problems.extend(p for p in check_experiment(self) if p.is_error)
        rules.raise_if_any()
        return self
