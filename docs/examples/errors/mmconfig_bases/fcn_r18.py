model = dict(
    type="EncoderDecoder",
    data_preprocessor=dict(
        type="SegDataPreProcessor",
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        size_divisor=32,
    ),
    backbone=dict(type="ResNetV1c", depth=18),
    decode_head=dict(type="FCNHead", in_channels=512, channels=128, num_classes=150),
    test_cfg=dict(mode="whole"),
)
