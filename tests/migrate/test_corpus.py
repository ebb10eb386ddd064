"""The 769 configs of mmsegmentation 1.2.2: all read, values as MMEngine gives them, and what they get wrong.

Counts below marked "MMEngine" were measured with MMEngine 0.10.7's `Config.fromfile` over the same corpus
(docs: shared reference, section 6.3); the reader must agree with them exactly.
"""

from __future__ import annotations

from collections import Counter

from tests.migrate.conftest import Corpus
from typedseg.migrate.mmengine_config import Reassignment, stale_helpers


def test_every_config_is_read_quickly(corpus: Corpus) -> None:
    assert corpus.errors == {}
    assert len(corpus.results) == 769
    assert len(corpus.leaves) == 681
    assert corpus.seconds < 30, f"reading the corpus took {corpus.seconds:.1f} s"


def test_a_well_known_leaf(corpus: Corpus) -> None:
    result = corpus["deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py"]
    data = result.data
    assert data["model"]["decode_head"]["num_classes"] == 19
    assert data["train_cfg"] == {"type": "IterBasedTrainLoop", "max_iters": 80000, "val_interval": 8000}
    assert data["optim_wrapper"]["optimizer"]["lr"] == 0.01
    assert data["param_scheduler"][0]["end"] == 80000
    [crop] = [
        step for step in data["train_dataloader"]["dataset"]["pipeline"] if step["type"] == "RandomCrop"
    ]
    assert crop["crop_size"] == (512, 1024) and type(crop["crop_size"]) is tuple
    assert data["model"]["data_preprocessor"]["size"] == (512, 1024)
    assert data["model"]["backbone"]["strides"] == (1, 2, 1, 1)
    assert data["model"]["data_preprocessor"]["mean"] == [123.675, 116.28, 103.53]

    where = {
        path: (loc.file.removeprefix(str(corpus.root) + "/"), loc.line)
        for path, loc in result.provenance.items()
    }
    assert where[("model", "decode_head", "num_classes")] == ("_base_/models/deeplabv3_r50-d8.py", 32)
    assert where[("train_cfg", "max_iters")] == ("_base_/schedules/schedule_80k.py", 15)
    assert where[("optim_wrapper", "optimizer", "lr")] == ("_base_/schedules/schedule_80k.py", 2)
    assert where[("param_scheduler", 0, "end")] == ("_base_/schedules/schedule_80k.py", 11)
    assert where[("model", "data_preprocessor", "size")] == (
        "deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py",
        6,
    )
    assert [f.removeprefix(str(corpus.root) + "/") for f in result.files] == [
        "_base_/models/deeplabv3_r50-d8.py",
        "_base_/datasets/cityscapes.py",
        "_base_/default_runtime.py",
        "_base_/schedules/schedule_80k.py",
        "deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py",
    ]


