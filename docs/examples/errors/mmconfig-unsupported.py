import os

data_root = os.path.join("data", "cityscapes")
