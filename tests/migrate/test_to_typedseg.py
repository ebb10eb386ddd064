"""MMEngine config -> typedseg: what maps as it is, what MMEngine would ignore (located at the line that set it),
what typedseg does not implement, and typedseg's own rules on the result."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.migrate.conftest import Write
from typedseg.config.loops import EpochBasedTrainLoop, IterBasedTrainLoop
from typedseg.config.model_wrapper import MMDistributedDataParallel
from typedseg.config.models.backbones import ConvNeXt
from typedseg.migrate.importer import ImportResult, data_path, import_mmengine_config
from typedseg.migrate.mmengine_config import load_mmengine_config
from typedseg.migrate.to_typedseg import map_to_typedseg
from typedseg.problems import Problem

# A small complete MMSegmentation-style config (the quickstart's UNet) that imports cleanly; leaves change it.
BASE = """
crop_size = (64, 64)
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[127.5, 127.5, 127.5],
    std=[64.0, 64.0, 64.0],
    bgr_to_rgb=True,
    size=crop_size)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='UNet',
        base_channels=16,
        num_stages=4,
        strides=(1, 1, 1, 1),
        enc_num_convs=(2, 2, 2, 2),
        dec_num_convs=(2, 2, 2),
        downsamples=(True, True, True),
        enc_dilations=(1, 1, 1, 1),
        dec_dilations=(1, 1, 1),
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='FCNHead',
        in_channels=16,
        in_index=3,
        channels=16,
        num_convs=1,
        concat_input=False,
        num_classes=4,
        norm_cfg=norm_cfg,
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    test_cfg=dict(mode='whole'))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs'),
]
train_dataloader = dict(
    batch_size=2,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='BaseSegDataset',
        data_root='data/synthetic',
        data_prefix=dict(img_path='images/train', seg_map_path='labels/train'),
        metainfo=dict(classes=('background', 'square', 'disc', 'stripe')),
        pipeline=train_pipeline))
