"""MMEngine's inheritance: `_base_` files, recursive dict merge, `_delete_`, conflicts, and base references."""

from __future__ import annotations

import pytest

from tests.migrate.conftest import Write
from typedseg.migrate.mmengine_config import MMConfigError, load_mmengine_config
from typedseg.problems import Problem

BASE = """
model = dict(
    type='EncoderDecoder',
    backbone=dict(type='ResNetV1c', depth=50, strides=(1, 2, 1, 1)),
    decode_head=dict(type='ASPPHead', num_classes=19, loss_decode=dict(type='CrossEntropyLoss')))
param_scheduler = [dict(type='PolyLR', begin=0, end=80000), dict(type='ConstantLR', begin=80000, end=90000)]
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9), clip_grad=None)
work_dir = 'work_dirs/base'
"""


def problems(path: object) -> list[Problem]:
    with pytest.raises(MMConfigError) as info:
        load_mmengine_config(str(path))
    return info.value.problems


def test_child_dicts_merge_recursively_and_everything_else_replaces(write: Write) -> None:
    write("base.py", BASE)
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        model = dict(backbone=dict(depth=101), decode_head=dict(num_classes=150))
        param_scheduler = [dict(type='LinearLR', begin=0, end=1500)]
        work_dir = None
        """,
    )
    data = load_mmengine_config(leaf).data
    assert data["model"] == {
        "type": "EncoderDecoder",
        "backbone": {"type": "ResNetV1c", "depth": 101, "strides": (1, 2, 1, 1)},
        "decode_head": {"type": "ASPPHead", "num_classes": 150, "loss_decode": {"type": "CrossEntropyLoss"}},
    }
    assert data["param_scheduler"] == [{"type": "LinearLR", "begin": 0, "end": 1500}]  # lists never merge
    assert data["work_dir"] is None
    assert list(data) == ["model", "param_scheduler", "optim_wrapper", "work_dir"]  # the base's key order


def test_delete_replaces_the_base_dict_and_is_dropped(write: Write) -> None:
    write("base.py", BASE)
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        optim_wrapper = dict(_delete_=True, type='AmpOptimWrapper', optimizer=dict(type='AdamW', lr=6e-5))
        model = dict(backbone=dict(_delete_=False, depth=18))
        """,
    )
    result = load_mmengine_config(leaf)
    assert result.data["optim_wrapper"] == {
        "type": "AmpOptimWrapper",
        "optimizer": {"type": "AdamW", "lr": 6e-5},
    }
    # `_delete_=False` is popped too, and the dict merges.
    assert result.data["model"]["backbone"] == {"type": "ResNetV1c", "depth": 18, "strides": (1, 2, 1, 1)}
    assert result.leftover_deletes == ()


