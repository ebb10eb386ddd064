optimizer = dict(type="SGD", lr=0.01, momentum=0.9, weight_decay=0.0005)
optim_wrapper = dict(type="OptimWrapper", optimizer=optimizer)
train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=12)
train_dataloader = dict(
    dataset=dict(
        type="ADE20KDataset",
        pipeline=[dict(type="LoadImageFromFile"), dict(type="LoadAnnotations"), dict(type="PackSegInputs")],
    )
)
