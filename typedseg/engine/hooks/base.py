"""The hook interface: MMEngine's 22 events, each receiving the run's `RunState`; dispatch in priority order.

A hook overrides the events it needs. `Hooks` keeps, per event, only the hooks that override it, sorted by
priority and then registration (MMEngine's order), so an event no hook handles costs one empty loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from typedseg.config.hooks._shared import EVENTS  # MMEngine's 22 stages, in the order a run reaches them
from typedseg.engine.state import RunState


class Hook:
    """Base of every hook: override the events you need; each gets the `RunState`.

    `priority` (0 runs first, 100 last; MMEngine's NORMAL is 50) orders hooks within an event. A hook with state
    worth resuming returns it from `state_dict()` (plain types and tensors only: checkpoints load with
    `weights_only=True`) and takes it back in `load_state_dict()`.
    """

    priority: int = 50

    def before_run(self, state: RunState) -> None: ...
    def after_load_checkpoint(self, state: RunState) -> None: ...
    def before_train(self, state: RunState) -> None: ...
    def before_train_epoch(self, state: RunState) -> None: ...
    def before_train_iter(self, state: RunState) -> None: ...
    def after_train_iter(self, state: RunState) -> None: ...
    def after_train_epoch(self, state: RunState) -> None: ...
    def before_val(self, state: RunState) -> None: ...
    def before_val_epoch(self, state: RunState) -> None: ...
    def before_val_iter(self, state: RunState) -> None: ...
    def after_val_iter(self, state: RunState) -> None: ...
    def after_val_epoch(self, state: RunState) -> None: ...
    def after_val(self, state: RunState) -> None: ...
    def before_save_checkpoint(self, state: RunState) -> None: ...
    def after_train(self, state: RunState) -> None: ...
    def before_test(self, state: RunState) -> None: ...
    def before_test_epoch(self, state: RunState) -> None: ...
    def before_test_iter(self, state: RunState) -> None: ...
    def after_test_iter(self, state: RunState) -> None: ...
    def after_test_epoch(self, state: RunState) -> None: ...
    def after_test(self, state: RunState) -> None: ...
    def after_run(self, state: RunState) -> None: ...

    def state_dict(self) -> dict[str, Any] | None:
        """This hook's part of a checkpoint (None: nothing to save)."""
        return None

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take back what `state_dict()` returned."""

    @property
    def name(self) -> str:
        return type(self).__name__


def overrides(hook: object, event: str) -> bool:
    """Whether `hook` handles `event` (a method of its own, not Hook's empty one)."""
    method = getattr(type(hook), event, None)
    return method is not None and method is not getattr(Hook, event)


def unknown_events(hook: object) -> list[str]:
    """Public methods named like events (`before_*`/`after_*`) that are no event: typos such as after_train_itr."""
    names = [name for name in dir(type(hook)) if name.startswith(("before_", "after_"))]
    return [name for name in names if name not in EVENTS and callable(getattr(type(hook), name))]


class Hooks:
    """The registered hooks, dispatched by event in (priority, registration) order."""

    def __init__(self, hooks: Iterable[tuple[object, int]] = ()) -> None:
        self.entries: list[tuple[int, int, object]] = []
        self.by_event: dict[str, list[Callable[[RunState], None]]] = {event: [] for event in EVENTS}
        """Per event, its handlers in order (the train loops read it directly, twice an iteration)."""
        for hook, priority in hooks:
            self.add(hook, priority)

    def add(self, hook: object, priority: int) -> None:
        self.entries.append((priority, len(self.entries), hook))
        self.entries.sort(key=lambda entry: (entry[0], entry[1]))
        for event in EVENTS:
            self.by_event[event] = [getattr(h, event) for _, _, h in self.entries if overrides(h, event)]

    @property
    def hooks(self) -> list[object]:
        return [hook for _, _, hook in self.entries]

    def handlers(self, event: str) -> list[Callable[[RunState], None]]:
        return self.by_event[event]

    def call(self, event: str, state: RunState) -> None:
        for handler in self.by_event[event]:
            handler(state)

    def by_stage(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Per event, the hooks that handle it with their priorities (for `run --dry-run`)."""
        table: list[tuple[str, list[tuple[str, int]]]] = []
        for event in EVENTS:
            names = [(type(h).__name__, p) for p, _, h in self.entries if overrides(h, event)]
            if names:
                table.append((event, names))
        return table
