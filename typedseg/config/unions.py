"""The big unions of an experiment, in two views: lazy for validating, real for type checkers and the schema.

Validating uses `LazyUnion` (see typedseg.config.lazy): a config pays only for the schedulers, optimizers and
hooks it names, and for the model and dataset families only when it has those sections; importing this module
imports none of them. Type checkers, editors and the JSON Schema export (`TYPEDSEG_FIELD_DOCS=1`) see the real
tagged unions of the family modules. The tag lists below are checked against those unions by
tests/config/test_unions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from typedseg.config.base import SCHEMA_MODE
from typedseg.config.lazy import LazyUnion

__all__ = [
    "DATASET_TAGS",
    "HOOK_TAGS",
    "MODEL_TAGS",
    "OPTIMIZER_TAGS",
    "SCHEDULER_TAGS",
    "TRANSFORM_TAGS",
    "CustomHookConfig",
    "DatasetConfig",
    "ModelConfig",
    "OptimizerConfig",
    "SchedulerConfig",
    "TransformConfig",
]

SCHEDULER_TAGS = frozenset(
    f"{family}{kind}"
    for family in (
        "Constant",
        "Linear",
        "Exponential",
        "Step",
        "MultiStep",
        "Poly",
        "CosineAnnealing",
        "CosineRestart",
        "ReduceOnPlateau",
    )
    for kind in ("LR", "Momentum", "ParamScheduler")
) | {"OneCycleLR", "OneCycleParamScheduler", "PolyLRRatio"}

OPTIMIZER_TAGS = frozenset(
    {
        "ASGD",
        "Adadelta",
        "Adagrad",
        "Adam",
        "AdamW",
        "Adamax",
        "LBFGS",
        "Muon",
        "NAdam",
        "RAdam",
        "RMSprop",
        "Rprop",
        "SGD",
        "SparseAdam",
        "TorchAdafactor",
    }
)

HOOK_TAGS = frozenset(
    {
        "RuntimeInfoHook",
        "IterTimerHook",
        "DistSamplerSeedHook",
        "LoggerHook",
        "ParamSchedulerHook",
        "CheckpointHook",
        "EMAHook",
        "EmptyCacheHook",
        "SyncBuffersHook",
        "EarlyStoppingHook",
        "ProfilerHook",
        "SegVisualizationHook",
    }
)

MODEL_TAGS = frozenset({"EncoderDecoder"})
TRANSFORM_TAGS = frozenset(
    {
        "LoadImageFromFile",
        "LoadAnnotations",
        "Resize",
        "RandomResize",
        "RandomCrop",
        "RandomFlip",
        "Pad",
        "PhotoMetricDistortion",
        "PackSegInputs",
        "TestTimeAug",
    }
)
DATASET_TAGS = frozenset(
    {
        "BaseSegDataset",
        "ADE20KDataset",
        "CityscapesDataset",
        "PascalVOCDataset",
        "ConcatDataset",
        "RepeatDataset",
    }
)

if TYPE_CHECKING or SCHEMA_MODE:
    from typedseg.config.datasets._tagged import DatasetConfig
    from typedseg.config.hooks._tagged import CustomHookConfig
    from typedseg.config.models.segmentor import ModelConfig
    from typedseg.config.optimizers._tagged import OptimizerConfig
    from typedseg.config.schedulers._tagged import SchedulerConfig
    from typedseg.config.transforms import TransformConfig
else:
    SchedulerConfig = Annotated[Any, LazyUnion("typedseg.config.schedulers", SCHEDULER_TAGS, "UserScheduler")]
    OptimizerConfig = Annotated[Any, LazyUnion("typedseg.config.optimizers", OPTIMIZER_TAGS, "UserOptimizer")]
    CustomHookConfig = Annotated[Any, LazyUnion("typedseg.config.hooks", HOOK_TAGS, "UserHook")]
    ModelConfig = Annotated[Any, LazyUnion("typedseg.config.models.segmentor", MODEL_TAGS, "UserModel")]
    DatasetConfig = Annotated[Any, LazyUnion("typedseg.config.datasets", DATASET_TAGS, "UserDataset")]
    TransformConfig = Annotated[Any, LazyUnion("typedseg.config.transforms", TRANSFORM_TAGS, "UserTransform")]
