"""Datasets over real files: the synthetic dataset, folder listing and split files, metainfo, label remapping,
wrappers, per-sample randomness, and the messages for missing or unreadable data."""

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch

from typedseg.config.datasets import (
    ADE20KDataset,
    BaseSegDataset,
    ConcatDataset,
    DataPrefix,
    DatasetMetainfo,
    PascalVOCDataset,
    RepeatDataset,
)
from typedseg.config.transforms import (
    LoadAnnotations,
    LoadImageFromFile,
    PackSegInputs,
    RandomCrop,
    RandomFlip,
    TransformConfig,
)
from typedseg.datasets import DataError, build_dataset
from typedseg.datasets.datasets import check_readable, random_palette
from typedseg.datasets.image_io import read_label_map
from typedseg.datasets.synthetic import SynthSpec, class_names, write_synthetic

CLASSES = ("background", "square", "disc", "stripe")
LOAD: list[TransformConfig] = [LoadImageFromFile(), LoadAnnotations(), PackSegInputs()]


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth")
    write_synthetic(path, SynthSpec(train=6, val=3, size=(40, 48), seed=1), force=True)
    return path


def folder(
    root: Path, split: str = "train", pipeline: list[TransformConfig] = LOAD, **kwargs: object
) -> BaseSegDataset:
    return BaseSegDataset(
        data_root=str(root),
        data_prefix=DataPrefix(img_path=f"images/{split}", seg_map_path=f"labels/{split}"),
        img_suffix=".png",
        seg_map_suffix=".png",
        metainfo=DatasetMetainfo(classes=CLASSES),
        pipeline=pipeline,
        **kwargs,  # type: ignore[arg-type]
    )


def test_synthetic_data_is_deterministic_and_refuses_to_overwrite(root: Path, tmp_path: Path) -> None:
    spec = SynthSpec(train=6, val=3, size=(40, 48), seed=1)
    write_synthetic(tmp_path / "again", spec)
    assert digest(tmp_path / "again") == digest(root)
    write_synthetic(tmp_path / "other", SynthSpec(train=6, val=3, size=(40, 48), seed=2))
    assert digest(tmp_path / "other") != digest(root)
    with pytest.raises(DataError, match="not empty") as error:
        write_synthetic(tmp_path / "again", spec)
    assert error.value.problem is not None and error.value.problem.code == "synth-folder-not-empty"
    (tmp_path / "again" / "notes.txt").write_text("mine")
    write_synthetic(tmp_path / "again", SynthSpec(train=2, val=1, size=(40, 48), seed=1), force=True)
    assert len(list((tmp_path / "again" / "images" / "train").iterdir())) == 2  # replaced, not mixed
    assert (tmp_path / "again" / "notes.txt").read_text() == "mine"  # nothing else touched


def test_synthetic_labels_cover_every_class(root: Path) -> None:
    labels = np.stack([read_label_map(p) for p in sorted((root / "labels" / "train").iterdir())])
    assert set(np.unique(labels)) == {0, 1, 2, 3}
    assert class_names(4) == CLASSES and class_names(8)[4:] == ("square2", "disc2", "stripe2", "square3")
    assert (root / "classes.txt").read_text().split() == list(CLASSES)


def test_folder_dataset_reads_samples(root: Path) -> None:
    dataset = build_dataset(folder(root))
    assert len(dataset) == 6
    assert dataset.metainfo["classes"] == CLASSES
    assert dataset.metainfo["palette"] == random_palette(4)  # no palette given: MMSeg's seeded random one
    item = dataset[2]
    inputs, sample = item["inputs"], item["data_samples"]
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, 40, 48)
    assert sample.gt_sem_seg is not None and sample.gt_sem_seg.dtype == torch.int64
    assert sample.gt_sem_seg.shape == (1, 40, 48)
    assert sample.metainfo["img_path"].endswith("images/train/00002.png")
    assert sample.metainfo["ori_shape"] == (40, 48) and sample.metainfo["reduce_zero_label"] is False
    # BGR, as OpenCV loads it: the tensor's first channel is the file's blue
    from PIL import Image

    rgb = np.asarray(Image.open(root / "images" / "train" / "00002.png"))
    assert torch.equal(inputs[0], torch.from_numpy(rgb[:, :, 2].copy()))
    assert check_readable(dataset) == 12


