"""Model-config tests, and the MMSegmentation 1.2.2 `_base_/models` dicts they validate.

Each dict below is copied from `configs/_base_/models/<name>.py`, with its `norm_cfg` (and `checkpoint_file`)
variables replaced by their values, and upernet_convnext's scoped `mmpretrain.ConvNeXt` written `ConvNeXt`.
"""

from __future__ import annotations

import copy
from typing import Any

SYNC_BN: dict[str, Any] = {"type": "SyncBN", "requires_grad": True}
DATA_PREPROCESSOR: dict[str, Any] = {
    "type": "SegDataPreProcessor",
    "mean": [123.675, 116.28, 103.53],
    "std": [58.395, 57.12, 57.375],
    "bgr_to_rgb": True,
    "pad_val": 0,
    "seg_pad_val": 255,
}
R50_D8: dict[str, Any] = {
    "type": "ResNetV1c",
    "depth": 50,
    "num_stages": 4,
    "out_indices": (0, 1, 2, 3),
    "dilations": (1, 1, 2, 4),
    "strides": (1, 2, 1, 1),
    "norm_cfg": SYNC_BN,
    "norm_eval": False,
    "style": "pytorch",
    "contract_dilation": True,
}


def _fcn_aux(in_channels: int, in_index: int, channels: int, num_classes: int) -> dict[str, Any]:
    return {
        "type": "FCNHead",
        "in_channels": in_channels,
        "in_index": in_index,
        "channels": channels,
        "num_convs": 1,
        "concat_input": False,
        "dropout_ratio": 0.1,
        "num_classes": num_classes,
        "norm_cfg": SYNC_BN,
        "align_corners": False,
        "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 0.4},
    }


