"""The segmentation models in pure PyTorch, weight-compatible with MMSegmentation 1.2.2: `build_model(cfg)` turns
a typed segmentor config into a `Segmentor` whose state_dict keys and shapes equal MMSegmentation's, so its
checkpoints load with strict=True."""

from collections.abc import Sequence
from typing import assert_never, overload

from torch import nn

from typedseg.config.models.necks import FPN, UserNeck
from typedseg.config.models.segmentor import EncoderDecoder, UserModel
from typedseg.models.backbones import build_backbone
from typedseg.models.heads import build_head
from typedseg.models.init import BaseModule
from typedseg.models.preprocessor import SegDataPreProcessor
from typedseg.models.segmentor import Segmentor
from typedseg.models.user import user_module

__all__ = ["Segmentor", "build_model", "build_neck"]


def build_neck(cfg: FPN | UserNeck) -> nn.Module:
    """The neck module of a neck config."""
    match cfg:
        case FPN():
            from typedseg.models.necks import FPNNeck

            return FPNNeck(cfg)
        case UserNeck():
            return user_module(cfg)
        case _:
            assert_never(cfg)


@overload
def build_model(cfg: EncoderDecoder, *, init_weights: bool = True) -> Segmentor: ...
@overload
def build_model(cfg: UserModel, *, init_weights: bool = True) -> nn.Module: ...
def build_model(cfg: EncoderDecoder | UserModel, *, init_weights: bool = True) -> nn.Module:
    """The segmentor of a model config. With init_weights, every part's init_cfg runs as MMEngine's
    `model.init_weights()` would (Pretrained entries load local files); pass False when a checkpoint is
    loaded next anyway."""
    match cfg:
        case EncoderDecoder():
            model = _encoder_decoder(cfg)
        case UserModel():
            return user_module(cfg)
        case _:
            assert_never(cfg)
    if init_weights:
        model.init_weights()
    return model


def _encoder_decoder(cfg: EncoderDecoder) -> Segmentor:
    backbone = build_backbone(cfg.backbone)
    if cfg.pretrained is not None and isinstance(backbone, BaseModule):
        from typedseg.config.models.common import PretrainedInit

        backbone.set_init_cfg(PretrainedInit(checkpoint=cfg.pretrained))
    aux = cfg.auxiliary_head
    auxiliary = (
        None
        if aux is None
        else [build_head(h) for h in aux]
        if isinstance(aux, Sequence)
        else build_head(aux)
    )
    return Segmentor(
        data_preprocessor=SegDataPreProcessor(cfg.data_preprocessor),
        backbone=backbone,
        neck=None if cfg.neck is None else build_neck(cfg.neck),
        decode_head=build_head(cfg.decode_head),
        auxiliary_head=auxiliary,
        test_cfg=cfg.test_cfg,
        init_cfg=cfg.init_cfg,
    )
