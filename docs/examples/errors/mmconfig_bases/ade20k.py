dataset_type = "ADE20KDataset"
