filename = "deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024"