optimizer = dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=160000, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=160000, val_interval=16000)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=16000))
log_processor = dict(by_epoch=False)
default_scope = 'mmseg'
"""


def base_line(start: str) -> int:
    """The line of BASE (as `write` saves it) that starts with `start`."""
    [line] = [n for n, text in enumerate(BASE.lstrip("\n").splitlines(), 1) if text.startswith(start)]
    return line


MAX_ITERS_LINE = base_line("train_cfg = ")
OPTIM_WRAPPER_LINE = base_line("optim_wrapper = ")
CROP_LINE = base_line("    dict(type='RandomCrop'")


def imported(write: Write, leaf: str) -> tuple[ImportResult, Path, Path]:
    base = write("base.py", BASE)
    path = write("leaf.py", "_base_ = './base.py'\n" + textwrap.dedent(leaf).lstrip("\n"))
    return import_mmengine_config(path), base, path


def only(result: ImportResult, code: str) -> Problem:
    [found] = [p for p in result.problems if p.code == code]
    return found


def test_the_base_imports_cleanly(write: Write) -> None:
    result = import_mmengine_config(write("base.py", BASE))
    assert result.imported and result.problems == [] and result.unsupported == []
    exp = result.experiment
    assert exp.default_scope == "mmseg"
    assert exp.train_cfg == IterBasedTrainLoop(max_iters=160000, val_interval=16000)
    assert exp.model.data_preprocessor.size == (64, 64)


def test_a_legacy_runner_is_reported_at_the_leaf_line_with_both_lengths(write: Write) -> None:
    result, base, leaf = imported(write, "runner = dict(type='IterBasedRunner', max_iters=320000)\n")
    assert not result.imported and result.unsupported == []
    problem = only(result, "legacy-key")
    assert (problem.file, problem.line, problem.path) == (str(leaf), 2, ("runner",))
    assert problem.message == (
        "`runner` is MMSegmentation 0.x's loop setting; MMEngine ignores it, so this config trains "
        f"train_cfg.max_iters=160000 (set at {base}:{MAX_ITERS_LINE}), not the 320000 that runner.max_iters asks for."
    )
    assert problem.hint.startswith("Delete `runner` and set train_cfg.max_iters=320000")
    assert problem.hint.endswith("or delete it to keep 160000.")
    assert result.real_problems == [problem]


def test_fp16_says_amp_is_not_used(write: Write) -> None:
    result, base, leaf = imported(write, "fp16 = dict(loss_scale=512.0)\n")
    problem = only(result, "legacy-key")
    assert (problem.file, problem.line) == (str(leaf), 2)
    assert "AMP is not used: this config trains in full precision" in problem.message
    assert f"optim_wrapper is OptimWrapper, {base}:{OPTIM_WRAPPER_LINE}" in problem.message
    assert (
        problem.hint
        == "Delete fp16 and use optim_wrapper=dict(type='AmpOptimWrapper', loss_scale=512.0, ...)."
    )


@pytest.mark.parametrize(
    ("key", "instead"),
    [
        ("optimizer_config", "optim_wrapper.clip_grad"),
        ("lr_config", "param_scheduler"),
        ("checkpoint_config", "default_hooks.checkpoint"),
        ("log_config", "default_hooks.logger"),
        ("evaluation", "val_evaluator"),
        ("total_iters", "train_cfg.max_iters"),
        ("workflow", "train_cfg"),
        ("data", "train_dataloader"),
    ],
)
def test_other_legacy_keys_say_what_to_write_instead(write: Write, key: str, instead: str) -> None:
    result, _, leaf = imported(write, f"{key} = dict(interval=1)\n")
    problem = only(result, "legacy-key")
    assert (problem.file, problem.line, problem.severity) == (str(leaf), 2, "error")
    assert problem.message.endswith("MMEngine ignores it.")
    assert instead in problem.hint


def test_a_misspelt_section_is_an_error_and_an_unused_name_a_warning(write: Write) -> None:
    result, _, leaf = imported(write, "models = dict(pretrained=None)\nnum_gpus = 8\n")
    misspelt, unused = sorted(
        (p for p in result.problems if p.code == "ignored-key"), key=lambda p: p.line or 0
    )
    assert (misspelt.line, misspelt.severity, misspelt.hint) == (2, "error", "Did you mean `model`?")
    assert misspelt.message.startswith("MMEngine ignores the top-level `models` = {'pretrained': None}")
    assert (unused.line, unused.severity, unused.file) == (3, "warning", str(leaf))


def test_helper_variables_are_not_problems(write: Write) -> None:
    result, _, _ = imported(
        write,
        """
        norm_cfg = dict(type='BN', requires_grad=True)
        dataset_type = 'BaseSegDataset'
        data_root = 'data/synthetic'
        train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
        model = dict(backbone=dict(norm_cfg=norm_cfg))
        """,
    )
    assert result.imported and result.problems == []


def test_a_changed_top_level_optimizer_that_optim_wrapper_does_not_use_is_an_error(write: Write) -> None:
    result, base, leaf = imported(write, "optimizer = dict(lr=0.02)\n")
    problem = only(result, "stale-optimizer")
    assert (problem.file, problem.line, problem.severity) == (str(leaf), 2, "error")
    assert "{'type': 'SGD', 'lr': 0.02, 'momentum': 0.9, 'weight_decay': 0.0005}" in problem.message
    assert (
        f"optim_wrapper.optimizer is {{'type': 'SGD', 'lr': 0.01, 'momentum': 0.9, 'weight_decay': 0.0005}} "
        f"({base}:{OPTIM_WRAPPER_LINE})" in problem.message
    )
    assert not [p for p in result.problems if p.code == "stale-helper"]  # one problem, not two


def test_a_top_level_optimizer_used_by_its_file_or_equal_to_the_used_one_is_fine(write: Write) -> None:
    rebuilt, _, _ = imported(write, "optimizer = dict(lr=0.02)\noptim_wrapper = dict(optimizer=optimizer)\n")
    assert rebuilt.imported and rebuilt.experiment.optim_wrapper.optimizer.lr == 0.02
    replaced, _, _ = imported(
        write,
        "optim_wrapper = dict(_delete_=True, type='OptimWrapper', optimizer=dict(type='AdamW', lr=6e-04))\n",
    )
    assert replaced.imported  # the base's SGD `optimizer` is the base's helper, not a setting of the leaf


def test_custom_imports_are_recorded_never_imported(write: Write) -> None:
    result, _, leaf = imported(
        write, "custom_imports = dict(imports=['no_such_package.hooks'], allow_failed_imports=False)\n"
    )
    assert result.imported
    [note] = result.notes
    assert (note.file, note.line) == (str(leaf), 2)
    assert "['no_such_package.hooks'] recorded, not imported" in note.message


def test_runtime_keys_map_one_to_one(write: Write) -> None:
    result, _, _ = imported(
        write,
        """
        tta_model = dict(type='SegTTAModel')
        randomness = dict(seed=304)
        env_cfg = dict(cudnn_benchmark=True, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
        load_from = None
        resume = False
        log_level = 'INFO'
        """,
    )
    exp = result.experiment
    assert (exp.tta_model.type, exp.randomness.seed, exp.env_cfg.cudnn_benchmark) == (
        "SegTTAModel",
        304,
        True,
    )


def test_train_cfg_by_epoch_picks_the_loop(write: Write) -> None:
    iters, _, _ = imported(write, "train_cfg = dict(_delete_=True, by_epoch=False, max_iters=160000)\n")
    assert iters.experiment.train_cfg == IterBasedTrainLoop(max_iters=160000)
    epochs, _, leaf = imported(
        write,
        "train_cfg = dict(_delete_=True, by_epoch=True, max_epochs=12)\nparam_scheduler = []\n"
        "train_dataloader = dict(sampler=dict(type='DefaultSampler', shuffle=True))\n"
        "default_hooks = dict(logger=dict(log_metric_by_epoch=True), checkpoint=dict(by_epoch=True, interval=1))\n"
        "log_processor = dict(by_epoch=True)\n",
    )
    assert epochs.imported, epochs.problems
    assert epochs.experiment.train_cfg == EpochBasedTrainLoop(max_epochs=12)
    mapped = map_to_typedseg(load_mmengine_config(leaf))
    assert mapped.origin[("train_cfg", "type")] == ("train_cfg", "by_epoch")


def test_a_top_level_data_preprocessor_fills_a_model_without_one(write: Write) -> None:
    result, _, _ = imported(
        write,
        "model = dict(_delete_=True, type='EncoderDecoder', backbone=dict(type='UNet'), "
        "decode_head=dict(type='FCNHead', in_channels=64, channels=16, num_classes=4, in_index=4), "
        "test_cfg=dict(mode='whole'))\n"
        "data_preprocessor = dict(type='SegDataPreProcessor', size=(64, 64), mean=[1.0, 1.0, 1.0], "
        "std=[1.0, 1.0, 1.0], pad_val=-7.0)\n",
    )
    assert result.imported, result.problems
    assert result.experiment.model.data_preprocessor.pad_val == -7.0
    assert "used as model.data_preprocessor" in result.notes[0].message and result.notes[0].line == 3


def test_a_top_level_data_preprocessor_the_model_does_not_use_is_an_error(write: Write) -> None:
    inline = "data_preprocessor=dict(type='SegDataPreProcessor', size=crop_size),"
    base = write("base.py", BASE.replace("data_preprocessor=data_preprocessor,", inline))
    result = import_mmengine_config(base)
    problem = only(result, "ignored-key")
    assert (problem.file, problem.line, problem.path, problem.severity) == (
        str(base),
        base_line("data_preprocessor = "),
        ("data_preprocessor",),
        "error",
    )
    assert problem.message.startswith(
        "MMEngine ignores this data_preprocessor ({'type': 'SegDataPreProcessor'"
    )
    assert "the model has its own, {'type': 'SegDataPreProcessor', 'size': (64, 64)}" in problem.message


def test_scoped_types_map_to_ours_and_others_are_unsupported(write: Write) -> None:
    result, _, leaf = imported(
        write,
        """
        model = dict(
            backbone=dict(_delete_=True, type='mmpretrain.ConvNeXt', arch='tiny', out_indices=[0, 1, 2, 3],
                          gap_before_final_norm=False),
            decode_head=dict(type='mmseg.FCNHead', in_channels=768, in_index=3,
                             loss_decode=dict(type='mmdet.FocalLoss')))
        """,
    )
    assert not result.imported
    [unsupported] = result.unsupported
    assert (unsupported.name, unsupported.path, unsupported.location) == (
        "mmdet.FocalLoss",
        ("model", "decode_head", "loss_decode", "type"),
        (str(leaf), 6),
    )
    assert result.data["model"]["backbone"]["type"] == "ConvNeXt"
    assert result.data["model"]["decode_head"]["type"] == "FCNHead"
    assert result.unchecked == ("model",)
    problem = only(result, "unsupported-type")
    assert (problem.file, problem.line) == (str(leaf), 6)
    assert problem.message == "typedseg does not implement the type 'mmdet.FocalLoss'."


def test_the_scoped_convnext_validates_as_ours(write: Write) -> None:
    result, _, _ = imported(
        write,
        """
        model = dict(
            backbone=dict(_delete_=True, type='mmpretrain.ConvNeXt', arch='tiny', out_indices=[3],
                          gap_before_final_norm=False),
            decode_head=dict(in_channels=768, in_index=0))
        """,
    )
    assert result.imported, result.problems
    assert isinstance(result.experiment.model.backbone, ConvNeXt)


def test_unsupported_types_are_listed_and_the_engine_sections_still_checked(write: Write) -> None:
    result, _, leaf = imported(
        write,
        """
        model = dict(backbone=dict(_delete_=True, type='HRNet', extra=dict()))
        train_dataloader = dict(dataset=dict(type='COCOStuffDataset'))
        val_dataloader = dict(batch_size=1, dataset=dict(type='COCOStuffDataset'))
        val_cfg = dict(type='ValLoop')
        val_evaluator = dict(type='IoUMetric')
        param_scheduler = [dict(type='PolyLR', begin=0, end=80000, by_epoch=False)]
        """,
    )
    assert [(u.name, u.path, u.location.line if u.location else None) for u in result.unsupported] == [
        ("HRNet", ("model", "backbone", "type"), 2),
        ("COCOStuffDataset", ("train_dataloader", "dataset", "type"), 3),
        ("COCOStuffDataset", ("val_dataloader", "dataset", "type"), 4),
    ]
    assert result.unchecked == ("model", "train_dataloader", "val_dataloader")
    # The engine sections were validated: the schedule ends at half the run. Leaving out the dataloaders does not
    # make typedseg complain that the train and val stages are incomplete.
    [real] = result.real_problems
    assert (real.code, real.path, real.file, real.line) == (
        "schedule-ends-early",
        ("param_scheduler", 0, "end"),
        str(leaf),
        7,
    )
    assert result.experiment is None


def test_a_dotted_type_is_never_imported(write: Write) -> None:
    result, _, _ = imported(write, "custom_hooks = [dict(type='no_such_package.hooks.Alarm')]\n")
    assert [u.name for u in result.unsupported] == ["no_such_package.hooks.Alarm"]
    assert not [p for p in result.problems if p.code.startswith("user-type")]


def test_unknown_keys_and_hook_slots_are_located_in_the_mmengine_files(write: Write) -> None:
    result, _, leaf = imported(
        write,
        """
        optim_wrapper = dict(
            paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.0, wd_mult=0.0)}))
        default_hooks = dict(chekpoint=dict(type='CheckpointHook', interval=1000))
        """,
    )
    wd_mult, slot = result.real_problems
    assert (wd_mult.code, wd_mult.path, wd_mult.line) == (
        "unknown-key",
        ("optim_wrapper", "paramwise_cfg", "custom_keys", "head", "wd_mult"),
        3,
    )
    assert "nothing reads `wd_mult`: the weight decay of these parameters is unchanged" in wd_mult.hint
    assert (slot.code, slot.path, slot.file, slot.line, slot.hint) == (
        "unknown-key",
        ("default_hooks", "chekpoint"),
        str(leaf),
        4,
        "Did you mean 'checkpoint'?",
    )


def test_a_name_assigned_twice_is_an_error_with_both_lines(write: Write) -> None:
    result, _, leaf = imported(
        write,
        "model = dict(decode_head=dict(num_classes=5))\nwork_dir = 'a'\nmodel = dict(pretrained=None)\n",
    )
    problem = only(result, "assigned-twice")
    assert (problem.file, problem.line, problem.path) == (str(leaf), 2, ("model",))
    assert problem.message == (
        "`model` is assigned twice in this file (lines 2 and 4); Python keeps only the second value, so what "
        "line 2 sets is lost."
    )


def test_a_stale_helper_is_a_warning_and_explains_the_rule_it_breaks(write: Write) -> None:
    result, base, leaf = imported(
        write,
        "crop_size = (128, 128)\ndata_preprocessor = dict(size=crop_size)\n"
        "model = dict(data_preprocessor=data_preprocessor)\n",
    )
    warning = only(result, "stale-helper")
    assert (warning.severity, warning.file, warning.line) == ("warning", str(leaf), 2)
    assert warning.message.startswith("`crop_size` is redefined here as (128, 128), but values a base file ")
    assert (
        f"train_dataloader.dataset.pipeline[2].crop_size = (64, 64) ({base}:{CROP_LINE})" in warning.message
    )
    error = only(result, "crop-size-mismatch")
    assert (error.path, error.file, error.line) == (("model", "data_preprocessor", "size"), str(leaf), 3)
    assert (
        f"Behind this: `crop_size` was redefined at {leaf}:2 as (128, 128), but {base}:{CROP_LINE} computed "
        "train_dataloader.dataset.pipeline[2].crop_size from its old value (64, 64)" in error.hint
    )


def test_deprecated_file_client_args_for_the_disk_backend_are_dropped(write: Write) -> None:
    result, _, _ = imported(
        write,
        "train_pipeline = [dict(type='LoadImageFromFile', file_client_args=dict(backend='disk'))]\n"
        "train_dataloader = dict(dataset=dict(pipeline=[dict(type='LoadImageFromFile', "
        "file_client_args=dict(backend='disk')), dict(type='LoadAnnotations'), dict(type='PackSegInputs')]))\n",
    )
    assert result.imported, result.problems
    assert "file_client_args=dict(backend='disk')" in result.notes[0].message


def test_data_paths_drop_the_union_tags_pydantic_leaves() -> None:
    data = {"model": {"type": "EncoderDecoder", "backbone": {"type": "HRNet"}}}
    assert data_path(data, ("model", "EncoderDecoder", "backbone")) == ("model", "backbone")
    assert data_path(data, ("model", "decode_head", "x")) == ("model", "decode_head", "x")


def test_engine_types_and_settings_typedseg_lacks_are_unsupported(write: Write) -> None:
    result, _, leaf = imported(
        write,
        """
        optim_wrapper = dict(type='ApexOptimWrapper', opt_level='O1')
        sync_bn = 'torch'
        """,
    )
    assert [(u.name, u.kind, u.path, u.location) for u in result.unsupported] == [
        ("ApexOptimWrapper", "type", ("optim_wrapper", "type"), (str(leaf), 2)),
        ("sync_bn", "setting", ("sync_bn",), (str(leaf), 3)),
    ]
    setting = only(result, "unsupported-setting")
    assert setting.message == "MMEngine reads `sync_bn`, but typedseg has no such setting."
    # optim_wrapper is left out of validation; typedseg does not then call the train stage incomplete.
    assert result.real_problems == [] and result.unchecked == ("optim_wrapper",)


def test_the_ddp_settings_map_to_typedseg_fields(write: Write) -> None:
    result, _, _ = imported(write, "find_unused_parameters = True\n")
    assert result.imported, result.problems
    assert result.experiment.find_unused_parameters is True
    assert result.experiment.model_wrapper_cfg is None
    result, _, _ = imported(
        write,
        # MMEngine's Runner fills in type='MMDistributedDataParallel' when the dict has none
        "model_wrapper_cfg = dict(find_unused_parameters=True, broadcast_buffers=False, bucket_cap_mb=50)\n",
    )
    assert result.imported, result.problems
    assert result.experiment.model_wrapper_cfg == MMDistributedDataParallel(
        find_unused_parameters=True, broadcast_buffers=False, bucket_cap_mb=50
    )
    result, _, _ = imported(
        write, "model_wrapper_cfg = dict(type='mmengine.MMDistributedDataParallel', static_graph=True)\n"
    )
    assert result.experiment.model_wrapper_cfg == MMDistributedDataParallel(static_graph=True)


def test_other_model_wrappers_are_unsupported(write: Write) -> None:
    result, _, leaf = imported(write, "model_wrapper_cfg = dict(type='MMFullyShardedDataParallel')\n")
    assert [(u.name, u.path, u.location) for u in result.unsupported] == [
        ("MMFullyShardedDataParallel", ("model_wrapper_cfg", "type"), (str(leaf), 2))
    ]
    assert result.real_problems == [] and result.unchecked == ("model_wrapper_cfg",)


def test_find_unused_parameters_beside_a_model_wrapper_cfg_is_located(write: Write) -> None:
    result, _, leaf = imported(
        write,
        """
        model_wrapper_cfg = dict(type='MMDistributedDataParallel', broadcast_buffers=False)
        find_unused_parameters = True
        """,
    )
    assert not result.imported
    problem = only(result, "find-unused-parameters-ignored")
    assert (problem.file, problem.line, problem.path) == (str(leaf), 3, ("find_unused_parameters",))
    assert "model_wrapper_cfg.find_unused_parameters=False" in problem.message
