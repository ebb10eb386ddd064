"""`typedseg test --tta`: MMSegmentation's tools/test.py --tta on the engine. The test dataset reads through
`tta_pipeline` (its TestTimeAug step makes one view per combination), and the trained segmentor is wrapped in the
`tta_model` (SegTTAModel), whose `test_step` predicts every view and merges them per image."""

from __future__ import annotations

from typing import Any

from torch import nn

from typedseg.config.experiment import Experiment
from typedseg.config.replace import replace
from typedseg.engine.errors import RunError


def with_tta_pipeline(experiment: Experiment) -> Experiment:
    """The experiment whose test dataset uses `tta_pipeline` (MMSeg: `test_dataloader.dataset.pipeline =
    tta_pipeline`)."""
    if experiment.tta_model is None or experiment.tta_pipeline is None:
        missing = [name for name in ("tta_model", "tta_pipeline") if getattr(experiment, name) is None]
        raise RunError(
            "tta-not-configured",
            f"--tta needs tta_model and tta_pipeline in the config; it has no {' and no '.join(missing)}.",
            "Add tta_model=SegTTAModel() and a tta_pipeline with a TestTimeAug step (`typedseg new` writes "
            "both), or test without --tta.",
        )
    loader = experiment.test_dataloader
    if loader is None:
        return experiment  # the runner reports the missing test section
    if "pipeline" not in type(loader.dataset).model_fields:
        raise RunError(
            "tta-not-configured",
            f"--tta replaces the test dataset's pipeline, and a {type(loader.dataset).__name__} has none of "
            "its own.",
            "Test a dataset with a pipeline (e.g. one of the ConcatDataset's parts), or test without --tta.",
        )
    dataset = replace(loader.dataset, pipeline=list(experiment.tta_pipeline))
    result: Experiment = replace(experiment, test_dataloader=replace(loader, dataset=dataset))
    return result


def tta_model_of(experiment: Experiment, model: nn.Module) -> Any:
    """The trained `model` wrapped as the config's tta_model says."""
    from typedseg.models.segmentor import Segmentor
    from typedseg.models.tta import build_tta_model

    assert experiment.tta_model is not None
    if not isinstance(model, Segmentor):
        raise RunError(
            "tta-not-configured",
            f"--tta wraps an EncoderDecoder segmentor, and this model is a {type(model).__name__}.",
            "Test without --tta.",
        )
    return build_tta_model(experiment.tta_model, model)
