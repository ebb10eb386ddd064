model = dict(
    type="EncoderDecoder",
    decode_head=dict(type="ASPPHead", num_classes=19),
    auxiliary_head=[
        dict(type="FCNHead", in_index=2, num_classes=19),
        dict(type="FCNHead", in_index=1, num_classes=19),
    ],
)
