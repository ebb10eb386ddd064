"""Where each value was written, names assigned twice, helper variables, and helpers a child redefined too late."""

from __future__ import annotations

from pathlib import Path

from tests.migrate.conftest import Write
from typedseg.migrate.mmengine_config import (
    HelperRef,
    Location,
    Reassignment,
    StalePath,
    load_mmengine_config,
    stale_helpers,
)

DATASET = """
crop_size = (512, 1024)
iters = 80000
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='RandomCrop',
        crop_size=crop_size,
        cat_max_ratio=0.75),
]
train_dataloader = dict(
    batch_size=2,
    dataset=dict(type='CityscapesDataset', pipeline=train_pipeline))
train_cfg = dict(max_iters=iters, val_interval=iters // 10)
"""


def test_provenance_points_at_the_line_that_wrote_each_value(write: Write) -> None:
    base = write(
        "base.py",
        """
        model = dict(
            type='EncoderDecoder',
            decode_head=dict(
                type='ASPPHead',
                num_classes=19,
                channels=512))
        param_scheduler = [
            dict(type='PolyLR', end=80000),
        ]
        """,
    )
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        model = dict(
            decode_head=dict(
                num_classes=150))
        param_scheduler = [
            dict(type='LinearLR', end=1500),
            dict(
                type='PolyLR',
                begin=1500,
                end=160000),
        ]
        """,
    )
    result = load_mmengine_config(leaf)
    at = result.provenance
    assert at[("model", "decode_head", "num_classes")] == Location(str(leaf), 4)
    assert at[("model", "decode_head", "channels")] == Location(str(base), 6)
    assert at[("model", "decode_head", "type")] == Location(str(base), 4)
    assert at[("model", "decode_head")] == Location(str(leaf), 3)
    assert at[("model", "type")] == Location(str(base), 2)
    assert at[("model",)] == Location(str(leaf), 2)
    assert at[("param_scheduler",)] == Location(str(leaf), 5)
    assert at[("param_scheduler", 0)] == Location(str(leaf), 6)
    assert at[("param_scheduler", 1)] == Location(str(leaf), 7)
    assert at[("param_scheduler", 1, "end")] == Location(str(leaf), 10)
    assert result.location(("param_scheduler", 2)) is None
    assert str(at[("param_scheduler", 1, "end")]) == f"{leaf}:10"
    assert set(at) == {
        ("model",),
        ("model", "type"),
        ("model", "decode_head"),
        ("model", "decode_head", "type"),
        ("model", "decode_head", "num_classes"),
        ("model", "decode_head", "channels"),
        ("param_scheduler",),
        ("param_scheduler", 0),
        ("param_scheduler", 0, "type"),
        ("param_scheduler", 0, "end"),
        ("param_scheduler", 1),
        ("param_scheduler", 1, "type"),
        ("param_scheduler", 1, "begin"),
        ("param_scheduler", 1, "end"),
    }


def test_a_top_level_name_assigned_twice_in_one_file_is_reported(write: Write) -> None:
    write("base.py", "model = dict(type='EncoderDecoder', backbone=dict(depth=50))\n")
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        model = dict(pretrained='open-mmlab://resnet101_v1c', backbone=dict(depth=101))
        crop_size = (512, 512)
        data_preprocessor = dict(size=crop_size)
        model = dict(data_preprocessor=data_preprocessor)
        """,
    )
    result = load_mmengine_config(leaf)
    assert result.reassigned == (Reassignment("model", 2, 5, str(leaf)),)
    # Python keeps the second assignment: the depth=101 override is lost, as in MMEngine.
    assert result.data["model"]["backbone"]["depth"] == 50
    assert "pretrained" not in result.data["model"]
    assert [(a.name, a.line) for a in result.assignments[str(leaf)]] == [
        ("_base_", 1),
        ("model", 2),
        ("crop_size", 3),
        ("data_preprocessor", 4),
        ("model", 5),
    ]


def test_helpers_are_names_used_by_other_assignments_of_the_same_file(write: Write) -> None:
    base = write("base.py", DATASET)
    leaf = write(
        "leaf.py", "_base_ = './base.py'\nnorm_cfg = dict(type='BN')\nmodel = dict(norm_cfg=norm_cfg)\n"
    )
    result = load_mmengine_config(leaf)
    assert result.helpers[str(base)] == frozenset({"crop_size", "iters", "train_pipeline"})
    assert result.helpers[str(leaf)] == frozenset({"norm_cfg"})
    assert result.sections == ("train_dataloader", "train_cfg", "model")
    assert result.derived[("train_cfg", "val_interval")] == (HelperRef("iters", str(base), 2, direct=False),)
    assert result.derived[("train_cfg", "max_iters")] == (HelperRef("iters", str(base), 2, direct=True),)
    assert result.derived[("model", "norm_cfg")] == (HelperRef("norm_cfg", str(leaf), 2, direct=True),)


