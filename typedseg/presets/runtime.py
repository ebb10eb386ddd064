"""MMSegmentation's `_base_/default_runtime.py`, as a function."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from typedseg.config.runtime import (
    DistConfig,
    EnvConfig,
    LocalVisBackend,
    LogLevel,
    LogProcessor,
    MultiProcessingConfig,
    SegLocalVisualizer,
)


@dataclass(frozen=True)
class RuntimeSections:
    """The runtime sections of an experiment; pass them on with `Experiment(**sections.as_kwargs(), ...)`."""

    default_scope: str
    env_cfg: EnvConfig
    visualizer: SegLocalVisualizer
    log_processor: LogProcessor
    log_level: LogLevel
    load_from: str | None
    resume: bool

    def as_kwargs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in asdict(self)}


def default_runtime() -> RuntimeSections:
    """cuDNN benchmark on, fork workers, NCCL, a local visualizer, iteration-style logs."""
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
    )
