"""Predicting label maps for image files (`typedseg predict`): MMSegmentation's `inference_model` on the engine.

The config's test pipeline (its `LoadAnnotations` left out: there are no labels) prepares each image, the model
predicts at the image's original size, and two PNGs are written per image, atomically: `labels/<stem>.png`, a
palette PNG whose pixel values are the class indices, and `overlays/<stem>.png`, the prediction blended over the
image as SegLocalVisualizer draws it. With `tta`, the config's tta_pipeline and tta_model are used instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from typedseg import startup
from typedseg.config.experiment import Experiment
from typedseg.config.transforms import LoadAnnotations, TestTimeAug
from typedseg.engine.errors import RunError
from typedseg.structures import SegDataSample

log = logging.getLogger("typedseg")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
"""What a folder given to `predict` is searched for (case-insensitive), as MMSeg's demo reads them."""


@dataclass(frozen=True)
class PredictionFiles:
    """What `predict_files` wrote for one image."""

    image: Path
    labels: Path
    overlay: Path


def list_images(source: Path) -> list[Path]:
    """`source` itself, or the images directly in the folder `source`, sorted by name."""
    if not source.exists():
        raise RunError(
            "predict-input-missing",
            "no such file or folder.",
            "Give an image file or a folder of images.",
            file=source,
        )
    if source.is_file():
        return [source]
    images = sorted(p for p in source.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise RunError(
            "predict-input-missing",
            f"the folder {source} holds no image ({', '.join(IMAGE_SUFFIXES)}).",
            "Give an image file or a folder of images.",
            file=source,
        )
    return images


def _without_annotations(steps: Sequence[Any]) -> list[Any]:
    kept = []
    for step in steps:
        if isinstance(step, LoadAnnotations):
            continue
        if isinstance(step, TestTimeAug):
            branches = [_without_annotations(branch) for branch in step.transforms]
            kept.append(TestTimeAug(transforms=[b for b in branches if b]))
        else:
            kept.append(step)
    return kept


def _pipeline_configs(experiment: Experiment, tta: bool) -> list[Any]:
    if tta:
        if experiment.tta_model is None or experiment.tta_pipeline is None:
            raise RunError(
                "tta-not-configured",
                "--tta needs tta_model and tta_pipeline in the config.",
                "Add tta_model=SegTTAModel() and a tta_pipeline with a TestTimeAug step, or leave --tta out.",
            )
        return _without_annotations(experiment.tta_pipeline)
    for loader in (experiment.test_dataloader, experiment.val_dataloader):
        pipeline = getattr(getattr(loader, "dataset", None), "pipeline", None)
        if pipeline:
            return _without_annotations(pipeline)
    raise RunError(
        "no-test",
        "predict prepares images with the test pipeline, and the config has no test_dataloader (or "
        "val_dataloader) dataset with a pipeline.",
        "Add a test_dataloader whose dataset has the pipeline (LoadImageFromFile, Resize, PackSegInputs).",
    )


def _dataset_meta(experiment: Experiment, checkpoint_meta: dict[str, Any]) -> dict[str, Any]:
    """Classes and palette: the checkpoint's dataset_meta (as MMSeg's init_model), else the test dataset's."""
    meta = checkpoint_meta.get("dataset_meta") or {}
    if meta.get("classes") and meta.get("palette"):
        return dict(meta)
    from typedseg.datasets.datasets import metainfo_of

    for loader in (experiment.test_dataloader, experiment.val_dataloader):
        dataset = getattr(loader, "dataset", None)
        if dataset is not None and hasattr(dataset, "meta"):
            return metainfo_of(dataset)
    return {}


class Predictor:
    """A model with a checkpoint's weights and the config's test pipeline, predicting one image file at a time."""

    def __init__(
        self, experiment: Experiment, checkpoint: Path, *, tta: bool = False, device: str | None = None
    ) -> None:
        from typedseg.datasets.transforms import build_pipeline
        from typedseg.engine.checkpoint import check_weights_fit
        from typedseg.models import build_model
        from typedseg.models.checkpoint import read_checkpoint, state_dict_of
        from typedseg.models.segmentor import Segmentor

        if experiment.model is None:
            raise RunError("no-model", "the config has no model.", "Add a model section.")
        self.pipeline = build_pipeline(_pipeline_configs(experiment, tta))
        if not checkpoint.is_file():
            raise RunError(
                "checkpoint-missing",
                f"checkpoint {checkpoint} does not exist (or is not a file).",
                "Give the local path of a checkpoint of this config's model.",
                file=checkpoint,
            )
        raw = read_checkpoint(checkpoint)
        weights = state_dict_of(raw)
        model = build_model(experiment.model, init_weights=False)
        notes = check_weights_fit(model, weights, checkpoint)
        missing = sorted(model.state_dict().keys() - weights.keys())
        if missing:
            raise RunError(
                "checkpoint-model-mismatch",
                f"{checkpoint} lacks {len(missing)} of this model's weights ({', '.join(missing[:3])}"
                f"{', ...' if len(missing) > 3 else ''}): predictions would come from untrained layers.",
                "Give a checkpoint of this config's model (the same backbone, head and num_classes).",
                file=checkpoint,
            )
        for note in notes:
            log.warning("checkpoint %s: %s", checkpoint, note)
        model.load_state_dict(weights, strict=False)
        wanted = (
            torch.device(device) if device else torch.device("cuda" if torch.cuda.is_available() else "cpu")
        )
        model = model.to(wanted).eval()
        self.model: torch.nn.Module = model
        self.tta_model: Any = None
        if tta:
            from typedseg.engine.tta import tta_model_of

            assert isinstance(model, Segmentor)
            self.tta_model = tta_model_of(experiment, model)
        meta = raw.get("meta") if isinstance(raw, dict) else None
        self.dataset_meta = _dataset_meta(experiment, meta if isinstance(meta, dict) else {})

    def predict(self, image: Path) -> SegDataSample:
        """The prediction for one image file (pred_sem_seg and seg_logits at the image's size)."""
        from typedseg.datasets.errors import DataError
        from typedseg.datasets.loader import pseudo_collate

        try:
            packed = self.pipeline(
                {"img_path": str(image), "reduce_zero_label": False}, np.random.default_rng(0)
            )
        except DataError as exc:
            problem = exc.problem
            raise RunError(
                problem.code if problem is not None else "image-unreadable",
                problem.message if problem is not None else f"cannot read the image {image}: {exc}",
                problem.hint if problem is not None else "Check that the file is an image.",
                file=image,
            ) from None
        if packed is None:
            raise RunError(
                "image-unreadable", f"cannot read the image {image}.", "Check the file.", file=image
            )
        batch = pseudo_collate([packed])
        with torch.no_grad():
            if self.tta_model is not None:
                outputs: list[SegDataSample] = self.tta_model.test_step(batch)
            else:
                data = self.model.data_preprocessor(batch, False)  # type: ignore[operator]
                outputs = self.model(data["inputs"], data["data_samples"], mode="predict")
        return outputs[0]


def planned_outputs(images: Sequence[Path], out: Path) -> list[PredictionFiles]:
    """Where each image's two PNGs go; two images of one stem (a.png, a.jpg) are refused."""
    seen: dict[str, Path] = {}
    planned = []
    for image in images:
        if image.stem in seen:
            raise RunError(
                "predict-input-missing",
                f"{seen[image.stem]} and {image} would both be written as {image.stem}.png.",
                "Predict them separately, into different --out folders.",
                file=image,
            )
        seen[image.stem] = image
        planned.append(
            PredictionFiles(
                image, out / "labels" / f"{image.stem}.png", out / "overlays" / f"{image.stem}.png"
            )
        )
    return planned


def predict_files(
    experiment: Experiment,
    checkpoint: Path,
    source: Path,
    out: Path,
    *,
    tta: bool = False,
    force: bool = False,
    device: str | None = None,
    on_done: Callable[[PredictionFiles], None] | None = None,
) -> list[PredictionFiles]:
    """Predict every image of `source` (a file or a folder) and write its label and overlay PNGs under `out`.
    Everything is checked before the first file is written: the images exist, no output exists (unless
    `force`), the checkpoint fits the model."""
    from typedseg.datasets.image_io import IMAGE_ERRORS, read_image, why_unreadable
    from typedseg.visualization import build_visualizer, write_label_png, write_overlay_png

    planned = planned_outputs(list_images(source), out)
    existing = [p for files in planned for p in (files.labels, files.overlay) if p.exists()]
    if existing and not force:
        raise RunError(
            "output-exists",
            f"the file exists{f' (and {len(existing) - 1} more of the outputs)' if len(existing) > 1 else ''}.",
            "Pass --force to replace them, or choose another --out folder.",
            file=existing[0],
        )
    predictor = Predictor(experiment, checkpoint, tta=tta, device=device)
    from typedseg.config.runtime import SegLocalVisualizer

    visual = experiment.visualizer
    drawer = build_visualizer(
        visual if isinstance(visual, SegLocalVisualizer) else SegLocalVisualizer(), predictor.dataset_meta
    )
    startup.resume()  # the collector, if the command line paused it while it started
    for files in planned:
        sample = predictor.predict(files.image)
        assert sample.pred_sem_seg is not None
        try:
            image_rgb = np.ascontiguousarray(read_image(files.image)[:, :, ::-1])
        except IMAGE_ERRORS as exc:
            raise RunError(
                "image-unreadable",
                f"cannot read the image {files.image}: {why_unreadable(exc)}.",
                "Check the file.",
            ) from None
        write_label_png(files.labels, sample.pred_sem_seg, drawer.palette)
        write_overlay_png(files.overlay, image_rgb, sample.pred_sem_seg, drawer.palette, drawer.alpha)
        if on_done is not None:
            on_done(files)
    return planned
