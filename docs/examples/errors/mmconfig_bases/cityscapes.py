dataset_type = "CityscapesDataset"
data_root = "data/cityscapes/"
