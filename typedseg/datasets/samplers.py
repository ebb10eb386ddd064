"""Samplers with MMEngine's orders (DefaultSampler, InfiniteSampler) that resume mid-epoch.

The orders equal MMEngine's for the same seed: DefaultSampler shuffles with `torch.randperm` seeded `seed + epoch`,
pads to a multiple of the world size (round_up) and gives rank r every world_size-th index from r; InfiniteSampler
draws one permutation after another from a generator seeded once. Each yields `(index, pass)` keys (pass = epoch,
or the number of complete passes before it) so that datasets seed a sample's augmentation per pass.

Resuming: the dataloader tells its sampler how many samples the loop has consumed (`advance`), so `state_dict()`
records the position the loop reached, not how far worker prefetching ran ahead; `load_state_dict()` makes the next
iteration start there, without reading the skipped samples.
"""

import itertools
import math
from collections.abc import Iterator
from typing import Any

import torch

SampleKey = tuple[int, int]


class DefaultSampler(torch.utils.data.Sampler[SampleKey]):
    """Each sample once per epoch (shuffled per epoch when `shuffle`), split across ranks."""

    def __init__(
        self,
        size: int,
        *,
        shuffle: bool,
        seed: int,
        round_up: bool = True,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        self.size = size
        self.shuffle = shuffle
        self.seed = seed
        self.round_up = round_up
        self.rank = rank
        self.world_size = world_size
        self.epoch = 0
        self.consumed = 0
        """Samples of the current epoch the loop has taken (on this rank)."""
        self._start = 0
        if round_up:
            self.num_samples = math.ceil(size / world_size)
            self.total_size = self.num_samples * world_size
        else:
            self.num_samples = math.ceil((size - rank) / world_size)
            self.total_size = size

    def order(self) -> list[int]:
        """This rank's indices for the current epoch, as MMEngine's DefaultSampler lists them."""
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = torch.randperm(self.size, generator=generator).tolist()
        else:
            indices = list(range(self.size))
        if self.round_up and indices:
            indices = (indices * int(self.total_size / len(indices) + 1))[: self.total_size]
        return indices[self.rank : self.total_size : self.world_size]

    def __iter__(self) -> Iterator[SampleKey]:
        start, self._start = self._start, 0
        self.consumed = start
        return ((index, self.epoch) for index in self.order()[start:])

    def __len__(self) -> int:
        """Samples per epoch on this rank (a resumed epoch yields fewer, from where it stopped)."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Start epoch `epoch` (its own shuffle) at its beginning, unless a loaded state resumes inside it."""
        if epoch != self.epoch:
            self.epoch = epoch
            self.consumed = 0
            self._start = 0

    def advance(self, samples: int) -> None:
        """The loop has taken `samples` more samples from this sampler's current iteration."""
        self.consumed += samples

    def state_dict(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "consumed": self.consumed, "seed": self.seed, "size": self.size}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Resume where `state` was taken: the next iteration starts after the samples already consumed."""
        _check_same_data(state, self.size, self.seed)
        self.epoch = int(state["epoch"])
        consumed = int(state["consumed"])
        self._start = consumed if consumed < self.num_samples else 0
        if consumed >= self.num_samples:  # the epoch had ended: the loop starts the next one
            self.epoch += 1
        self.consumed = self._start


class InfiniteSampler(torch.utils.data.Sampler[SampleKey]):
    """Endless passes over the dataset (a new permutation per pass when `shuffle`), split across ranks."""

    def __init__(self, size: int, *, shuffle: bool, seed: int, rank: int = 0, world_size: int = 1) -> None:
        self.size = size
        self.shuffle = shuffle
        self.seed = seed
        self.rank = rank
        self.world_size = world_size
        self.consumed = 0
        """Samples the loop has taken from this rank, over all passes."""
        self._start = 0

    def _global_stream(self) -> Iterator[SampleKey]:
        generator = torch.Generator()
        generator.manual_seed(self.seed)
        for pass_ in itertools.count():
            if self.shuffle:
                order = torch.randperm(self.size, generator=generator).tolist()
            else:
                order = list(range(self.size))
            for index in order:
                yield index, pass_

    def __iter__(self) -> Iterator[SampleKey]:
        start, self._start = self._start, 0
        self.consumed = start
        mine = itertools.islice(self._global_stream(), self.rank, None, self.world_size)
        return itertools.islice(mine, start, None)

    def __len__(self) -> int:
        return self.size  # as MMEngine's: the size of one pass

    def set_epoch(self, epoch: int) -> None:
        """Has no effect: passes follow one another (MMEngine's InfiniteSampler ignores it too)."""

    def advance(self, samples: int) -> None:
        self.consumed += samples

    def state_dict(self) -> dict[str, Any]:
        return {"consumed": self.consumed, "seed": self.seed, "size": self.size}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        _check_same_data(state, self.size, self.seed)
        self._start = int(state["consumed"])
        self.consumed = self._start


def _check_same_data(state: dict[str, Any], size: int, seed: int) -> None:
    if int(state["size"]) != size or int(state["seed"]) != seed:
        raise ValueError(
            f"the sampler state was saved for {state['size']} samples with seed {state['seed']}, but this "
            f"dataloader has {size} samples with seed {seed}; resuming would visit other samples"
        )


Sampler = DefaultSampler | InfiniteSampler