def test_split_file_indices_and_reduce_zero_label(root: Path, tmp_path: Path) -> None:
    (root / "split.txt").write_text("00004\n00001\n\n")
    dataset = build_dataset(folder(root, ann_file="split.txt"))
    assert [Path(e["img_path"]).stem for e in dataset.entries] == ["00004", "00001"]  # type: ignore[attr-defined]
    assert len(build_dataset(folder(root, indices=-2))) == 2
    assert len(build_dataset(folder(root, indices=[0, 5, 5]))) == 3
    plain = build_dataset(folder(root))[1]["data_samples"].gt_sem_seg
    reduced = build_dataset(folder(root, reduce_zero_label=True))[1]["data_samples"].gt_sem_seg
    assert torch.equal(reduced, torch.where(plain == 0, 255, plain - 1))


def test_metainfo_classes_remap_labels(root: Path) -> None:
    # VOC's own classes, reordered subset: 'cat' (8) -> 0, 'background' (0) -> 1, others -> 255
    (root / "voc.txt").write_text("00000\n")
    cfg = PascalVOCDataset(
        data_root=str(root),
        ann_file="voc.txt",
        data_prefix=DataPrefix(img_path="images/train", seg_map_path="labels/train"),
        img_suffix=".png",
        metainfo=DatasetMetainfo(classes=("cat", "background")),
        pipeline=LOAD,
    )
    dataset = build_dataset(cfg)
    assert dataset.metainfo["classes"] == ("cat", "background")
    assert dataset.metainfo["palette"] == [[64, 0, 0], [0, 0, 0]]
    raw = torch.from_numpy(read_label_map(root / "labels" / "train" / "00000.png").astype(np.int64))
    expected = torch.full_like(raw, 255)
    expected[raw == 0] = 1
    assert torch.equal(dataset[0]["data_samples"].gt_sem_seg[0], expected)


def test_wrappers(root: Path) -> None:
    train, val = folder(root), folder(root, "val")
    concat = build_dataset(ConcatDataset(datasets=[train, val]))
    assert len(concat) == 9
    assert concat[7]["data_samples"].metainfo["img_path"].endswith("images/val/00001.png")
    crop: list[TransformConfig] = [
        LoadImageFromFile(),
        LoadAnnotations(),
        RandomCrop(crop_size=(8, 8)),
        PackSegInputs(),
    ]
    repeat = build_dataset(RepeatDataset(dataset=folder(root, pipeline=crop), times=3), seed=4)
    assert len(repeat) == 18 and repeat.metainfo["classes"] == CLASSES
    # the same image in two repeats draws its own crop
    assert not torch.equal(repeat[0]["inputs"], repeat[6]["inputs"])


def test_per_sample_randomness(root: Path) -> None:
    pipeline: list[TransformConfig] = [
        LoadImageFromFile(),
        RandomCrop(crop_size=(16, 16)),
        RandomFlip(prob=0.5),
        PackSegInputs(),
    ]
    dataset = build_dataset(folder(root, pipeline=pipeline), seed=9)
    first = dataset[(3, 0)]["inputs"]
    dataset[(1, 0)]  # other samples in between change nothing
    assert torch.equal(dataset[(3, 0)]["inputs"], first)
    assert torch.equal(build_dataset(folder(root, pipeline=pipeline), seed=9)[(3, 0)]["inputs"], first)
    others = [dataset[(3, p)]["inputs"] for p in range(1, 6)]
    assert any(not torch.equal(first, other) for other in others)


def test_missing_and_empty_folders_are_one_clear_message(root: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"image folder .*nowhere/images/train does not exist") as error:
        build_dataset(folder(tmp_path / "nowhere"))
    assert error.value.problem is not None and error.value.problem.code == "data-not-found"
    (tmp_path / "empty" / "images" / "train").mkdir(parents=True)
    with pytest.raises(DataError, match="lists no samples"):
        build_dataset(folder(tmp_path / "empty"))
    with pytest.raises(DataError, match="split file"):
        build_dataset(folder(root, ann_file="missing.txt"))