def test_stale_helpers_in_a_synthetic_pair(write: Write) -> None:
    base = write("base.py", DATASET)
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        crop_size = (1280, 1280)
        iters = 160000
        train_cfg = dict(max_iters=iters)
        """,
    )
    result = load_mmengine_config(leaf)
    crop, iters = stale_helpers(result)
    assert (crop.name, crop.new_value, crop.new_location) == (
        "crop_size",
        (1280, 1280),
        Location(str(leaf), 2),
    )
    assert crop.stale_paths == (
        StalePath(
            ("train_dataloader", "dataset", "pipeline", 1, "crop_size"),
            (512, 1024),
            Location(str(base), 7),
            (512, 1024),
            Location(str(base), 1),
        ),
        StalePath(
            ("train_pipeline", 1, "crop_size"),
            (512, 1024),
            Location(str(base), 7),
            (512, 1024),
            Location(str(base), 1),
        ),
    )
    assert result.redefined_helpers == {
        "crop_size": ((1280, 1280), Location(str(leaf), 2)),
        "iters": (160000, Location(str(leaf), 3)),
    }
    # max_iters was rewritten by the leaf; val_interval is still the base's 80000 // 10.
    assert (iters.name, iters.new_value) == ("iters", 160000)
    assert iters.stale_paths == (
        StalePath(
            ("train_cfg", "val_interval"), 8000, Location(str(base), 13), 80000, Location(str(base), 2)
        ),
    )


def test_no_stale_helper_when_the_child_also_rebuilds_what_used_it(write: Write) -> None:
    write("base.py", DATASET)
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        crop_size = (1280, 1280)
        iters = 80000
        train_pipeline = [dict(type='RandomCrop', crop_size=crop_size)]
        train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
        """,
    )
    result = load_mmengine_config(leaf)
    assert stale_helpers(result) == []  # `iters` is redefined with the same value
    assert result.data["train_dataloader"]["dataset"]["pipeline"] == [
        {"type": "RandomCrop", "crop_size": (1280, 1280)}
    ]


def test_a_stale_dict_helper_and_a_stale_pipeline_reference(write: Write) -> None:
    base = write(
        "base.py",
        """
        norm_cfg = dict(type='SyncBN', requires_grad=True)
        model = dict(
            backbone=dict(norm_cfg=norm_cfg),
            decode_head=dict(norm_cfg=norm_cfg))
        """,
    )
    write("data.py", DATASET)
    leaf = write(
        "leaf.py",
        """
        _base_ = ['./base.py', './data.py']
        norm_cfg = dict(type='BN')
        model = dict(backbone=dict(norm_cfg=norm_cfg))
        train_pipeline = [dict(type='LoadImageFromFile')]
        """,
    )
    by_name = {helper.name: helper for helper in stale_helpers(load_mmengine_config(leaf))}
    assert set(by_name) == {"norm_cfg", "train_pipeline"}
    norm = by_name["norm_cfg"]
    assert norm.new_value == {"type": "BN", "requires_grad": True}  # the leaf's dict merged into the base's
    assert [(s.path, s.value, s.location) for s in norm.stale_paths] == [
        (
            ("model", "decode_head", "norm_cfg"),
            {"type": "SyncBN", "requires_grad": True},
            Location(str(base), 4),
        )
    ]
    [pipeline] = by_name["train_pipeline"].stale_paths
    assert pipeline.path == ("train_dataloader", "dataset", "pipeline")
    assert pipeline.value[1]["type"] == "RandomCrop"


def test_stale_helpers_across_three_levels(write: Write) -> None:
    write("configs/_base_/data.py", DATASET)
    middle = write(
        "configs/middle.py", "_base_ = './_base_/data.py'\ncrop_size = (769, 769)\nsize = crop_size\n"
    )
    leaf = write("configs/leaf.py", "_base_ = './middle.py'\ncrop_size = (1024, 1024)\n")
    helpers = stale_helpers(load_mmengine_config(leaf))
    [crop] = helpers
    assert crop.new_location == Location(str(leaf), 2)
    sites = {(s.path, s.value, s.old_helper_value) for s in crop.stale_paths}
    assert sites == {
        (("size",), (769, 769), (769, 769)),
        (("train_pipeline", 1, "crop_size"), (512, 1024), (512, 1024)),
        (("train_dataloader", "dataset", "pipeline", 1, "crop_size"), (512, 1024), (512, 1024)),
    }
    assert {s.helper_location.file for s in crop.stale_paths} == {
        str(middle),
        str(Path(middle).parent / "_base_/data.py"),
    }
