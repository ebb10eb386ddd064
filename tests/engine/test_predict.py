"""`typedseg predict` (label and overlay PNGs, refusals with exit 2), `typedseg test` (the per-class table and
the summary) and `--tta` (the TTA model's merged predictions), on the quickstart trained 2 iterations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from typer.testing import CliRunner

from cli.main import app
from tests.engine.quickstart_tiny import PALETTE, QUICKSTART, experiment, overrides, write_data
from typedseg.config.experiment import Experiment
from typedseg.config.models.segmentor import SegTTAModel
from typedseg.config.replace import replace
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    RandomFlip,
    TestTimeAug,
)
from typedseg.engine.inference import predict_files
from typedseg.engine.runner import Runner
from typedseg.models import build_model
from typedseg.visualization import overlay


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the data folder, the checkpoint after 2 iterations)."""
    root = tmp_path_factory.mktemp("predict")
    data = write_data(root / "data")
    Runner(experiment(data), work_dir=root / "run", progress=False).train()
    return data, root / "run" / "iter_2.pth"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def model_logits(checkpoint: Path, data: Path, image: np.ndarray) -> torch.Tensor:
    """The trained model's (C, H, W) logits for an RGB image, computed here without the pipeline."""
    cfg = experiment(data)
    assert cfg.model is not None
    model = build_model(cfg.model, init_weights=False).eval()
    model.load_state_dict(torch.load(checkpoint, weights_only=True)["state_dict"])
    inputs = (torch.from_numpy(image.copy()).permute(2, 0, 1).float() - 127.5) / 64.0
    with torch.no_grad():
        padded = torch.nn.functional.pad(inputs[None], (0, 64 - image.shape[1], 0, 64 - image.shape[0]))
        logits: torch.Tensor = model(padded, mode="tensor")[0, :, : image.shape[0], : image.shape[1]]
    return logits


def test_predict_writes_palette_labels_and_overlays(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, checkpoint = trained
    out = tmp_path / "out"
    sets = [f"--set=test_dataloader.dataset.data_root={data}"]
    code, output = invoke(
        "predict",
        str(QUICKSTART),
        str(data / "images" / "val"),
        "--checkpoint",
        str(checkpoint),
        "--out",
        str(out),
        *sets,
    )
    assert code == 0, output
    assert output.splitlines()[-1] == f"3 images predicted into {out}"
    assert sorted(p.name for p in (out / "labels").iterdir()) == ["00000.png", "00001.png", "00002.png"]
    image = np.asarray(Image.open(data / "images" / "val" / "00001.png").convert("RGB"))
    label_file = Image.open(out / "labels" / "00001.png")
    assert label_file.mode == "P" and label_file.getpalette()[:12] == [c for row in PALETTE for c in row]  # type: ignore[index]
    labels = np.asarray(label_file)
    expected = model_logits(checkpoint, data, image).argmax(0).numpy()
    np.testing.assert_array_equal(labels, expected)
    drawn = np.asarray(Image.open(out / "overlays" / "00001.png"))
    np.testing.assert_array_equal(drawn, overlay(image, expected, PALETTE, 0.8))

    before = (out / "labels" / "00000.png").stat().st_mtime_ns
    args = [
        "predict",
        str(QUICKSTART),
        str(data / "images" / "val"),
        "--checkpoint",
        str(checkpoint),
        "--out",
        str(out),
    ]
    code, output = invoke(*args)
    assert code == 2 and "[output-exists]" in output and "Pass --force" in output
    assert (out / "labels" / "00000.png").stat().st_mtime_ns == before
    assert invoke(*args, "--force")[0] == 0


def test_predict_refuses_bad_inputs_with_one_message(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, checkpoint = trained
    junk = tmp_path / "junk.png"
    junk.write_text("not an image")
    image = str(data / "images" / "val" / "00000.png")
    cases = {
        "predict-input-missing": [str(tmp_path / "nothere.png"), "--checkpoint", str(checkpoint)],
        "image-unreadable": [str(junk), "--checkpoint", str(checkpoint)],
        "checkpoint-unreadable": [image, "--checkpoint", str(junk)],
        "checkpoint-missing": [image, "--checkpoint", str(tmp_path / "none.pth")],
        "checkpoint-model-mismatch": [
            image,
            "--checkpoint",
            str(checkpoint),
            "--set=model.decode_head.channels=8",
        ],
    }
    for code_name, args in cases.items():
        code, output = invoke("predict", str(QUICKSTART), *args, "--out", str(tmp_path / code_name))
        assert code == 2, (code_name, output)
        assert output.count("[") == 1 and f"[{code_name}]" in output and "Traceback" not in output, output
        assert not (tmp_path / code_name).exists()


def test_test_prints_the_per_class_table_and_the_summary(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, checkpoint = trained
    sets = [f"--set={s}" for s in overrides(data)]
    code, output = invoke(
        "test", str(QUICKSTART), "--checkpoint", str(checkpoint), "--work-dir", str(tmp_path), *sets
    )
    assert code == 0, output
    assert "per class results:" in output
    for name in ("background", "square", "disc", "stripe"):
        assert any(line.startswith(f"| {name} ") for line in output.splitlines())
    summary = output.strip().splitlines()[-5:]
    assert [c.strip() for c in summary[1].strip("|").split("|")] == ["aAcc", "mIoU", "mAcc"]
    values = [float(c) for c in summary[3].strip("|").split("|")]
    assert 0.0 <= values[1] <= values[0] <= 100.0


def with_tta(base: Experiment) -> Experiment:
    flips = [RandomFlip(prob=0.0, direction="horizontal"), RandomFlip(prob=1.0, direction="horizontal")]
    pipeline = [LoadImageFromFile(), TestTimeAug(transforms=[flips, [LoadAnnotations()], [PackSegInputs()]])]
    result: Experiment = replace(base, tta_model=SegTTAModel(), tta_pipeline=pipeline)
    return result


def test_tta_merges_flipped_views_in_test_and_predict(trained: tuple[Path, Path], tmp_path: Path) -> None:
    data, checkpoint = trained
    cfg = with_tta(experiment(data))
    expected_labels = []
    for name in ("00000", "00001", "00002"):
        image = np.asarray(Image.open(data / "images" / "val" / f"{name}.png").convert("RGB"))
        plain = model_logits(checkpoint, data, image).softmax(0)
        flipped = model_logits(checkpoint, data, np.ascontiguousarray(image[:, ::-1])).softmax(0).flip(-1)
        expected_labels.append(((plain + flipped) / 2).argmax(0).numpy())
    written = predict_files(cfg, checkpoint, data / "images" / "val", tmp_path / "out", tta=True)
    for files, expected in zip(written, expected_labels, strict=True):
        np.testing.assert_array_equal(np.asarray(Image.open(files.labels)), expected)

    metrics = Runner(cfg, work_dir=tmp_path / "test", progress=False).test(checkpoint, tta=True)
    truth = [
        np.asarray(Image.open(data / "labels" / "val" / f"{n}.png")) for n in ("00000", "00001", "00002")
    ]
    correct = sum(int((t == e).sum()) for t, e in zip(truth, expected_labels, strict=True))
    assert metrics["aAcc"] == round(100 * correct / sum(t.size for t in truth), 2)
