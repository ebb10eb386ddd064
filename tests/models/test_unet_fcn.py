"""UNet + FCN heads (EncoderDecoder, whole and slide inference) against MMSegmentation 1.2.2's own numbers."""

import torch

from tests.models.oracle import assert_logits_close, check_model, load_fixture
from typedseg.config.models.backbones import DeconvModule, UNet
from typedseg.config.models.common import BN
from typedseg.config.models.heads import FCNHead
from typedseg.config.models.losses import CrossEntropyLoss
from typedseg.config.models.segmentor import EncoderDecoder, ModelTestCfg, SegDataPreProcessor
from typedseg.models import Segmentor, build_model
from typedseg.structures import SegDataSample


def unet_fcn(**changes: object) -> EncoderDecoder:
    """The config of scripts/oracle/models_fixtures.py's UNET_FCN, typed."""
    backbone = UNet(
        base_channels=4,
        num_stages=4,
        strides=(1, 1, 2, 1),
        enc_num_convs=(2, 1, 2, 2),
        dec_num_convs=(2, 2, 1),
        downsamples=(True, True, True),
        enc_dilations=(1, 1, 1, 2),
        dec_dilations=(1, 1, 1),
        norm_cfg=BN(),
    )
    fields: dict[str, object] = dict(
        data_preprocessor=SegDataPreProcessor(
            mean=[120.0, 110.0, 100.0], std=[60.0, 50.0, 40.0], bgr_to_rgb=True, size=(32, 32)
        ),
        backbone=backbone,
        decode_head=FCNHead(
            in_channels=4,
            in_index=3,
            channels=8,
            num_convs=2,
            concat_input=True,
            num_classes=4,
            norm_cfg=BN(),
            loss_decode=[CrossEntropyLoss(), CrossEntropyLoss(loss_weight=0.4, avg_non_ignore=True)],
        ),
        auxiliary_head=FCNHead(
            in_channels=8,
            in_index=2,
            channels=4,
            num_convs=1,
            concat_input=False,
            num_classes=4,
            norm_cfg=BN(),
            loss_decode=CrossEntropyLoss(loss_weight=0.4, loss_name="loss_aux"),
        ),
        test_cfg=ModelTestCfg(mode="whole"),
    )
    fields.update(changes)
    return EncoderDecoder(**fields)  # type: ignore[arg-type]


def test_unet_fcn_matches_mmseg() -> None:
    check_model(build_model(unet_fcn(), init_weights=False), load_fixture("unet_fcn"))


def test_unet_with_deconv_upsampling_matches_mmseg() -> None:
    base = unet_fcn()
    backbone = UNet(
        **{**base.backbone.model_dump(exclude={"upsample_cfg", "strides", "norm_cfg"})},
        strides=(1, 1, 1, 1),
        norm_cfg=BN(),
        upsample_cfg=DeconvModule(kernel_size=4, scale_factor=2),
    )
    check_model(
        build_model(unet_fcn(backbone=backbone, auxiliary_head=None), init_weights=False),
        load_fixture("unet_deconv"),
    )


def test_slide_inference_matches_mmseg() -> None:
    fixture = load_fixture("unet_fcn")
    model = build_model(
        unet_fcn(test_cfg=ModelTestCfg(mode="slide", crop_size=16, stride=12)), init_weights=False
    )
    model.load_state_dict(fixture["state_dict"])
    model.eval()
    slide = fixture["slide"]
    with torch.no_grad():
        sample = SegDataSample(metainfo={"ori_shape": (32, 48), "img_shape": (32, 48)})
        pred = model(slide["inputs"], [sample], mode="predict")[0]
    assert_logits_close(pred.seg_logits, slide["logits"])
    assert torch.equal(pred.pred_sem_seg, slide["labels"].long())


def test_quickstart_model_trains() -> None:
    """The quickstart's model: a few SGD steps on a fixed batch lower its loss."""
    import runpy
    from pathlib import Path

    config = runpy.run_path(str(Path(__file__).resolve().parents[2] / "configs" / "quickstart.py"))["config"]
    torch.manual_seed(0)
    model = build_model(config.model)
    assert isinstance(model, Segmentor)
    images = [torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8) for _ in range(2)]
    labels = [(image[:1].long() > 127).long() * 2 for image in images]
    batch = {"inputs": images, "data_samples": [SegDataSample(gt_sem_seg=label) for label in labels]}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    first = last = 0.0
    for step in range(5):
        data = model.data_preprocessor(batch, True)
        losses = model(data["inputs"], data["data_samples"], mode="loss")
        loss = sum(v for k, v in losses.items() if "loss" in k)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        first = loss.item() if step == 0 else first
        last = loss.item()
    assert last < first * 0.8
