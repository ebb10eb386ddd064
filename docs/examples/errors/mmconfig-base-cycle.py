_base_ = ["mmconfig_bases/cycle.py"]
