"""typedseg -> MMEngine dict-style config: the forms MMCV expects, what is dropped (and said), and the round trip
export -> import giving back an equal experiment."""

from __future__ import annotations

from pathlib import Path

from typedseg.config.base import UnresolvedUserConfig
from typedseg.config.experiment import Experiment
from typedseg.config.hooks import UserHook
from typedseg.config.models.backbones import ConvNeXt
from typedseg.config.models.heads import FCNHead
from typedseg.config.optim import CustomKeyConfig, OptimWrapper, ParamwiseConfig
from typedseg.config.optimizers import AdamW
from typedseg.config.replace import replace
from typedseg.config.schedulers import LinearLR, PolyLR
from typedseg.config.transforms import RandomFlip
from typedseg.loading import load_config
from typedseg.loading.dump import to_data
from typedseg.migrate.importer import ImportResult, import_mmengine_config
from typedseg.migrate.mmengine_config import load_mmengine_config
from typedseg.migrate.to_mmengine import export_mmengine, to_mmengine

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "configs" / "quickstart.py"


class GradNormAlarm(UserHook):
    """A user's own hook config (found by its dotted path, tests.migrate.test_to_mmengine.GradNormAlarm)."""

    threshold: float = 10.0


def quickstart() -> Experiment:
    experiment: Experiment = load_config(QUICKSTART).experiment
    return experiment


def round_trip(experiment: Experiment, tmp_path: Path) -> tuple[str, ImportResult]:
    text = to_mmengine(experiment)
    path = tmp_path / "exported.py"
    path.write_text(text, encoding="utf-8")
    return text, import_mmengine_config(path)


def test_the_quickstart_comes_back_equal(tmp_path: Path) -> None:
    experiment = quickstart()
    text, back = round_trip(experiment, tmp_path)
    assert back.imported, back.problems
    assert back.experiment == experiment
    assert back.problems == [] and back.notes == []
    assert "train_cfg = dict(type='IterBasedTrainLoop', max_iters=400, val_interval=100)\n" in text
    assert "    sampler=dict(type='InfiniteSampler'),\n" in text  # shuffle=True is its default
    assert "schema_version" not in text


def test_sequences_take_the_forms_mmcv_checks(tmp_path: Path) -> None:
    experiment = replace(
        quickstart(),
        {
            "model.auxiliary_head": [
                FCNHead(in_channels=32, channels=8, num_convs=1, num_classes=4, in_index=2)
            ],
            "train_dataloader.dataset.pipeline[RandomFlip]": RandomFlip(
                prob=[0.3, 0.2], direction=["horizontal", "vertical"]
            ),
            "optim_wrapper": OptimWrapper(
                optimizer=AdamW(lr=0.001, betas=(0.9, 0.99), weight_decay=0.01),
                paramwise_cfg=ParamwiseConfig(custom_keys={"backbone.norm": CustomKeyConfig(decay_mult=0.0)}),
            ),
        },
    )
    text, back = round_trip(experiment, tmp_path)
    assert back.imported and back.experiment == experiment
    data = load_mmengine_config(tmp_path / "exported.py").data
    model = data["model"]
    assert isinstance(model["auxiliary_head"], list) and model["auxiliary_head"][0]["type"] == "FCNHead"
    assert model["data_preprocessor"]["size"] == (64, 64)
    pipeline = data["train_dataloader"]["dataset"]["pipeline"]
    assert pipeline[2] == {"type": "RandomCrop", "crop_size": (64, 64), "cat_max_ratio": 0.75}
    assert pipeline[3] == {"type": "RandomFlip", "prob": [0.3, 0.2], "direction": ["horizontal", "vertical"]}
    assert data["optim_wrapper"]["optimizer"]["betas"] == (0.9, 0.99)
    assert data["model"]["backbone"]["strides"] == [1, 1, 1, 1]
    assert "custom_keys={'backbone.norm': dict(decay_mult=0.0)}" in text


