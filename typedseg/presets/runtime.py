"""MMSegmentation's `_base_/default_runtime.py`, as a function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typedseg.config.runtime import (
    DistConfig,
    EnvConfig,
    LocalVisBackend,
    LogLevel,
    LogProcessor,
    MultiProcessingConfig,
    SegLocalVisualizer,
)
from typedseg.presets.sections import section_kwargs

if TYPE_CHECKING:
    from typedseg.config.models.segmentor import SegTTAModel


@dataclass(frozen=True)
class RuntimeSections:
    """The runtime sections of an experiment; pass them on with `Experiment(**sections.as_kwargs(), ...)`.

    `tta_model` is MMSeg's `SegTTAModel`, as in its default_runtime; it only acts with a `tta_pipeline` (the
    dataset presets give one). `as_kwargs(log_level="DEBUG", ...)` uses your sections instead of these.
    """

    default_scope: str
    env_cfg: EnvConfig
    visualizer: SegLocalVisualizer
    log_processor: LogProcessor
    log_level: LogLevel
    load_from: str | None
    resume: bool
    tta_model: SegTTAModel

    def as_kwargs(self, **yours: Any) -> dict[str, Any]:
        """Every section as `Experiment` keyword arguments; the sections in `yours` replace these."""
        return section_kwargs(self, yours)


def default_runtime() -> RuntimeSections:
    """cuDNN benchmark on, fork workers, NCCL, a local visualizer, iteration-style logs, SegTTAModel."""
    from typedseg.config.models.segmentor import SegTTAModel  # the model family loads on first use

    return RuntimeSections(
        default_scope="mmseg",
        env_cfg=EnvConfig(
            cudnn_benchmark=True,
            mp_cfg=MultiProcessingConfig(mp_start_method="fork", opencv_num_threads=0),
            dist_cfg=DistConfig(backend="nccl"),
        ),
        visualizer=SegLocalVisualizer(name="visualizer", vis_backends=[LocalVisBackend()]),
        log_processor=LogProcessor(by_epoch=False),
        log_level="INFO",
        load_from=None,
        resume=False,
        tta_model=SegTTAModel(),
    )
