_base_ = ["mmconfig_bases/deeplabv3_r50.py"]
model = dict(auxiliary_head=dict(num_classes=150))
