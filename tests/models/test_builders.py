"""Every model config class the config side types has a torch builder: walks typedseg.config.models for classes
with a `type` tag and builds each one (a new config class without a builder fails here)."""

import importlib
import math
import pkgutil
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
from pydantic import BaseModel
from torch import nn

import typedseg.config.models as config_models
from typedseg.config.models import common
from typedseg.config.models.backbones import (
    ConvNeXt,
    ConvNeXtArch,
    MixVisionTransformer,
    ResNetV1c,
    UNet,
    UserBackbone,
)
from typedseg.config.models.heads import (
    FCNHead,
)
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg
from typedseg.models import build_model
from typedseg.models.backbones import build_backbone
from typedseg.models.heads import build_head
from typedseg.models.init import BaseModule, initialize
from typedseg.models.layers import ConvModule, build_activation, build_conv, build_norm
from typedseg.models.losses import build_loss
from typedseg.models.tta import build_tta_model

NOT_BUILT = {
    "DCN": "deformable convolutions need MMCV's compiled ops; the ResNet builder refuses dcn clearly"
}


def tagged_config_classes() -> dict[str, type[BaseModel]]:
    """Every public config class under typedseg.config.models with a Literal `type` tag, by name."""
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.walk_packages(config_models.__path__, config_models.__name__ + "."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if not (isinstance(obj, type) and issubclass(obj, BaseModel)) or obj.__name__.startswith("_"):
                continue
            tag = obj.model_fields.get("type")
            if tag is not None and typing.get_origin(tag.annotation) is typing.Literal:
                found[obj.__name__] = obj  # by class name: a module may also bind an alias to it
    return found


def _head_input(channels: int = 8) -> list[torch.Tensor]:
    return [torch.randn(2, channels, 8, 8)]


def _fcn(**changes: Any) -> FCNHead:
    return FCNHead(**{"in_channels": 8, "channels": 4, "num_classes": 3, **changes})


def _neck_levels(cfg: Any) -> int:
    model: Any = build_model(cfg)
    return len(model.neck.fpn_convs)


def _segmentor_logits(cfg: EncoderDecoder, size: int = 32) -> torch.Tensor:
    model = build_model(cfg).eval()
    with torch.no_grad():
        out: torch.Tensor = model(torch.randn(2, 3, size, size))
    return out


def _backbone_outputs(cfg: Any, size: int = 32) -> list[torch.Tensor]:
    backbone = build_backbone(cfg).eval()
    with torch.no_grad():
        return list(backbone(torch.randn(1, 3, size, size)))


def _layer(cfg: Any) -> Any:
    conv = ConvModule(4, 4, 3, padding=1, norm_cfg=common.BN(), act_cfg=common.ReLU())
    conv_init: Any = cfg
    initialize(conv, conv_init)
    return conv


def _override(cfg: Any) -> Any:
    module = ConvModule(4, 4, 3, padding=1, norm_cfg=common.BN())
    initialize(module, common.ConstantInit(val=3.0, layer="Linear", override=cfg))
    return module


def _pretrained(tmp: Path) -> Callable[[Any], None]:
    def run(cls: Any) -> None:
        source = ConvModule(4, 4, 3, norm_cfg=common.BN())
        path = tmp / f"{cls.__name__}.pth"
        torch.save({"state_dict": {f"part.{k}": v for k, v in source.state_dict().items()}}, path)
        target = ConvModule(4, 4, 3, norm_cfg=common.BN())
        if cls is common.PretrainedInit:
            initialize(target, cls(checkpoint=str(path), prefix="part."))
        else:
            holder = nn.Module()
            holder.part = target
            initialize(
                holder,
                common.ConstantInit(
                    val=0.0, layer="Linear", override=cls(name="part", checkpoint=str(path), prefix="part")
                ),
            )
        assert torch.equal(target.conv.weight, source.conv.weight)

    return run


def builders(tmp: Path) -> dict[str, Callable[[Any], object]]:
    """How each config class is built and checked."""
    norm_in = torch.randn(2, 4, 5, 5)
    return {
        # segmentors and their parts
        "EncoderDecoder": lambda cls: (
            _segmentor_logits(
                cls(
                    backbone=UNet(
                        base_channels=4,
                        num_stages=2,
                        strides=(1, 1),
                        enc_num_convs=(1, 1),
                        dec_num_convs=(1,),
                        downsamples=(True,),
                        enc_dilations=(1, 1),
                        dec_dilations=(1,),
                    ),
                    decode_head=_fcn(in_channels=4),
                    test_cfg=ModelTestCfg(),
                )
            ).shape
            == (2, 3, 32, 32)
        ),
        "SegDataPreProcessor": lambda cls: (
            build_model(
                EncoderDecoder(
                    backbone=ResNetV1c(depth=18, base_channels=2, stem_channels=4),
                    decode_head=_fcn(in_channels=16),
                    data_preprocessor=cls(mean=[1.0, 2.0, 3.0], std=[1.0, 1.0, 1.0]),
                )
            ).data_preprocessor.normalize
        ),
        "SegTTAModel": lambda cls: (
            build_tta_model(
                cls(
                    module=EncoderDecoder(
                        backbone=ResNetV1c(depth=18, base_channels=2, stem_channels=4),
                        decode_head=_fcn(in_channels=16),
                        test_cfg=ModelTestCfg(),
                    )
                )
            ).module
            is not None
        ),
        # backbones
        "ResNet": lambda cls: (
            [o.shape[1] for o in _backbone_outputs(cls(depth=50, base_channels=2, stem_channels=4))]
            == [8, 16, 32, 64]
        ),
        "ResNetV1c": lambda cls: len(_backbone_outputs(cls(depth=18, base_channels=2, stem_channels=4))) == 4,
        "ResNetV1d": lambda cls: len(_backbone_outputs(cls(depth=34, base_channels=2, stem_channels=4))) == 4,
        "UNet": lambda cls: len(_backbone_outputs(cls(base_channels=2))) == 5,
        "InterpConv": lambda cls: (
            len(
                _backbone_outputs(
                    UNet(base_channels=2, upsample_cfg=cls(conv_first=True, kernel_size=3, padding=1))
                )
            )
            == 5
        ),
        "DeconvModule": lambda cls: len(_backbone_outputs(UNet(base_channels=2, upsample_cfg=cls()))) == 5,
        "MixVisionTransformer": lambda cls: (
            [o.shape[1] for o in _backbone_outputs(cls(embed_dims=4, num_layers=(1, 1, 1, 1)))]
            == [4, 8, 16, 32]
        ),
        "ConvNeXt": lambda cls: (
            [
                o.shape[1]
                for o in _backbone_outputs(
                    cls(
                        arch=ConvNeXtArch(depths=(1, 1), channels=(4, 8)),
                        out_indices=(0, 1),
                        gap_before_final_norm=False,
                    )
                )
            ]
            == [4, 8]
        ),
        # heads, sampler, neck, losses
        "FCNHead": lambda cls: (
            build_head(cls(in_channels=8, channels=4, num_classes=3))(_head_input()).shape == (2, 3, 8, 8)
        ),
        "ASPPHead": lambda cls: (
            build_head(cls(in_channels=8, channels=4, num_classes=3, dilations=(1, 2)))(_head_input()).shape
            == (2, 3, 8, 8)
        ),
        "DepthwiseSeparableASPPHead": lambda cls: (
            build_head(
                cls(
                    in_channels=8,
                    channels=4,
                    num_classes=3,
                    dilations=(1, 2),
                    c1_in_channels=8,
                    c1_channels=2,
                )
            )(_head_input()).shape
            == (2, 3, 8, 8)
        ),
        "SegformerHead": lambda cls: (
            build_head(cls(in_channels=(8, 8), in_index=(0, 1), channels=4, num_classes=3))(
                _head_input() * 2
            ).shape
            == (2, 3, 8, 8)
        ),
        "UPerHead": lambda cls: (
            build_head(cls(in_channels=(8, 8), in_index=(0, 1), channels=4, num_classes=3))(
                _head_input() * 2
            ).shape
            == (2, 3, 8, 8)
        ),
        "OHEMPixelSampler": lambda cls: (
            build_head(_fcn(sampler=cls(thresh=0.7, min_kept=10))).sampler is not None
        ),
        "FPN": lambda cls: (
            _neck_levels(
                EncoderDecoder(
                    backbone=ResNetV1c(depth=18, base_channels=2, stem_channels=4),
                    neck=cls(in_channels=(2, 4, 8, 16), out_channels=4, num_outs=4),
                    decode_head=_fcn(in_channels=4),
                    test_cfg=ModelTestCfg(),
                )
            )
            == 4
        ),
        "CrossEntropyLoss": lambda cls: (
            float(build_loss(cls())(torch.zeros(1, 2, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long)))
            == pytest.approx(math.log(2))
        ),
        "DiceLoss": lambda cls: (
            float(
                build_loss(cls(use_sigmoid=False))(
                    torch.zeros(1, 2, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long)
                )
            )
            >= 0
        ),
        # layers
        **{
            name: (lambda cls: build_norm(cls(), 4)(norm_in).shape == norm_in.shape)
            for name in ("BN", "BN2d", "SyncBN", "IN", "LN2d")
        },
        "GN": lambda cls: isinstance(build_norm(cls(num_groups=2), 4), nn.GroupNorm),
        "LN": lambda cls: build_norm(cls(), 4)(torch.randn(2, 3, 4)).shape == (2, 3, 4),
        **{
            name: (lambda cls: build_activation(cls())(norm_in).shape == norm_in.shape)
            for name in (
                "ReLU",
                "ReLU6",
                "LeakyReLU",
                "PReLU",
                "ELU",
                "GELU",
                "SiLU",
                "Swish",
                "HSwish",
                "HSigmoid",
                "Sigmoid",
                "Tanh",
            )
        },
        **{
            name: (lambda cls: isinstance(build_conv(cls(), 4, 4, 3), nn.Conv2d))
            for name in ("Conv2d", "Conv")
        },
        # initializers and their overrides
        "ConstantInit": lambda cls: bool(torch.all(_layer(cls(val=0.5, layer="Conv2d")).conv.weight == 0.5)),
        "NormalInit": lambda cls: _layer(cls(std=0.001, layer="Conv2d")).conv.weight.abs().max() < 0.01,
        "TruncNormalInit": lambda cls: (
            _layer(cls(std=1.0, a=-0.1, b=0.1, layer="Conv2d")).conv.weight.abs().max() <= 0.1
        ),
        "XavierInit": lambda cls: (
            _layer(cls(distribution="uniform", layer="Conv2d")).conv.weight.abs().max() <= math.sqrt(6 / 72)
        ),
        "UniformInit": lambda cls: _layer(cls(a=2.0, b=3.0, layer="Conv2d")).conv.weight.min() >= 2.0,
        "KaimingInit": lambda cls: (
            _layer(cls(mode="fan_in", distribution="uniform", layer="Conv2d")).conv.weight.abs().max()
            <= math.sqrt(6 / 36)
        ),
        "Caffe2XavierInit": lambda cls: (
            _layer(cls(layer="Conv2d")).conv.weight.abs().max() <= math.sqrt(3 / 36)
        ),
        "ConstantOverride": lambda cls: bool(torch.all(_override(cls(name="bn", val=2.0)).bn.weight == 2.0)),
        "NormalOverride": lambda cls: _override(cls(name="conv", std=0.001)).conv.weight.abs().max() < 0.01,
        "TruncNormalOverride": lambda cls: (
            _override(cls(name="conv", a=-0.1, b=0.1)).conv.weight.abs().max() <= 0.1
        ),
        "XavierOverride": lambda cls: (
            _override(cls(name="conv", distribution="uniform")).conv.weight.abs().max() <= math.sqrt(6 / 72)
        ),
        "UniformOverride": lambda cls: _override(cls(name="conv", a=5.0, b=6.0)).conv.weight.min() >= 5.0,
        "KaimingOverride": lambda cls: (
            _override(cls(name="conv", mode="fan_in", distribution="uniform")).conv.weight.abs().max()
            <= math.sqrt(6 / 36)
        ),
        "Caffe2XavierOverride": lambda cls: (
            _override(cls(name="conv")).conv.weight.abs().max() <= math.sqrt(3 / 36)
        ),
        "PretrainedInit": _pretrained(tmp),
        "PretrainedOverride": _pretrained(tmp),
    }


def test_every_tagged_model_config_class_has_a_builder(tmp_path: Path) -> None:
    classes = tagged_config_classes()
    known = builders(tmp_path)
    missing = sorted(set(classes) - set(known) - set(NOT_BUILT))
    assert not missing, f"config classes without a builder check: {missing}"
    for name, cls in sorted(classes.items()):
        if name in NOT_BUILT:
            continue
        result = known[name](cls)
        assert result is None or bool(result), name


def test_dcn_and_plugins_are_refused_with_a_located_problem() -> None:
    from typedseg.config.models.backbones import DCN, ResNetPlugin
    from typedseg.problems import ConfigError

    cfg = ResNetV1c(depth=50, dcn=DCN(), stage_with_dcn=(False, True, True, True))
    with pytest.raises(ConfigError) as dcn:
        build_backbone(cfg)
    [problem] = dcn.value.problems
    assert (problem.code, problem.path) == ("dcn-unsupported", ("model", "backbone", "dcn"))
    assert "MMCV's compiled op" in problem.message
    plugin = ResNetPlugin(cfg={"type": "ContextBlock", "ratio": 1 / 16}, position="after_conv3")
    with pytest.raises(ConfigError) as plugins:
        build_backbone(ResNetV1c(depth=50, plugins=(plugin,)))
    [problem] = plugins.value.problems
    assert (problem.code, problem.path) == ("plugins-unsupported", ("model", "backbone", "plugins"))


def test_name_override_reinitializes_the_whole_submodule_and_layer_matches_bases() -> None:
    head = build_head(_fcn(norm_cfg=common.BN()))
    assert isinstance(head, BaseModule)
    head.set_init_cfg(
        (
            common.ConstantInit(val=2.0, layer="_BatchNorm"),
            common.NormalInit(std=0.01, bias_prob=0.01, override=common.NameOverride(name="conv_seg")),
        )
    )
    head.init_weights()
    norms = [m for m in head.modules() if isinstance(m, nn.BatchNorm2d)]
    assert norms and all(torch.all(m.weight == 2.0) for m in norms)  # matched through the _BatchNorm base
    bias = head.conv_seg.bias
    assert bias is not None and torch.allclose(bias, torch.full_like(bias, -math.log(99)))
    assert float(head.conv_seg.weight.detach().std()) < 0.02


def test_pretrained_runs_after_the_other_initializers(tmp_path: Path) -> None:
    source = build_backbone(ResNetV1c(depth=18, base_channels=2, stem_channels=4))
    path = tmp_path / "seg.pth"
    torch.save({"state_dict": {f"backbone.{k}": v for k, v in source.state_dict().items()}}, path)
    cfg = ResNetV1c(
        depth=18,
        base_channels=2,
        stem_channels=4,
        init_cfg=(
            common.PretrainedInit(checkpoint=str(path), prefix="backbone."),
            common.ConstantInit(val=0.0, layer="Conv2d"),
        ),
    )
    target = build_backbone(cfg)
    assert isinstance(target, BaseModule)
    target.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key


def test_missing_pretrained_file_is_a_problem() -> None:
    from typedseg.problems import ConfigError

    model = ResNetV1c(
        depth=18,
        base_channels=2,
        stem_channels=4,
        init_cfg=common.PretrainedInit(checkpoint="nowhere/r18.pth"),
    )
    with pytest.raises(ConfigError) as caught:
        build_model(EncoderDecoder(backbone=model, decode_head=_fcn(in_channels=16)))
    assert caught.value.problems[0].code == "checkpoint-missing"


def test_unused_builders_are_not_listed() -> None:
    assert set(builders(Path("."))) <= set(tagged_config_classes())


class TinyBackbone(UserBackbone):
    """A user's backbone config: one conv, built by its own build()."""

    channels: int = 4

    def build(self) -> nn.Module:
        class Net(nn.Module):
            def __init__(self, channels: int) -> None:
                super().__init__()
                self.conv = nn.Conv2d(3, channels, 3, padding=1)

            def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
                return [self.conv(x)]

        return Net(self.channels)


def test_user_backbone_builds_itself() -> None:
    cfg = EncoderDecoder(backbone=TinyBackbone(), decode_head=_fcn(in_channels=4), test_cfg=ModelTestCfg())
    model = build_model(cfg)
    assert "backbone.conv.weight" in model.state_dict()
    assert model(torch.randn(1, 3, 8, 8)).shape == (1, 3, 8, 8)


@pytest.mark.parametrize(
    "backbone",
    [
        UNet(
            base_channels=2,
            num_stages=3,
            strides=(1, 1, 1),
            enc_num_convs=(1, 1, 1),
            dec_num_convs=(1, 1),
            downsamples=(True, True),
            enc_dilations=(1, 1, 1),
            dec_dilations=(1, 1),
        ),
        ResNetV1c(depth=18, base_channels=2, stem_channels=4),
        MixVisionTransformer(embed_dims=4, num_layers=(1, 1, 1, 1)),
        ConvNeXt(
            arch=ConvNeXtArch(depths=(1, 1), channels=(4, 8)), out_indices=(0, 1), gap_before_final_norm=False
        ),
    ],
    ids=lambda cfg: cfg.type,
)
def test_gradient_checkpointing_gives_the_same_outputs_and_gradients(backbone: Any) -> None:
    torch.manual_seed(0)
    plain = build_backbone(backbone)
    checkpointed = build_backbone(backbone.model_validate({**dict(backbone), "with_cp": True}))
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 32, 32)
    grads = []
    for model in (plain, checkpointed):
        model.eval()  # no dropout; batch norm on running statistics
        inputs = x.clone().requires_grad_(True)
        sum(out.square().sum() for out in model(inputs)).backward()
        grads.append(inputs.grad)
    assert grads[0] is not None and grads[1] is not None
    torch.testing.assert_close(grads[0], grads[1])
