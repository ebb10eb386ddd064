"""Reference fixtures for typedseg.models, computed by MMSegmentation 1.2.2 itself.

Run in the oracle venv (never imported by the package or the tests):

    /work/oracle-venv/bin/python scripts/oracle/models_fixtures.py [family ...]

Each family builds MMSeg's model for a small config, fills every parameter and buffer from a seeded generator,
and saves to tests/fixtures/models/<family>.pt (loadable with torch.load(weights_only=True)): the state_dict's
names and shapes, the seeded state_dict when it is small, inputs, "tensor" logits, "predict" logits and labels
and the "loss" values. The tests build the same config with typedseg, load the weights strictly and compare.
"""

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import mmseg_stub  # noqa: F401  (before any mmseg import)
import torch
from mmengine.config import ConfigDict
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import register_all_modules

register_all_modules()
OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "models"
BN = dict(type="BN", requires_grad=True)


def seed_weights(model: torch.nn.Module, seed: int) -> None:
    """Every float parameter and buffer from N(0, 0.2); running variances and norm weights near 1. Values are
    rounded to float16, so the fixtures store them in half the space and load back exactly."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if name.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=gen) + 0.5)
            elif (
                (".bn." in name or ".ln" in name or "norm" in name)
                and name.endswith("weight")
                and tensor.ndim == 1
            ):
                tensor.copy_(torch.rand(tensor.shape, generator=gen) * 0.5 + 0.75)
            else:
                tensor.copy_(torch.randn(tensor.shape, generator=gen) * 0.2)
            tensor.copy_(tensor.half().float())


def keys_and_shapes(model: torch.nn.Module) -> list[list[Any]]:
    return [[name, list(t.shape)] for name, t in model.state_dict().items()]


def sample(label: torch.Tensor | None, **meta: Any) -> SegDataSample:
    s = SegDataSample(metainfo=meta)
    if label is not None:
        s.gt_sem_seg = PixelData(data=label)
    return s


def labels(gen: torch.Generator, n: int, classes: int, h: int, w: int) -> torch.Tensor:
    out = torch.randint(0, classes, (n, 1, h, w), generator=gen)
    out[:, :, :3, :5] = 255  # some ignored pixels
    return out


def run_model(
    cfg: dict[str, Any],
    seed: int,
    inputs: torch.Tensor,
    classes: int,
    store_weights: bool,
    bare: bool = False,
    train_loss: bool = False,
) -> dict[str, Any]:
    torch.manual_seed(0)
    model = MODELS.build(ConfigDict(cfg))
    seed_weights(model, seed)
    model.eval()
    gen = torch.Generator().manual_seed(seed + 1)
    n, _, h, w = inputs.shape
    gt = labels(gen, n, classes, h, w)
    out: dict[str, Any] = {"inputs": inputs, "labels": gt.to(torch.uint8)}
    if not store_weights:
        out["keys"] = keys_and_shapes(model)
    else:
        out["state_dict"] = {
            k: v.half() if v.is_floating_point() else v.clone() for k, v in model.state_dict().items()
        }
    with torch.no_grad():
        out["tensor"] = model(inputs, None, mode="tensor")
        losses = model(inputs, [sample(gt[i]) for i in range(n)], mode="loss")
        out["loss"] = {k: v.detach().reshape(-1)[0].clone() for k, v in losses.items()}
        ori = (h - 5, w + 7)
        samples = [
            sample(None, ori_shape=ori, img_shape=(h - 3, w - 4), pad_shape=(h, w), padding_size=[0, 4, 0, 3])
            for _ in range(n)
        ]
        if n > 1:
            samples[1].set_metainfo(dict(flip=True, flip_direction="horizontal"))
        preds = model(inputs, samples, mode="predict")
        out["predict_logits"] = torch.stack([p.seg_logits.data for p in preds])
        out["predict_labels"] = torch.stack([p.pred_sem_seg.data for p in preds]).to(torch.uint8)
        # training mode: batch statistics (but norm_eval/frozen stages); the config has no dropout
        if train_loss:
            model.train()
            losses = model(inputs, [sample(gt[i]) for i in range(n)], mode="loss")
            out["loss_train"] = {k: v.detach().reshape(-1)[0].clone() for k, v in losses.items()}
            model.eval()
        if bare:
            preds = model(inputs, None, mode="predict")
            out["predict_bare_logits"] = torch.stack([p.seg_logits.data for p in preds])
    return out


def save(name: str, payload: dict[str, Any]) -> None:
    path = OUT / f"{name}.pt"
    torch.save(payload, path)
    torch.load(path, weights_only=True)
    for key, value in payload.items():
        buffer = io.BytesIO()
        torch.save(value, buffer)
        print(f"  {key}: {len(buffer.getvalue()) / 1024:.1f} KiB")
    print(f"{path.relative_to(OUT.parents[2])}: {path.stat().st_size / 1024:.1f} KiB")


# ---------------------------------------------------------------------------------------------------------
# family 1: UNet + FCN, slide inference, the data pre-processor, the cross-entropy loss
# ---------------------------------------------------------------------------------------------------------

UNET_FCN = dict(
    type="EncoderDecoder",
    data_preprocessor=dict(
        type="SegDataPreProcessor",
        mean=[120.0, 110.0, 100.0],
        std=[60.0, 50.0, 40.0],
        bgr_to_rgb=True,
        size=(32, 32),
        pad_val=0,
        seg_pad_val=255,
    ),
    backbone=dict(
        type="UNet",
        in_channels=3,
        base_channels=4,
        num_stages=4,
        strides=(1, 1, 2, 1),
        enc_num_convs=(2, 1, 2, 2),
        dec_num_convs=(2, 2, 1),
        downsamples=(True, True, True),
        enc_dilations=(1, 1, 1, 2),
        dec_dilations=(1, 1, 1),
        norm_cfg=BN,
        act_cfg=dict(type="ReLU"),
        upsample_cfg=dict(type="InterpConv"),
        norm_eval=False,
    ),
    decode_head=dict(
        type="FCNHead",
        in_channels=4,
        in_index=3,
        channels=8,
        num_convs=2,
        concat_input=True,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=[
            dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0),
            dict(type="CrossEntropyLoss", loss_weight=0.4, avg_non_ignore=True, loss_name="loss_ce"),
        ],
    ),
    auxiliary_head=dict(
        type="FCNHead",
        in_channels=8,
        in_index=2,
        channels=4,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=0.4, loss_name="loss_aux"),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)

UNET_DECONV = dict(
    UNET_FCN,
    backbone=dict(
        UNET_FCN["backbone"],
        upsample_cfg=dict(type="DeconvModule", kernel_size=4, scale_factor=2),
        strides=(1, 1, 1, 1),
    ),
    auxiliary_head=None,
)


def family_unet() -> None:
    gen = torch.Generator().manual_seed(11)
    inputs = torch.randn(2, 3, 32, 32, generator=gen)
    payload = run_model(UNET_FCN, 1, inputs, 4, store_weights=True, bare=True)
    deconv = run_model(UNET_DECONV, 2, inputs[:1].clone(), 4, store_weights=True)
    save("unet_deconv", deconv)
    # slide inference on a 32x48 input, 16x16 windows every 12 pixels
    slide_cfg = dict(UNET_FCN, test_cfg=dict(mode="slide", crop_size=(16, 16), stride=(12, 12)))
    model = MODELS.build(ConfigDict(slide_cfg))
    model.load_state_dict(payload["state_dict"])
    model.eval()
    wide = torch.randn(1, 3, 32, 48, generator=gen)
    with torch.no_grad():
        pred = model(wide, [sample(None, ori_shape=(32, 48), img_shape=(32, 48))], mode="predict")[0]
    payload["slide"] = {
        "inputs": wide,
        "logits": pred.seg_logits.data,
        "labels": pred.pred_sem_seg.data.to(torch.uint8),
    }
    save("unet_fcn", payload)


def family_preprocessor() -> None:
    from mmseg.models.data_preprocessor import SegDataPreProcessor

    gen = torch.Generator().manual_seed(5)
    images = [
        torch.randint(0, 256, (3, 20, 30), generator=gen, dtype=torch.uint8),
        torch.randint(0, 256, (3, 25, 18), generator=gen, dtype=torch.uint8),
    ]
    gts = [torch.randint(0, 4, (1, 20, 30), generator=gen), torch.randint(0, 4, (1, 25, 18), generator=gen)]
    cases: dict[str, Any] = {"images": images, "gts": gts}
    configs = {
        "size": dict(
            mean=[120.0, 110.0, 100.0],
            std=[60.0, 50.0, 40.0],
            bgr_to_rgb=True,
            size=(32, 40),
            pad_val=3,
            seg_pad_val=200,
        ),
        "divisor": dict(mean=[1.0, 2.0, 3.0], std=[2.0, 2.0, 2.0], rgb_to_bgr=True, size_divisor=16),
        "plain": dict(size=(26, 31)),
    }
    for name, kwargs in configs.items():
        pre = SegDataPreProcessor(**kwargs)
        batch = {"inputs": [i.clone() for i in images], "data_samples": [sample(g.clone()) for g in gts]}
        out = pre(batch, training=True)
        cases[name] = {
            "inputs": out["inputs"],
            "gts": torch.stack([s.gt_sem_seg.data for s in out["data_samples"]]),
            "meta": [{k: [int(x) for x in v] for k, v in s.metainfo.items()} for s in out["data_samples"]],
        }
    test = SegDataPreProcessor(
        mean=[120.0, 110.0, 100.0], std=[60.0, 50.0, 40.0], bgr_to_rgb=True, test_cfg=dict(size_divisor=16)
    )
    same = [images[0].clone(), images[0].flip(-1).clone()]
    out = test({"inputs": same, "data_samples": [sample(None), sample(None)]}, training=False)
    cases["test"] = {
        "images": same,
        "inputs": out["inputs"],
        "meta": [{k: [int(x) for x in v] for k, v in s.metainfo.items()} for s in out["data_samples"]],
    }
    save("preprocessor", cases)


def family_losses() -> None:
    from mmseg.models.losses import CrossEntropyLoss, DiceLoss
    from mmseg.models.losses.accuracy import accuracy

    gen = torch.Generator().manual_seed(7)
    logits = torch.randn(2, 4, 9, 11, generator=gen)
    label = torch.randint(0, 4, (2, 9, 11), generator=gen)
    label[0, :2, :] = 255
    binary_logits = torch.randn(2, 1, 9, 11, generator=gen)
    binary_label = torch.randint(0, 2, (2, 9, 11), generator=gen)
    binary_label[1, 3:5, 2:6] = 255
    cases: dict[str, Any] = {
        "logits": logits,
        "label": label,
        "binary_logits": binary_logits,
        "binary_label": binary_label,
    }
    ce_cases = {
        "plain": dict(),
        "non_ignore": dict(avg_non_ignore=True),
        "weight": dict(class_weight=[0.5, 1.0, 2.0, 0.25], loss_weight=0.7),
        "weight_non_ignore": dict(class_weight=[0.5, 1.0, 2.0, 0.25], avg_non_ignore=True),
        "sum": dict(reduction="sum", loss_weight=2.0),
        "sigmoid_multi": dict(use_sigmoid=True),
        "sigmoid_multi_non_ignore": dict(use_sigmoid=True, avg_non_ignore=True),
    }
    results: dict[str, torch.Tensor] = {}
    no_ignore = label.clone()
    no_ignore[label == 255] = 1
    for name, kwargs in ce_cases.items():
        loss = CrossEntropyLoss(**kwargs)
        # MMSeg 1.2.2 indexes class_weight by every label: an ignored pixel (255) is an IndexError there
        target = no_ignore if name.startswith("weight") else label
        results[f"ce_{name}"] = loss(logits, target, ignore_index=255)
    results["ce_binary"] = CrossEntropyLoss(use_sigmoid=True)(binary_logits, binary_label, ignore_index=255)
    results["ce_binary_non_ignore"] = CrossEntropyLoss(use_sigmoid=True, avg_non_ignore=True)(
        binary_logits, binary_label, ignore_index=255
    )
    dice_cases = {
        "plain": dict(),
        "softmax": dict(use_sigmoid=False),
        "naive": dict(naive_dice=True, eps=1.0),
        "ignore_class": dict(ignore_index=2, loss_weight=3.0),
        "no_ignore": dict(ignore_index=None, use_sigmoid=False),
        "sum": dict(reduction="sum"),
    }
    for name, kwargs in dice_cases.items():
        results[f"dice_{name}"] = DiceLoss(**kwargs)(logits, label)
    # OHEM: a decode head's loss_by_feat weights the hardest pixels (by probability, or by loss)
    for name, sampler in (
        ("ohem_thresh", dict(type="OHEMPixelSampler", thresh=0.7, min_kept=30)),
        ("ohem_loss", dict(type="OHEMPixelSampler", min_kept=40)),
    ):
        head = MODELS.build(
            ConfigDict(
                type="FCNHead",
                in_channels=4,
                channels=4,
                num_classes=4,
                sampler=sampler,
                loss_decode=dict(type="CrossEntropyLoss", loss_weight=1.0),
            )
        )
        samples = [sample(label[i : i + 1].clone()) for i in range(label.shape[0])]
        results[name] = head.loss_by_feat(logits, samples)["loss_ce"]
    results["accuracy"] = accuracy(logits, label, ignore_index=255)
    results["accuracy_all"] = accuracy(logits, no_ignore)
    cases["results"] = results
    save("losses", cases)


def signature(keys: list[list[Any]]) -> str:
    """sha256 of the (name, shape) list: real-size models are compared by it (their lists would be large)."""
    return hashlib.sha256(json.dumps(keys).encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------
# family 2: ResNet / ResNetV1c / ResNetV1d, FCN / ASPP / DepthwiseSeparableASPP heads
# ---------------------------------------------------------------------------------------------------------

RESNET_ASPP = dict(
    type="EncoderDecoder",
    backbone=dict(
        type="ResNetV1c",
        depth=18,
        stem_channels=8,
        base_channels=4,
        strides=(1, 2, 1, 1),
        dilations=(1, 1, 2, 4),
        out_indices=(0, 1, 2, 3),
        contract_dilation=True,
        norm_cfg=BN,
        norm_eval=False,
        style="pytorch",
    ),
    decode_head=dict(
        type="ASPPHead",
        in_channels=32,
        in_index=3,
        channels=8,
        dilations=(1, 2, 3),
        dropout_ratio=0.1,
        num_classes=5,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0),
    ),
    auxiliary_head=dict(
        type="FCNHead",
        in_channels=16,
        in_index=2,
        channels=8,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=5,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=0.4),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)

RESNET_DSASPP = dict(
    type="EncoderDecoder",
    backbone=dict(
        type="ResNetV1d",
        depth=50,
        stem_channels=8,
        base_channels=2,
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        out_indices=(0, 1, 2, 3),
        multi_grid=(1, 2, 4),
        norm_cfg=BN,
        style="caffe",
    ),
    decode_head=dict(
        type="DepthwiseSeparableASPPHead",
        in_channels=64,
        in_index=3,
        channels=8,
        dilations=(1, 2, 3),
        c1_in_channels=8,
        c1_channels=4,
        dropout_ratio=0.1,
        num_classes=3,
        norm_cfg=BN,
        align_corners=True,
        loss_decode=[
            dict(type="CrossEntropyLoss", loss_weight=1.0),
            dict(type="DiceLoss", loss_weight=0.5, use_sigmoid=False),
        ],
    ),
    auxiliary_head=[
        dict(
            type="FCNHead",
            in_channels=32,
            in_index=2,
            channels=8,
            num_convs=2,
            num_classes=3,
            norm_cfg=BN,
            loss_decode=dict(type="CrossEntropyLoss", loss_weight=0.4),
        ),
        dict(
            type="FCNHead",
            in_channels=16,
            in_index=1,
            channels=4,
            num_convs=1,
            concat_input=False,
            num_classes=3,
            norm_cfg=BN,
            loss_decode=dict(type="CrossEntropyLoss", loss_weight=0.2),
        ),
    ],
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)

RESNET_FCN = dict(
    type="EncoderDecoder",
    backbone=dict(
        type="ResNet",
        depth=34,
        stem_channels=8,
        base_channels=4,
        num_stages=3,
        strides=(1, 2, 2),
        dilations=(1, 1, 1),
        out_indices=(0, 2),
        frozen_stages=1,
        norm_eval=True,
        norm_cfg=BN,
    ),
    decode_head=dict(
        type="FCNHead",
        in_channels=16,
        in_index=1,
        channels=8,
        num_convs=2,
        kernel_size=1,
        dilation=1,
        num_classes=2,
        out_channels=1,
        threshold=0.4,
        norm_cfg=BN,
        dropout_ratio=0.0,
        loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=True, loss_weight=1.0),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)


def real_resnets() -> dict[str, Any]:
    """(name, shape) signatures of every ResNet variant and depth at MMSeg's real size (d8 dilations), and of
    the reference segmentors of mmseg_oracle.md (19 classes)."""
    out: dict[str, Any] = {}
    for kind in ("ResNet", "ResNetV1c", "ResNetV1d"):
        for depth in (18, 34, 50, 101, 152):
            model = MODELS.build(
                ConfigDict(
                    type=kind,
                    depth=depth,
                    strides=(1, 2, 1, 1),
                    dilations=(1, 1, 2, 4),
                    contract_dilation=True,
                )
            )
            keys = keys_and_shapes(model)
            out[f"{kind}-{depth}"] = {
                "sha256": signature(keys),
                "count": len(keys),
                "params": sum(p.numel() for p in model.parameters()),
            }
            if (kind, depth) in (("ResNetV1c", 50), ("ResNet", 18)):
                out[f"{kind}-{depth}"]["keys"] = keys
    return out


def family_resnet() -> None:
    gen = torch.Generator().manual_seed(21)
    inputs = torch.randn(2, 3, 32, 40, generator=gen)
    save("resnet_aspp", run_model(RESNET_ASPP, 31, inputs, 5, store_weights=True))
    save("resnet_dsaspp", run_model(RESNET_DSASPP, 32, inputs.clone(), 3, store_weights=True))
    save("resnet_fcn", run_model(RESNET_FCN, 33, inputs[:1].clone(), 2, store_weights=True, train_loss=True))
    real = real_resnets()
    for name, cfg in {
        "fcn_r50_d8": "configs/fcn/fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py",
        "deeplabv3_r50_d8": "configs/deeplabv3/deeplabv3_r50-d8_4xb2-40k_cityscapes-512x1024.py",
        "deeplabv3plus_r50_d8": "configs/deeplabv3plus/deeplabv3plus_r50-d8_4xb2-40k_cityscapes-512x1024.py",
    }.items():
        model_cfg = mmseg_config(cfg)
        model = MODELS.build(model_cfg)
        keys = keys_and_shapes(model)
        real[name] = {
            "sha256": signature(keys),
            "count": len(keys),
            "params": sum(p.numel() for p in model.parameters()),
        }
    (OUT / "resnet_real.json").write_text(json.dumps(real))
    print(f"resnet_real.json: {(OUT / 'resnet_real.json').stat().st_size / 1024:.1f} KiB")


# ---------------------------------------------------------------------------------------------------------
# family 3: MixVisionTransformer + SegformerHead (CrossEntropy + Dice)
# ---------------------------------------------------------------------------------------------------------

MIT_SEGFORMER = dict(
    type="EncoderDecoder",
    backbone=dict(
        type="MixVisionTransformer",
        in_channels=3,
        embed_dims=8,
        num_stages=4,
        num_layers=(1, 2, 1, 1),
        num_heads=(1, 2, 3, 4),
        patch_sizes=(7, 3, 3, 3),
        strides=(4, 2, 2, 2),
        sr_ratios=(8, 4, 2, 1),
        out_indices=(0, 1, 2, 3),
        mlp_ratio=2,
        qkv_bias=True,
        drop_rate=0.1,
        attn_drop_rate=0.1,
        drop_path_rate=0.2,
    ),
    decode_head=dict(
        type="SegformerHead",
        in_channels=(8, 16, 24, 32),
        in_index=(0, 1, 2, 3),
        channels=16,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=[
            dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0),
            dict(type="DiceLoss", loss_weight=0.3, naive_dice=True),
        ],
    ),
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)


def family_mit() -> None:
    gen = torch.Generator().manual_seed(41)
    inputs = torch.randn(2, 3, 32, 32, generator=gen)
    save("mit_segformer", run_model(MIT_SEGFORMER, 42, inputs, 4, store_weights=True))
    real: dict[str, Any] = {}
    for variant in ("b0", "b1", "b2"):
        model = MODELS.build(
            mmseg_config(f"configs/segformer/segformer_mit-{variant}_8xb1-160k_cityscapes-1024x1024.py")
        )
        keys = keys_and_shapes(model)
        real[f"segformer_mit_{variant}"] = {
            "sha256": signature(keys),
            "count": len(keys),
            "params": sum(p.numel() for p in model.parameters()),
        }
    (OUT / "mit_real.json").write_text(json.dumps(real))
    print(real)


# ---------------------------------------------------------------------------------------------------------
# family 4: MMPretrain's ConvNeXt + UPerHead, FPN neck, SegTTAModel
# ---------------------------------------------------------------------------------------------------------

CONVNEXT_UPER = dict(
    type="EncoderDecoder",
    backbone=dict(
        type="mmpretrain.ConvNeXt",
        arch=dict(depths=[1, 1, 2, 1], channels=[8, 16, 24, 32]),
        out_indices=[0, 1, 2, 3],
        drop_path_rate=0.2,
        layer_scale_init_value=1.0,
        gap_before_final_norm=False,
    ),
    decode_head=dict(
        type="UPerHead",
        in_channels=[8, 16, 24, 32],
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3),
        channels=8,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=1.0),
    ),
    auxiliary_head=dict(
        type="FCNHead",
        in_channels=24,
        in_index=2,
        channels=8,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=4,
        norm_cfg=BN,
        align_corners=False,
        loss_decode=dict(type="CrossEntropyLoss", use_sigmoid=False, loss_weight=0.4),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)

CONVNEXT_V2_FPN = dict(
    type="EncoderDecoder",
    backbone=dict(
        type="mmpretrain.ConvNeXt",
        arch=dict(depths=[1, 1, 1], channels=[8, 12, 16]),
        out_indices=[0, 1, 2],
        use_grn=True,
        linear_pw_conv=False,
        layer_scale_init_value=0.0,
        gap_before_final_norm=False,
    ),
    neck=dict(
        type="FPN",
        in_channels=[8, 12, 16],
        out_channels=8,
        num_outs=5,
        add_extra_convs="on_input",
        relu_before_extra_convs=True,
        norm_cfg=BN,
        act_cfg=dict(type="ReLU"),
    ),
    decode_head=dict(
        type="FCNHead",
        in_channels=[8, 8, 8, 8, 8],
        in_index=[0, 1, 2, 3, 4],
        input_transform="resize_concat",
        channels=8,
        num_convs=1,
        concat_input=True,
        num_classes=3,
        norm_cfg=BN,
        align_corners=True,
        loss_decode=dict(type="CrossEntropyLoss", loss_weight=1.0, avg_non_ignore=True),
    ),
    train_cfg=dict(),
    test_cfg=dict(mode="whole"),
)


def stub_torchvision() -> None:
    """The oracle venv's torchvision does not match its torch (`torchvision::nms does not exist`); MMPretrain
    imports it only for datasets and box metrics, so inert modules stand in for it here."""
    import types

    class Inert(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            return type(name, (), {})

    for name in (
        "torchvision",
        "torchvision.ops",
        "torchvision.ops.boxes",
        "torchvision.transforms",
        "torchvision.transforms.functional",
        "torchvision.transforms.transforms",
    ):
        module = Inert(name)
        module.__path__ = []  # type: ignore[attr-defined]
        sys.modules[name] = module
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, module)


def family_convnext() -> None:
    stub_torchvision()
    gen = torch.Generator().manual_seed(51)
    inputs = torch.randn(2, 3, 40, 40, generator=gen)
    save("convnext_uper", run_model(CONVNEXT_UPER, 52, inputs, 4, store_weights=True))
    save("convnext_fpn", run_model(CONVNEXT_V2_FPN, 53, inputs.clone(), 3, store_weights=True))
    real: dict[str, Any] = {}
    for arch in ("tiny", "small"):
        model = MODELS.build(
            mmseg_config(f"configs/convnext/convnext-{arch}_upernet_8xb2-amp-160k_ade20k-512x512.py")
        )
        keys = keys_and_shapes(model)
        real[f"upernet_convnext_{arch}"] = {
            "sha256": signature(keys),
            "count": len(keys),
            "params": sum(p.numel() for p in model.parameters()),
        }
    (OUT / "convnext_real.json").write_text(json.dumps(real))
    print(real)


def family_tta() -> None:
    """SegTTAModel over the UNet model of family 1: per image, the original, a horizontal flip and a 0.75x
    rescale, merged by averaging class probabilities."""
    from mmseg.models.segmentors import SegTTAModel
    from torch.nn.functional import interpolate

    torch.manual_seed(0)
    model = MODELS.build(ConfigDict(UNET_FCN))
    seed_weights(model, 1)
    model.eval()
    tta = SegTTAModel(module=model)
    gen = torch.Generator().manual_seed(61)
    images = [torch.randint(0, 256, (3, 32, 32), generator=gen, dtype=torch.uint8) for _ in range(2)]
    augs: list[dict[str, Any]] = []
    for kind in ("none", "flip", "scale"):
        inputs, samples = [], []
        for i, original in enumerate(images):
            image = original
            meta: dict[str, Any] = dict(
                ori_shape=(32, 32), img_shape=(32, 32), img_path=f"img{i}.png", flip=False
            )
            if kind == "flip":
                image = image.flip(-1)
                meta.update(flip=True, flip_direction="horizontal")
            if kind == "scale":
                image = (
                    interpolate(image[None].float(), size=(24, 24), mode="bilinear")
                    .round()
                    .to(torch.uint8)[0]
                )
                meta.update(img_shape=(24, 24), scale_factor=(0.75, 0.75))
            inputs.append(image.contiguous())
            samples.append(sample(torch.randint(0, 4, (1, 32, 32), generator=gen), **meta))
        augs.append({"inputs": inputs, "data_samples": samples})
    data = {"inputs": [a["inputs"] for a in augs], "data_samples": [a["data_samples"] for a in augs]}
    with torch.no_grad():
        merged = tta.test_step(data)
    save(
        "tta",
        {
            "augs": [
                {
                    "inputs": a["inputs"],
                    "meta": [
                        {k: list(v) if isinstance(v, tuple) else v for k, v in s.metainfo.items()}
                        for s in a["data_samples"]
                    ],
                }
                for a in augs
            ],
            "pred": torch.stack([m.pred_sem_seg.data for m in merged]).to(torch.uint8),
            "logits": torch.stack([m.seg_logits.data for m in merged]),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# real-size logits: weights from numpy's frozen RandomState stream, regenerated by the tests (not stored)
# ---------------------------------------------------------------------------------------------------------


def fill_from_random_state(model: torch.nn.Module, seed: int) -> None:
    """Every float tensor of the state_dict, in order, from RandomState(seed) (a stream NumPy keeps frozen):
    N(0, 1) scaled by 1/sqrt(fan_in) for weights of 2+ dims, running variances in [0.5, 1.5], the rest
    N(0, 0.1) (norm weights around 1)."""
    import numpy as np

    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            shape = tuple(tensor.shape)
            if name.endswith("running_var"):
                values = rng.uniform(0.5, 1.5, shape)
            elif tensor.ndim >= 2:
                fan_in = int(np.prod(shape[1:]))
                values = rng.standard_normal(shape) / np.sqrt(fan_in)
            elif name.endswith("weight") or name.endswith("gamma"):
                values = 1.0 + 0.1 * rng.standard_normal(shape)
            else:
                values = 0.1 * rng.standard_normal(shape)
            tensor.copy_(torch.from_numpy(np.asarray(values, dtype=np.float32).reshape(shape)))


def family_real_logits() -> None:
    import numpy as np

    out: dict[str, Any] = {}
    for name, relative, size in (
        ("segformer_mit_b0", "configs/segformer/segformer_mit-b0_8xb1-160k_cityscapes-1024x1024.py", 64),
        (
            "deeplabv3plus_r50_d8",
            "configs/deeplabv3plus/deeplabv3plus_r50-d8_4xb2-40k_cityscapes-512x1024.py",
            32,
        ),
    ):
        model = MODELS.build(mmseg_config(relative))
        fill_from_random_state(model, 7)
        model.eval()
        inputs = torch.from_numpy(
            np.random.RandomState(8).standard_normal((1, 3, size, size)).astype(np.float32)
        )
        with torch.no_grad():
            out[name] = model(inputs, None, mode="tensor")
    save("real_logits", out)


def mmseg_config(relative: str) -> ConfigDict:
    """A model config of MMSeg's own config files, as a single process on CPU builds it."""
    import mmseg
    from mmengine.config import Config

    root = Path(mmseg.__file__).parent / ".mim"
    cfg = Config.fromfile(str(root / relative)).model
    cfg.pop("data_preprocessor", None)
    cfg.pretrained = None
    cfg.backbone.pop("init_cfg", None)
    text = json.dumps(cfg.to_dict()).replace('"SyncBN"', '"BN"')
    return ConfigDict(json.loads(text))