def test_agrees_with_what_mmengine_measured(corpus: Corpus) -> None:
    leaves = [result.data for result in corpus.leaves.values()]
    assert Counter(d["optim_wrapper"]["type"] for d in leaves) == {"OptimWrapper": 661, "AmpOptimWrapper": 20}
    assert Counter(d["optim_wrapper"]["optimizer"]["type"] for d in leaves) == {
        "SGD": 577,
        "AdamW": 102,
        "Adam": 2,
    }
    assert Counter(d["train_cfg"]["max_iters"] for d in leaves) == {
        80000: 277,
        40000: 175,
        160000: 165,
        20000: 40,
        320000: 6,
        90000: 6,
        120000: 5,
        60000: 4,
        25000: 2,
        300000: 1,
    }
    assert Counter("+".join(s["type"] for s in d["param_scheduler"]) for d in leaves) == {
        "PolyLR": 585,
        "LinearLR+PolyLR": 85,
        "LinearLR+MultiStepLR": 9,
        "LinearLR+PolyLRRatio+ConstantLR": 2,
    }
    assert sum(len(d["param_scheduler"]) for d in leaves) == 779
    assert Counter(repr(d["optim_wrapper"].get("clip_grad")) for d in leaves) == {
        "None": 652,
        "{'max_norm': 0.01, 'norm_type': 2}": 20,
        "{'max_norm': 1, 'norm_type': 2}": 9,
    }
    assert sum("paramwise_cfg" in d["optim_wrapper"] for d in leaves) == 94
    assert sum("runner" in d for d in leaves) == 4 and sum("fp16" in d for d in leaves) == 2
    late_end = sorted(
        name.rsplit("/", 1)[1]
        for name, result in corpus.leaves.items()
        if result.data["param_scheduler"][-1]["end"] != result.data["train_cfg"]["max_iters"]
    )
    assert late_end == [
        "beit-large_upernet_8xb1-amp-160k_ade20k-640x640.py",
        "beit-large_upernet_8xb1-amp-160k_ade20k-640x640_ms.py",
        "ocrnet_r101-d8_8xb2-80k_cityscapes-512x1024.py",
    ]
    # 17 configs carry custom_imports (mmpretrain 13, mmdet 4): recorded, never imported.
    imports = Counter(
        r.custom_imports.imports for r in corpus.results.values() if r.custom_imports is not None
    )
    assert imports == {("mmpretrain.models",): 13, ("mmdet.models",): 4}
    assert all(result.leftover_deletes == () for result in corpus.results.values())


def test_constructs_beyond_plain_dicts(corpus: Corpus) -> None:
    swin = corpus["mask2former/mask2former_swin-b-in1k-384x384-pre_8xb2-160k_ade20k-640x640.py"]
    custom_keys = swin.data["optim_wrapper"]["paramwise_cfg"][
        "custom_keys"
    ]  # filled by custom_keys.update({...})
    assert len(custom_keys) == 35
    assert custom_keys["backbone.stages.2.blocks.17.norm"] == {"lr_mult": 0.1, "decay_mult": 0.0}
    assert swin.data["model"]["decode_head"]["loss_cls"]["class_weight"] == [1.0] * 150 + [0.1]
    ddrnet = corpus["ddrnet/ddrnet_23_in1k-pre_2xb6-120k_cityscapes-1024x1024.py"].data
    assert ddrnet["train_cfg"]["val_interval"] == 12000  # iters // 10
    hrnet = corpus["hrnet/fcn_hr48_4xb2-160k_cityscapes-512x1024.py"].data
    assert hrnet["model"]["decode_head"]["channels"] == 720  # sum([48, 96, 192, 384])
    assert (
        corpus["gcnet/gcnet_r50-d8_4xb2-40k_cityscapes-512x1024.py"].data["model"]["decode_head"]["ratio"]
        == 0.25
    )
    san = corpus["san/san-vit-b16_coco-stuff164k-640x640.py"].data
    assert san["train_pipeline"][2]["scales"] == [320, 384, 448, 512, 576, 640, 704, 768, 832, 896, 960]
    nyu = corpus["vpd/vpd_sd_4xb8-25k_nyu-480x480.py"].data  # dict(dict(type='LoadDepthAnnotation', ...))
    assert {"type": "LoadDepthAnnotation", "depth_rescale_factor": 0.001} in nyu["train_pipeline"]


def test_names_assigned_twice_in_one_file(corpus: Corpus) -> None:
    found = {
        (r.file.removeprefix(str(corpus.root) + "/"), r.name, r.first_line, r.second_line)
        for result in corpus.results.values()
        for r in result.reassigned
    }
    knet = "knet/knet-s3_swin-l_upernet_8xb2-adamw-80k_ade20k-640x640.py"
    # K-Net's and SETR's crop_size are written twice with the same value: nothing is lost, nothing reported.
    assert found == {
        (knet, "train_dataloader", 51, 55),
        (knet, "val_dataloader", 52, 56),
        (knet, "test_dataloader", 53, 57),
        ("sem_fpn/fpn_r101_4xb4-160k_ade20k-512x512.py", "model", 2, 5),
    }
    assert isinstance(next(iter(corpus[knet].reassigned)), Reassignment)
    # The consequences, as MMEngine computes them: fpn_r101 trains a ResNet-50 ...
    fpn = corpus["sem_fpn/fpn_r101_4xb4-160k_ade20k-512x512.py"].data["model"]
    assert (fpn["backbone"]["depth"], fpn["pretrained"]) == (50, "open-mmlab://resnet50_v1c")
    # ... and the 640x640 K-Net trains with the base's 512x512 crops.
    [crop] = [
        s for s in corpus[knet].data["train_dataloader"]["dataset"]["pipeline"] if s["type"] == "RandomCrop"
    ]
    assert crop["crop_size"] == (512, 512)


