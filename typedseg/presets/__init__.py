"""Presets: plain functions that return typed config sections — the explicit replacement for `configs/_base_/`.

Compose them by calling them and passing their sections to `Experiment(...)`; change a value with
`typedseg.config.replace.replace(...)`, which validates again. There is no hidden merging anywhere.

The model and dataset presets load their config families on first use, so a config that only takes the runtime
and a schedule from here does not pay for importing them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from typedseg.presets.runtime import RuntimeSections, default_runtime
from typedseg.presets.schedules import (
    ScheduleSections,
    iter_schedule,
    schedule_20k,
    schedule_40k,
    schedule_80k,
    schedule_160k,
    schedule_320k,
)

if TYPE_CHECKING:
    from typedseg.presets.datasets import (
        DatasetSections,
        ade20k,
        cityscapes,
        cityscapes_769x769,
        pascal_voc12,
    )
    from typedseg.presets.models import (
        CONVNEXT_CHECKPOINTS,
        MIT_CHECKPOINTS,
        deeplabv3_r50_d8,
        deeplabv3plus_r50_d8,
        fcn_r50_d8,
        fcn_unet_s5_d16,
        segformer_mit,
        segformer_mit_b0,
        segformer_mit_b1,
        segformer_mit_b2,
        upernet_convnext,
    )

_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("DatasetSections", "ade20k", "cityscapes", "cityscapes_769x769", "pascal_voc12"),
        "typedseg.presets.datasets",
    ),
    **dict.fromkeys(
        (
            "CONVNEXT_CHECKPOINTS",
            "MIT_CHECKPOINTS",
            "deeplabv3_r50_d8",
            "deeplabv3plus_r50_d8",
            "fcn_r50_d8",
            "fcn_unet_s5_d16",
            "segformer_mit",
            "segformer_mit_b0",
            "segformer_mit_b1",
            "segformer_mit_b2",
            "upernet_convnext",
        ),
        "typedseg.presets.models",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CONVNEXT_CHECKPOINTS",
    "MIT_CHECKPOINTS",
    "DatasetSections",
    "RuntimeSections",
    "ScheduleSections",
    "ade20k",
    "cityscapes",
    "cityscapes_769x769",
    "deeplabv3_r50_d8",
    "deeplabv3plus_r50_d8",
    "default_runtime",
    "fcn_r50_d8",
    "fcn_unet_s5_d16",
    "iter_schedule",
    "pascal_voc12",
    "schedule_20k",
    "schedule_40k",
    "schedule_80k",
    "schedule_160k",
    "schedule_320k",
    "segformer_mit",
    "segformer_mit_b0",
    "segformer_mit_b1",
    "segformer_mit_b2",
    "upernet_convnext",
]
