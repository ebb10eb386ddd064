_base_ = ["mmconfig_bases/fcn_r18.py", "mmconfig_bases/schedule.py"]
optimizer = dict(type="AdamW", lr=6e-5, weight_decay=0.01)
