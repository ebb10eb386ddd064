"""`as_kwargs` of the preset section bundles: the preset's sections, with the ones you give instead.

`Experiment(**schedule_80k().as_kwargs(optim_wrapper=mine), ...)` keeps the schedule's loops, hooks and lr
schedule and uses your optimizer wrapper. Only the bundle's own sections can be replaced (a name it lacks is a
TypeError, as Python's own for a mistyped keyword); anything else goes to `Experiment(...)` directly, where giving
a section twice stays Python's "multiple values" error. Nothing is merged inside a section.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import fields
from typing import Any


def section_kwargs(bundle: Any, yours: Mapping[str, Any], leave_out: Collection[str] = ()) -> dict[str, Any]:
    """The keyword arguments of `bundle` (a preset's dataclass of sections) with `yours` replacing its own."""
    own = {f.name: getattr(bundle, f.name) for f in fields(bundle) if f.name not in leave_out}
    unknown = [name for name in yours if name not in own]
    if unknown:
        raise TypeError(
            f"{type(bundle).__name__}.as_kwargs() got {unknown[0]!r}, which is not one of its sections "
            f"({', '.join(own)}); pass it to Experiment(...) directly."
        )
    return {**own, **yours}
