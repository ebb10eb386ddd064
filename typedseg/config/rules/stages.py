"""A stage that would run needs a model: reported by `validate`, not when `typedseg run` starts.

MMEngine's Runner requires `model` whatever it runs, and takes its stages all-or-none: train_dataloader,
train_cfg and optim_wrapper for training, the dataloader, loop config and evaluator for validation and for
testing. A complete stage is one the Runner would run, so it needs a model. A partial stage is already
reported as `*-incomplete` and does not count here (the fix may well be to remove it). A config with no
complete stage (a fragment, or a schedule previewed with `typedseg schedule`) may leave the model out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typedseg.problems import Problem

if TYPE_CHECKING:
    from typedseg.config.experiment import Experiment

STAGES: dict[str, tuple[str, str, str]] = {
    "train": ("train_dataloader", "train_cfg", "optim_wrapper"),
    "val": ("val_dataloader", "val_cfg", "val_evaluator"),
    "test": ("test_dataloader", "test_cfg", "test_evaluator"),
}
"""Each stage and its sections, in the order MMEngine's Runner checks them."""


def complete_stages(exp: Experiment) -> list[str]:
    """The stages whose sections are all set: the ones a Runner would run."""
    return [
        stage
        for stage, sections in STAGES.items()
        if all(getattr(exp, section) is not None for section in sections)
    ]


def check_stages_have_a_model(exp: Experiment) -> list[Problem]:
    """`model` missing while a complete stage is configured."""
    if exp.model is not None:
        return []
    stages = complete_stages(exp)
    if not stages:
        return []
    if len(stages) == 1:
        sections = ", ".join(STAGES[stages[0]])
        what = f"the {stages[0]} stage is configured ({sections}), but there is no model to run it"
    else:
        names = f"{', '.join(stages[:-1])} and {stages[-1]}"
        what = f"the {names} stages are configured, but there is no model to run them"
    return [
        Problem(
            "stage-without-model",
            ("model",),
            f"{what}: MMEngine's Runner cannot start without one.",
            "Add a model (a preset from typedseg.presets.models, an EncoderDecoder, or your UserModel), "
            "or remove the sections of the stages you do not run.",
        )
    ]
