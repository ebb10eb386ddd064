"""Python's cyclic garbage collector is paused while a command starts, and resumed when its work begins.

Importing torch and building a run allocate a few hundred thousand objects that live until the process ends, and
each full collection on the way scans all of them again: paused, `typedseg run --dry-run` of the quickstart takes
2.0 s instead of 2.9 s on a 2-core machine. The command line pauses the collector before its first import (`pause`).
The runner resumes it right before the first iteration of a loop (`resume`; so do `predict`, the data commands and
the `--nproc` launcher before their work), after `gc.freeze()`, which moves every object alive then into a
generation that later collections skip. Dataloader workers forked after that do not write to the pages of those
objects when they collect.

A process whose collector was not paused here (the Python API, tests) is left as it is: `resume` only undoes
`pause`.
"""

from __future__ import annotations

import gc


class _Pause:
    held = False
    """Whether `pause` disabled the collector (and `resume` has not enabled it yet)."""


def pause() -> None:
    """Stop cyclic collections until `resume` (reference counting still frees almost everything)."""
    if gc.isenabled():
        gc.disable()
        _Pause.held = True


def resume() -> None:
    """Collect again, if `pause` stopped it, leaving what exists now out of later collections (`gc.freeze`):
    call it when the setup is built and the loop is about to begin. Without the freeze, the collections that
    follow would scan the startup's objects again (re-enabling the collector at the end of `run --dry-run` made
    the process's exit 0.3 s slower)."""
    if not _Pause.held:
        return
    _Pause.held = False
    gc.freeze()
    gc.enable()


def paused() -> bool:
    """Whether the collector is paused by `pause`."""
    return _Pause.held