def test_stale_helpers_in_the_corpus(corpus: Corpus) -> None:
    found = {
        (name, helper.name) for name, result in corpus.results.items() for helper in stale_helpers(result)
    }
    pspnet = [
        f"pspnet/pspnet_{net}_4xb2-{iters}_cityscapes-512x1024_{target}-1920x1080.py"
        for net, iters in (("r50-d8", "40k"), ("r50-d8", "80k"), ("r101-d8", "40k"), ("r101b-d8", "80k"))
        for target in ("dark-zurich", "night-driving")
    ]
    knet = "knet/knet-s3_swin-l_upernet_8xb2-adamw-80k_ade20k-640x640.py"
    assert found == {
        ("bisenetv2/bisenetv2_fcn_4xb4-ohem-160k_cityscapes-1024x1024.py", "data_preprocessor"),
        ("deeplabv3plus/deeplabv3plus_r50-d8_4xb2-300k_mapillay_v1_65-1280x1280.py", "crop_size"),
        (knet, "crop_size"),
        (knet, "train_pipeline"),
        (knet, "test_pipeline"),
        ("san/san-vit-b16_pascal_context-640x640.py", "crop_size"),
        ("san/san-vit-l14_pascal_context-640x640.py", "crop_size"),
        ("san/san-vit-b16_voc12aug-640x640.py", "crop_size"),
        ("san/san-vit-l14_voc12aug-640x640.py", "crop_size"),
        ("swin/swin-tiny-patch4-window7_upernet_1xb8-20k_levir-256x256.py", "norm_cfg"),
        *((name, "test_pipeline") for name in pspnet),
    }

    def rel(file: str) -> str:
        return file.removeprefix(str(corpus.root) + "/")

    [mapillary] = stale_helpers(
        corpus["deeplabv3plus/deeplabv3plus_r50-d8_4xb2-300k_mapillay_v1_65-1280x1280.py"]
    )
    assert mapillary.new_value == (1280, 1280)
    assert [(s.path, s.value, rel(s.location.file), s.location.line) for s in mapillary.stale_paths] == [
        (
            ("train_dataloader", "dataset", "pipeline", 3, "crop_size"),
            (512, 1024),
            "_base_/datasets/mapillary_v1.py",
            13,
        ),
        (("train_pipeline", 3, "crop_size"), (512, 1024), "_base_/datasets/mapillary_v1.py", 13),
    ]

    [levir] = stale_helpers(corpus["swin/swin-tiny-patch4-window7_upernet_1xb8-20k_levir-256x256.py"])
    assert levir.new_value == {"type": "BN", "requires_grad": True}
    assert [(s.path, s.value["type"]) for s in levir.stale_paths] == [
        (("model", "auxiliary_head", "norm_cfg"), "SyncBN"),
        (("model", "decode_head", "norm_cfg"), "SyncBN"),
    ]

    # `models = dict(data_preprocessor=...)` (sic): the model keeps a preprocessor without `size`.
    [bisenet] = stale_helpers(corpus["bisenetv2/bisenetv2_fcn_4xb4-ohem-160k_cityscapes-1024x1024.py"])
    [preprocessor] = bisenet.stale_paths
    assert preprocessor.path == ("model", "data_preprocessor") and "size" not in preprocessor.value
    assert bisenet.new_value["size"] == (1024, 1024)
