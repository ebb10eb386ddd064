"""Presets: plain functions that return typed config sections — the explicit replacement for `configs/_base_/`.

Compose them by calling them and passing their sections to `Experiment(...)`; change a value with
`typedseg.config.replace.replace(...)`, which validates again. There is no hidden merging anywhere.
"""

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

__all__ = [
    "RuntimeSections",
    "ScheduleSections",
    "default_runtime",
    "iter_schedule",
    "schedule_20k",
    "schedule_40k",
    "schedule_80k",
    "schedule_160k",
    "schedule_320k",
]
