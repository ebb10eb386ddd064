"""The segmentation model: MMSegmentation's `model` section as typed configs.

`common` holds the layer configs every component takes (`norm_cfg`, `act_cfg`, `conv_cfg`, `init_cfg`); `losses`,
`backbones` and `heads` the components; `segmentor` the `EncoderDecoder` that assembles them, its data
pre-processor and the test-time-augmentation wrapper. Names, arguments and defaults are MMSegmentation 1.2.2's
(MMPretrain 1.2.0's for ConvNeXt, MMCV/MMEngine's for layer and init configs). Rules inside one component run on
construction; rules across components (channels, class counts, checkpoints) are in `typedseg.config.rules.model`.
"""
