# Includes the file that includes it.
_base_ = ["../mmconfig-base-cycle.py"]