def family_checkpoint() -> None:
    """A checkpoint saved by MMEngine 0.10.7 as its Runner does (meta, state_dict, message_hub with
    HistoryBuffers, optimizer): it does not load under weights_only=True as it is."""
    import numpy as np
    from mmengine.logging import MessageHub
    from mmengine.runner.checkpoint import save_checkpoint, weights_to_cpu

    model = MODELS.build(ConfigDict(UNET_FCN))
    seed_weights(model, 3)
    hub = MessageHub.get_instance("typedseg-oracle")
    for i in range(3):
        hub.update_scalar("train/loss", 1.0 / (i + 1))
        hub.update_scalar("train/lr", np.float64(0.01))
    hub.update_info("iter", 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    checkpoint = {
        "meta": {
            "epoch": 0,
            "iter": 3,
            "seed": np.int64(0),
            "mmengine_version": "0.10.7",
            "time": "20250101_000000",
            "dataset_meta": {"classes": ("a", "b", "c", "d")},
        },
        "state_dict": weights_to_cpu(model.state_dict()),
        "message_hub": hub.state_dict(),
        "optimizer": optimizer.state_dict(),
    }
    path = OUT / "mmengine_checkpoint.pth"
    save_checkpoint(checkpoint, str(path))
    try:
        torch.load(path, weights_only=True)
        raise SystemExit("expected MMEngine's checkpoint to fail under weights_only=True")
    except Exception as error:
        print("weights_only refuses it as expected:", str(error).splitlines()[-1][:120])
    print(f"{path.name}: {path.stat().st_size / 1024:.1f} KiB")


FAMILIES = {
    "checkpoint": family_checkpoint,
    "resnet": family_resnet,
    "mit": family_mit,
    "convnext": family_convnext,
    "tta": family_tta,
    "real_logits": family_real_logits,
    "unet": family_unet,
    "preprocessor": family_preprocessor,
    "losses": family_losses,
}

if __name__ == "__main__":
    for family in sys.argv[1:] or list(FAMILIES):
        FAMILIES[family]()