_MODELS: dict[str, dict[str, Any]] = {
    "fcn_r50-d8": {
        "type": "EncoderDecoder",
        "data_preprocessor": DATA_PREPROCESSOR,
        "pretrained": "open-mmlab://resnet50_v1c",
        "backbone": R50_D8,
        "decode_head": {
            "type": "FCNHead",
            "in_channels": 2048,
            "in_index": 3,
            "channels": 512,
            "num_convs": 2,
            "concat_input": True,
            "dropout_ratio": 0.1,
            "num_classes": 19,
            "norm_cfg": SYNC_BN,
            "align_corners": False,
            "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
        },
        "auxiliary_head": _fcn_aux(1024, 2, 256, 19),
        "train_cfg": {},
        "test_cfg": {"mode": "whole"},
    },
    "deeplabv3_r50-d8": {
        "type": "EncoderDecoder",
        "data_preprocessor": DATA_PREPROCESSOR,
        "pretrained": "open-mmlab://resnet50_v1c",
        "backbone": R50_D8,
        "decode_head": {
            "type": "ASPPHead",
            "in_channels": 2048,
            "in_index": 3,
            "channels": 512,
            "dilations": (1, 12, 24, 36),
            "dropout_ratio": 0.1,
            "num_classes": 19,
            "norm_cfg": SYNC_BN,
            "align_corners": False,
            "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
        },
        "auxiliary_head": _fcn_aux(1024, 2, 256, 19),
        "train_cfg": {},
        "test_cfg": {"mode": "whole"},
    },
    "deeplabv3plus_r50-d8": {
        "type": "EncoderDecoder",
        "data_preprocessor": DATA_PREPROCESSOR,
        "pretrained": "open-mmlab://resnet50_v1c",
        "backbone": R50_D8,
        "decode_head": {
            "type": "DepthwiseSeparableASPPHead",
            "in_channels": 2048,
            "in_index": 3,
            "channels": 512,
            "dilations": (1, 12, 24, 36),
            "c1_in_channels": 256,
            "c1_channels": 48,
            "dropout_ratio": 0.1,
            "num_classes": 19,
            "norm_cfg": SYNC_BN,
            "align_corners": False,
            "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
        },
        "auxiliary_head": _fcn_aux(1024, 2, 256, 19),
        "train_cfg": {},
        "test_cfg": {"mode": "whole"},
    },
    "segformer_mit-b0": {
        "type": "EncoderDecoder",
        "data_preprocessor": DATA_PREPROCESSOR,
        "pretrained": None,
        "backbone": {
            "type": "MixVisionTransformer",
            "in_channels": 3,
            "embed_dims": 32,
            "num_stages": 4,
            "num_layers": [2, 2, 2, 2],
            "num_heads": [1, 2, 5, 8],
            "patch_sizes": [7, 3, 3, 3],
            "sr_ratios": [8, 4, 2, 1],
            "out_indices": (0, 1, 2, 3),
            "mlp_ratio": 4,
            "qkv_bias": True,
            "drop_rate": 0.0,
            "attn_drop_rate": 0.0,
            "drop_path_rate": 0.1,
        },
        "decode_head": {
            "type": "SegformerHead",
            "in_channels": [32, 64, 160, 256],
            "in_index": [0, 1, 2, 3],
            "channels": 256,
            "dropout_ratio": 0.1,
            "num_classes": 19,
            "norm_cfg": SYNC_BN,
            "align_corners": False,
            "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
        },
        "train_cfg": {},
        "test_cfg": {"mode": "whole"},
    },
    "upernet_convnext": {
        "type": "EncoderDecoder",
        "data_preprocessor": DATA_PREPROCESSOR,
        "pretrained": None,
        "backbone": {
            "type": "ConvNeXt",  # `mmpretrain.ConvNeXt` in the file
            "arch": "base",
            "out_indices": [0, 1, 2, 3],
            "drop_path_rate": 0.4,
            "layer_scale_init_value": 1.0,
            "gap_before_final_norm": False,
            "init_cfg": {
                "type": "Pretrained",
                "checkpoint": "https://download.openmmlab.com/mmclassification/v0/convnext/downstream/"
                "convnext-base_3rdparty_32xb128-noema_in1k_20220301-2a0ee547.pth",
                "prefix": "backbone.",
            },
        },
        "decode_head": {
            "type": "UPerHead",
            "in_channels": [128, 256, 512, 1024],
            "in_index": [0, 1, 2, 3],
            "pool_scales": (1, 2, 3, 6),
            "channels": 512,
            "dropout_ratio": 0.1,
            "num_classes": 19,
            "norm_cfg": SYNC_BN,
            "align_corners": False,
            "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
        },
        "auxiliary_head": _fcn_aux(384, 2, 256, 19),
        "train_cfg": {},
        "test_cfg": {"mode": "whole"},
    },
    "fcn_unet_s5-d16": {
        "type": "EncoderDecoder",
        "data_preprocessor": DATA_PREPROCESSOR,
        "pretrained": None,
        "backbone": {
            "type": "UNet",
            "in_channels": 3,
            "base_channels": 64,
            "num_stages": 5,
            "strides": (1, 1, 1, 1, 1),
            "enc_num_convs": (2, 2, 2, 2, 2),
            "dec_num_convs": (2, 2, 2, 2),
            "downsamples": (True, True, True, True),
            "enc_dilations": (1, 1, 1, 1, 1),
            "dec_dilations": (1, 1, 1, 1),
            "with_cp": False,
            "conv_cfg": None,
            "norm_cfg": SYNC_BN,
            "act_cfg": {"type": "ReLU"},
            "upsample_cfg": {"type": "InterpConv"},
            "norm_eval": False,
        },
        "decode_head": {
            "type": "FCNHead",
            "in_channels": 64,
            "in_index": 4,
            "channels": 64,
            "num_convs": 1,
            "concat_input": False,
            "dropout_ratio": 0.1,
            "num_classes": 2,
            "norm_cfg": SYNC_BN,
            "align_corners": False,
            "loss_decode": {"type": "CrossEntropyLoss", "use_sigmoid": False, "loss_weight": 1.0},
        },
        "auxiliary_head": _fcn_aux(128, 3, 64, 2),
        "train_cfg": {},
        "test_cfg": {"mode": "slide", "crop_size": 256, "stride": 170},
    },
}

BASE_MODEL_NAMES = tuple(_MODELS)
"""The `_base_/models` files covered."""


def base_model(name: str) -> dict[str, Any]:
    """A fresh copy of MMSegmentation's `_base_/models/<name>.py` model dict."""
    return copy.deepcopy(_MODELS[name])