def test_missing_label_map_names_the_sample(root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    write_synthetic(copy, SynthSpec(train=3, val=1, size=(16, 16)))
    (copy / "labels" / "train" / "00001.png").unlink()
    with pytest.raises(DataError, match=r"sample 1: .*labels/train/00001.png"):
        build_dataset(folder(copy))


def test_unreadable_image_names_file_and_index(tmp_path: Path) -> None:
    write_synthetic(tmp_path, SynthSpec(train=3, val=1, size=(16, 16)))
    (tmp_path / "images" / "train" / "00002.png").write_bytes(b"\x89PNG truncated")
    dataset = build_dataset(folder(tmp_path))
    dataset[1]
    with pytest.raises(DataError, match=r"sample 2: cannot read the image .*00002.png") as error:
        dataset[2]
    assert error.value.problem is not None and error.value.problem.code == "image-unreadable"
    with pytest.raises(DataError, match="sample 2"):
        check_readable(dataset)
    # ignore_empty drops it, and the dataset fetches another sample instead (MMEngine's refetch)
    skipping = build_dataset(
        folder(tmp_path, pipeline=[LoadImageFromFile(ignore_empty=True), PackSegInputs()])
    )
    assert skipping[2]["inputs"].shape == (3, 16, 16)


def test_ade20k_reduces_zero_label_by_default(root: Path) -> None:
    cfg = ADE20KDataset(
        data_root=str(root),
        data_prefix=DataPrefix(img_path="images/val", seg_map_path="labels/val"),
        img_suffix=".png",
        pipeline=LOAD,
    )
    dataset = build_dataset(cfg)
    assert len(dataset.metainfo["classes"]) == 150 and dataset.metainfo["reduce_zero_label"] is True
    gt = dataset[0]["data_samples"].gt_sem_seg
    assert gt is not None and int(gt.max()) == 255 and set(gt.unique().tolist()) <= {255, 0, 1, 2}


def test_an_unreadable_image_in_a_worker_keeps_its_message(tmp_path: Path) -> None:
    from typedseg.config.data import DataLoaderConfig, DefaultSampler
    from typedseg.datasets import build_dataloader

    write_synthetic(tmp_path, SynthSpec(train=2, val=1, size=(16, 16)))
    (tmp_path / "images" / "train" / "00001.png").write_bytes(b"not a png")
    cfg = DataLoaderConfig(
        batch_size=1, num_workers=1, sampler=DefaultSampler(shuffle=False), dataset=folder(tmp_path)
    )
    with pytest.raises(DataError) as error:
        list(build_dataloader(cfg, seed=0))
    message = str(error.value)
    assert message.startswith("sample 1: cannot read the image") and "Traceback" not in message
    assert error.value.problem is not None and error.value.problem.code == "image-unreadable"


def test_test_time_augmentation_views_and_collate(root: Path) -> None:
    from typedseg.config.transforms import Resize, TestTimeAug
    from typedseg.datasets import pseudo_collate

    tta: list[TransformConfig] = [
        LoadImageFromFile(),
        TestTimeAug(
            transforms=[
                [Resize(scale_factor=0.5, keep_ratio=True), Resize(scale_factor=1.0, keep_ratio=True)],
                [RandomFlip(prob=0.0), RandomFlip(prob=1.0)],
                [LoadAnnotations()],
                [PackSegInputs()],
            ]
        ),
    ]
    dataset = build_dataset(folder(root, pipeline=tta))
    item = dataset[0]
    assert [tuple(t.shape) for t in item["inputs"]] == [(3, 20, 24)] * 2 + [(3, 40, 48)] * 2
    assert [s.metainfo["flip"] for s in item["data_samples"]] == [False, True, False, True]
    flipped, plain = item["inputs"][3], item["inputs"][2]
    assert torch.equal(flipped, plain.flip(-1))
    batch = pseudo_collate([dataset[0], dataset[1]])
    assert len(batch["inputs"]) == 4 and all(len(view) == 2 for view in batch["inputs"])  # one list per view


def test_synth_if_missing_keeps_a_finished_dataset_and_refuses_a_partial_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    root = tmp_path / "synthetic"
    args = ["data", "synth", str(root), "--train", "2", "--val", "1", "--size", "16x16", "--if-missing"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "wrote 2 train, 1 val" in first.output
    before = {p: p.read_bytes() for p in root.rglob("*.png")}
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "already holds a synthetic dataset" in again.output
    assert {p: p.read_bytes() for p in root.rglob("*.png")} == before
    (root / "classes.txt").unlink()  # as if the first run had been killed before finishing
    partial = runner.invoke(app, args)
    assert partial.exit_code == 2 and "synth-folder-not-empty" in partial.output
