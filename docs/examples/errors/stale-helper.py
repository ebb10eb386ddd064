_base_ = ["mmconfig_bases/runtime.py"]
log_interval = 10