def test_delete_stays_where_mmengine_leaves_it(write: Write) -> None:
    """MMEngine pops `_delete_` only when the base has the key (`if k in b and not v.pop(DELETE_KEY, False)`)."""
    write("base.py", BASE)
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        custom_hooks = dict(_delete_=True, type='EMAHook')
        optim_wrapper = dict(_delete_=True, type='OptimWrapper', optimizer=dict(_delete_=True, type='SGD'))
        """,
    )
    result = load_mmengine_config(leaf)
    assert result.data["custom_hooks"] == {"_delete_": True, "type": "EMAHook"}
    assert result.data["optim_wrapper"] == {
        "type": "OptimWrapper",
        "optimizer": {"_delete_": True, "type": "SGD"},
    }
    assert result.leftover_deletes == (
        ("optim_wrapper", "optimizer", "_delete_"),
        ("custom_hooks", "_delete_"),
    )


def test_a_key_in_two_bases_is_an_error_with_both_locations(write: Write) -> None:
    a = write("a.py", "norm_cfg = dict(type='BN')\nmodel = dict(type='A')\n")
    b = write("b.py", "x = 1\nmodel = dict(type='B')\nnorm_cfg = dict(type='SyncBN')\n")
    leaf = write("leaf.py", "_base_ = [\n    './a.py',\n    './b.py']\nmodel = dict(type='C')\n")
    found = problems(leaf)
    assert [(p.code, p.path, p.file, p.line) for p in found] == [
        ("mmconfig-base-conflict", ("model",), str(leaf), 1),
        ("mmconfig-base-conflict", ("norm_cfg",), str(leaf), 1),
    ]
    assert f"{a}:2" in found[0].message and f"{b}:2" in found[0].message
    assert f"{a}:1" in found[1].message and f"{b}:3" in found[1].message


def test_a_child_dict_over_a_base_non_dict_is_mmengines_type_error(write: Write) -> None:
    write("base.py", BASE)
    leaf = write(
        "leaf.py",
        """
        _base_ = './base.py'
        model = dict(
            backbone=dict(
                strides=dict(a=1)))
        """,
    )
    [found] = problems(leaf)
    assert (found.code, found.path, found.file, found.line) == (
        "mmconfig-merge-type",
        ("model", "backbone", "strides"),
        str(leaf),
        4,
    )
    assert "tuple in the base" in found.message and "TypeError" in found.message
    assert "_delete_=True" in found.hint

    fixed = write("fixed.py", "_base_ = './base.py'\nparam_scheduler = dict(_delete_=True, type='PolyLR')\n")
    assert load_mmengine_config(fixed).data["param_scheduler"] == {"type": "PolyLR"}


def test_a_child_non_dict_over_a_base_dict_replaces_it(write: Write) -> None:
    write("base.py", BASE)
    leaf = write("leaf.py", "_base_ = './base.py'\nmodel = [1, 2]\noptim_wrapper = None\n")
    data = load_mmengine_config(leaf).data
    assert data["model"] == [1, 2]
    assert data["optim_wrapper"] is None


def test_bases_load_recursively_relative_to_each_file(write: Write) -> None:
    root = write(
        "configs/_base_/schedule.py", "train_cfg = dict(type='IterBasedTrainLoop', max_iters=80000)\n"
    )
    middle = write(
        "configs/family/middle.py",
        "_base_ = ['../_base_/schedule.py']\ntrain_cfg = dict(val_interval=8000)\n",
    )
    leaf = write("configs/family/leaf.py", "_base_ = './middle.py'\ntrain_cfg = dict(max_iters=40000)\n")
    result = load_mmengine_config(leaf)
    assert result.data["train_cfg"] == {
        "type": "IterBasedTrainLoop",
        "max_iters": 40000,
        "val_interval": 8000,
    }
    assert result.files == (str(root), str(middle), str(leaf))
    assert result.bases[str(leaf)] == (str(middle),)


def test_base_references_resolve_against_the_merged_bases(write: Write) -> None:
    write("base.py", BASE)
    write("data.py", "data_root = 'data/cityscapes/'\ncrop_size = (512, 1024)\n")
    leaf = write(
        "leaf.py",
        """
        _base_ = ['./base.py', './data.py']
        num_classes = {{_base_.model.decode_head.num_classes}}
        head = {{ _base_.model.decode_head }}
        depth = _base_.model.backbone.depth * 2 + 1
        root = _base_.data_root + 'leftImg8bit'
        size = _base_['crop_size'][1]
        model = dict(decode_head=dict(num_classes=_base_.model.decode_head.num_classes + 1), aux=num_classes)
        """,
    )
    result = load_mmengine_config(leaf)
    data = result.data
    assert data["num_classes"] == 19
    assert data["head"] == {
        "type": "ASPPHead",
        "num_classes": 19,
        "loss_decode": {"type": "CrossEntropyLoss"},
    }
    assert (data["depth"], data["root"], data["size"]) == (101, "data/cityscapes/leftImg8bit", 1024)
    assert data["model"]["decode_head"]["num_classes"] == 20
    assert data["model"]["aux"] == 19  # a placeholder anywhere in a value is substituted, as in MMEngine
    # The substituted value is written at the leaf's line; what is inside it keeps the base's lines.
    assert result.provenance[("head",)].line == 3
    assert result.provenance[("head", "loss_decode", "type")].file.endswith("base.py")


def test_base_reference_errors(write: Write) -> None:
    write("base.py", BASE)
    [missing] = problems(write("a.py", "_base_ = './base.py'\nx = 1\ny = {{_base_.model.neck}}\n"))
    assert (missing.code, missing.line) == ("mmconfig-base-var", 3)
    [quoted] = problems(write("b.py", "_base_ = './base.py'\ny = '{{_base_.work_dir}}'\n"))
    assert (quoted.code, quoted.line) == ("mmconfig-unsupported", 2)
    [combined] = problems(write("c.py", "_base_ = './base.py'\ny = {{_base_.work_dir}} + '/x'\n"))
    assert (combined.code, combined.line) == ("mmconfig-unsupported", 2)
    [attribute] = problems(write("d.py", "_base_ = './base.py'\ny = _base_.model.neck\n"))
    assert (attribute.code, attribute.line) == ("mmconfig-eval-error", 2)
    assert "has no attribute 'neck'" in attribute.message


def test_predefined_variables_are_substituted_in_the_text(write: Write) -> None:
    leaf = write(
        "configs/deeplab_r50.py",
        """
        work_dir = './work_dirs/{{ fileBasenameNoExtension }}'
        here = '{{fileDirname}}'
        name = '{{ fileBasename }}'
        ext = '{{ fileExtname }}'
        """,
    )
    data = load_mmengine_config(leaf).data
    assert data == {
        "work_dir": "./work_dirs/deeplab_r50",
        "here": str(leaf.parent),
        "name": "deeplab_r50.py",
        "ext": ".py",
    }


def test_missing_external_and_cyclic_bases(write: Write) -> None:
    [missing] = problems(write("a.py", "x = 1\n_base_ = ['./nope.py']\n"))
    assert (missing.code, missing.line) == ("mmconfig-missing-base", 2)
    assert "'./nope.py' not found" in missing.message

    scoped = write("b.py", "_base_ = ['mmdet::_base_/models/mask-rcnn_r50_fpn.py', 'mmpretrain::x.py']\n")
    found = problems(scoped)
    assert [(p.code, p.line) for p in found] == [("mmconfig-external-base", 1)] * 2
    assert "scope 'mmdet'" in found[0].message and "scope 'mmpretrain'" in found[1].message

    write("c.py", "_base_ = './d.py'\n")
    [cycle] = problems(write("d.py", "_base_ = './c.py'\n"))
    assert cycle.code == "mmconfig-base-cycle"

    [bad] = problems(write("e.py", "_base_ = ('./a.py', './b.py')\n"))
    assert bad.code == "mmconfig-bad-base"


def test_custom_imports_are_recorded_never_imported(write: Write) -> None:
    write("base.py", "custom_imports = dict(imports='no_such_package.models', allow_failed_imports=False)\n")
    leaf = write("leaf.py", "_base_ = './base.py'\nmodel = dict(type='X')\n")
    result = load_mmengine_config(leaf)
    assert result.custom_imports is not None
    assert result.custom_imports.imports == ("no_such_package.models",)
    assert result.custom_imports.allow_failed_imports is False
    assert result.custom_imports.location.file.endswith("base.py")
    assert result.data["custom_imports"] == {
        "imports": "no_such_package.models",
        "allow_failed_imports": False,
    }


def test_reserved_and_private_top_level_names(write: Write) -> None:
    [reserved] = problems(write("a.py", "x = 1\nfilename = 'a'\n"))
    assert (reserved.code, reserved.line) == ("mmconfig-reserved-key", 2)
    data = load_mmengine_config(write("b.py", "__hidden = 1\nx = __hidden + 1\n")).data
    assert data == {"x": 2}
