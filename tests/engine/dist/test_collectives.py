"""The engine's collectives in a real 2-process gloo group (torch.multiprocessing, 127.0.0.1): SyncBuffersHook
averages buffers, the IoU confusion matrix is summed (not averaged), the step's flags are agreed, SyncBN is
nn.SyncBatchNorm inside a group, and samplers split and reseed the data per epoch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from tests.engine.dist.group import in_two_processes
from typedseg.config.models.common import SyncBN
from typedseg.datasets.samplers import DefaultSampler
from typedseg.engine.dist import agree, gather_objects, sync_metric
from typedseg.engine.hooks.extras import SyncBuffersHook
from typedseg.evaluation.iou_metric import IoUMetric
from typedseg.models.layers import build_norm
from typedseg.structures import SegDataSample


def _checks(rank: int, world: int, folder: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    # SyncBuffersHook: running stats 0 on rank 0 and 1 on rank 1 become 0.5 on both; integer counters stay.
    model = nn.Sequential(nn.BatchNorm2d(2))
    bn: Any = model[0]
    bn.running_mean.fill_(float(rank))
    bn.num_batches_tracked.fill_(rank + 3)
    state: Any = type("State", (), {"model": model})()
    SyncBuffersHook().after_train_epoch(state)
    found["running_mean"] = bn.running_mean.tolist()
    found["num_batches_tracked"] = int(bn.num_batches_tracked)
    # IoUMetric: each rank sees different samples; the summed matrix is that of all samples together.
    metric = IoUMetric(classes=("a", "b"))
    label = torch.tensor([[[0, 1], [1, 1]]]) if rank == 0 else torch.tensor([[[0, 0], [1, 0]]])
    pred = torch.tensor([[[0, 1], [0, 1]]]) if rank == 0 else torch.tensor([[[0, 0], [1, 1]]])
    metric.process([SegDataSample(metainfo={}, gt_sem_seg=label, pred_sem_seg=pred)])
    sync_metric(metric)
    assert metric.matrix is not None
    found["matrix"] = metric.matrix.tolist()
    found["metrics"] = metric.compute()
    # agree: rank 1's flag reaches rank 0, with its rank.
    found["agree"] = agree([rank == 1, False])
    found["gathered"] = gather_objects(rank * 10)
    # SyncBN inside a process group is torch's SyncBatchNorm.
    found["syncbn"] = type(build_norm(SyncBN(), 4)).__name__
    # The train sampler: ranks split one shuffle; set_epoch draws another.
    sampler = DefaultSampler(10, shuffle=True, seed=3, rank=rank, world_size=world)
    found["epoch0"] = sampler.order()
    sampler.set_epoch(1)
    found["epoch1"] = sampler.order()
    return found


def test_collectives_in_a_two_process_group(tmp_path: Path) -> None:
    ranks = in_two_processes(_checks, tmp_path)
    for found in ranks:
        assert "error" not in found, found.get("error")
        assert found["running_mean"] == [0.5, 0.5]
        assert found["syncbn"] == "SyncBatchNorm"
        assert found["agree"] == ([[1], []], [True, False])
        assert found["gathered"] == [0, 10]
    assert [r["num_batches_tracked"] for r in ranks] == [3, 4]
    # rank 0's (label, pred) pairs: (0,0) (1,1) (1,0) (1,1); rank 1's: (0,0) (0,0) (1,1) (0,1)
    expected = [[3, 1, 0], [1, 3, 0], [0, 0, 0]]  # rows: label, columns: prediction (row/column 2: other)
    assert ranks[0]["matrix"] == ranks[1]["matrix"] == expected
    assert ranks[0]["metrics"] == ranks[1]["metrics"]
    assert ranks[0]["metrics"]["aAcc"] == 75.0  # 6 of 8 pixels
    # IoU of both classes 3 / 5 from the summed counts: 60.0; each rank alone has mIoU 58.33 (a mean would be).
    assert ranks[0]["metrics"]["mIoU"] == 60.0
    order0, order1 = ranks[0]["epoch0"], ranks[1]["epoch0"]
    assert sorted(order0 + order1) == list(range(10))  # a split, no sample twice
    assert ranks[0]["epoch1"] != order0
