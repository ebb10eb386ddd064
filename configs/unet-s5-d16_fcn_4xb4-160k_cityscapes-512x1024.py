"""UNet-S5-D16 with FCN heads on Cityscapes, 512x1024 crops, 160k iterations, as typed presets.

The MMSeg original is `unet/unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py`; this recipe equals it
(tests/migrate/test_recipes_match_mmseg.py). It trains from scratch (no checkpoint) and infers on whole images,
where the model base slides 256x256 windows.
Finding: the original writes `test_cfg=dict(mode='whole')`, which MMEngine merges into the base's slide settings,
so its test_cfg keeps crop_size=256 and stride=170, unused in whole mode; kept here, and `typedseg validate` warns
(test-cfg-unused).
"""

from typedseg.config.experiment import Experiment
from typedseg.config.models.segmentor import ModelTestCfg
from typedseg.presets import cityscapes, default_runtime, fcn_unet_s5_d16, schedule_160k

CROP = (512, 1024)  # (h, w)
data = cityscapes(crop_size=CROP, batch_size=4, num_workers=4)

config = Experiment(
    **default_runtime().as_kwargs(),
    **schedule_160k().as_kwargs(),  # SGD lr 0.01, poly decay over 160k iterations, validate and save every 16k
    **data.as_kwargs(),  # batch 4 per GPU (MMSeg's 4xb4: 4 GPUs)
    model=fcn_unet_s5_d16(19, crop_size=CROP, test_cfg=ModelTestCfg(mode="whole", crop_size=256, stride=170)),
)