def test_end_none_is_written_as_the_run_length_and_chained_is_dropped_with_a_comment(tmp_path: Path) -> None:
    experiment = replace(
        quickstart(),
        param_scheduler=[
            LinearLR(start_factor=0.1, begin=0, end=20, by_epoch=False),
            PolyLR(eta_min=1e-4, power=0.9, begin=0, by_epoch=False, chained=True),
        ],
    )
    exported = export_mmengine(experiment)
    assert (
        "    dict(\n"
        "        type='PolyLR',\n"
        "        begin=0,\n"
        "        end=400,\n"
        "        by_epoch=False,\n"
        "        eta_min=0.0001,\n"
        "        power=0.9,\n"
        "        # end: typedseg's None (until the end of training), written as train_cfg.max_iters.\n"
        "        # typedseg's chained=True dropped: MMEngine always multiplies overlapping schedulers\n"
        "        # (chained only silences typedseg's overlap rule).\n"
        "    ),\n"
    ) in exported.text
    assert "param_scheduler[1]: chained=True dropped (typedseg only)." in exported.notes
    # Without typedseg's `chained`, the overlap the author meant is reported again on the way back.
    _, back = round_trip(experiment, tmp_path)
    [overlap] = back.problems
    assert (overlap.code, overlap.path) == ("schedule-overlap", ("param_scheduler", 1, "begin"))


def test_a_user_class_is_written_by_its_dotted_path_with_custom_imports(tmp_path: Path) -> None:
    experiment = replace(quickstart(), custom_hooks=[GradNormAlarm(threshold=3.5, priority="LOW")])
    text, back = round_trip(experiment, tmp_path)
    module = GradNormAlarm.__module__
    assert f"custom_imports = dict(imports=['{module}'], allow_failed_imports=False)\n" in text
    assert f"    dict(type='{module}.GradNormAlarm', priority='LOW', threshold=3.5),\n" in text
    assert back.imported, back.problems
    # `typedseg import` never imports: the hook comes back as the data the file wrote, its settings unchecked.
    [hook] = back.experiment.custom_hooks
    assert isinstance(hook, UnresolvedUserConfig)
    assert to_data(hook) == {"type": f"{module}.GradNormAlarm", "priority": "LOW", "threshold": 3.5}
    assert replace(back.experiment, custom_hooks=[]) == replace(experiment, custom_hooks=[])
    [unchecked] = back.warnings
    assert (unchecked.code, unchecked.path) == ("user-type-unchecked", ("custom_hooks", 0))
    [note] = back.notes
    assert f"custom_imports ['{module}'] recorded" in note.message


def test_a_class_mmsegmentation_takes_from_mmpretrain_gets_its_scope(tmp_path: Path) -> None:
    experiment = replace(
        quickstart(),
        {
            "model.backbone": ConvNeXt(arch="tiny", out_indices=[3], gap_before_final_norm=False),
            "model.decode_head.in_channels": 768,
            "model.decode_head.in_index": 0,
        },
    )
    text, back = round_trip(experiment, tmp_path)
    assert "custom_imports = dict(imports=['mmpretrain.models'], allow_failed_imports=False)\n" in text
    assert "type='mmpretrain.ConvNeXt'" in text
    assert back.imported, back.problems
    assert back.experiment == experiment


def test_a_default_scope_mmsegmentation_cannot_use_is_kept_and_said() -> None:
    exported = export_mmengine(quickstart())
    [note] = exported.notes
    assert note.startswith("default_scope is 'mmengine' (typedseg's default)")
    assert exported.text.splitlines()[3].startswith("# NOTE: default_scope is 'mmengine'")
    assert "default_scope" not in "".join(
        line for line in exported.text.splitlines() if not line.startswith("#")
    )
    scoped = export_mmengine(replace(quickstart(), default_scope="mmseg"))
    assert scoped.notes == [] and "\ndefault_scope = 'mmseg'\n" in scoped.text


def test_only_settings_that_differ_from_the_defaults_are_written(tmp_path: Path) -> None:
    """A config that spells out every default (what `show --format python` and `import` write) exports like one
    that leaves them out: MMEngine reads the same defaults, and older MMEngine rejects some of them (use_fsdp)."""
    from typedseg.loading.dump import to_python

    source = ROOT / "configs" / "convnext-tiny_upernet_8xb2-amp-160k_ade20k-512x512.py"  # AmpOptimWrapper
    experiment = load_config(source).experiment
    spelled_out = tmp_path / "spelled_out.py"
    spelled_out.write_text(to_python(experiment), encoding="utf-8")
    again = load_config(spelled_out).experiment
    assert again == experiment
    text = to_mmengine(again)
    assert text == to_mmengine(experiment)
    for default in (
        "use_fsdp=False",
        "resume=False",
        "dtype=None",
        "accumulative_counts=1",
        "load_from=None",
    ):
        assert default not in text
    assert "type='AmpOptimWrapper'" in text
