"""Why a run could not start or had to stop, as messages for people (never a traceback).

`RunError` is a user-fixable problem found before iteration 0 (a missing data folder, a CUDA config on a CPU
machine, a checkpoint from another model): the CLI prints it and exits 2, like a config error.
`TrainingFault` stopped a run that had started (a non-finite loss, a checkpoint that could not be written):
the CLI prints it and exits 1. `TrainingInterrupted` is SIGTERM handled: a checkpoint was saved; exit 143.
"""

from __future__ import annotations

from pathlib import Path

from typedseg.problems import ConfigError, Problem

PEER_GONE_EXIT = 75
"""A launched worker's exit code when its collective failed because another worker died: the launcher then names
the worker that stopped first, and passes on that one's code (EX_TEMPFAIL: this worker did nothing wrong)."""


class RunError(ConfigError):
    """A problem a person must fix before the run can start (exit code 2)."""

    def __init__(self, code: str, message: str, hint: str = "", file: str | Path | None = None) -> None:
        super().__init__([Problem(code, (), message, hint, file=None if file is None else str(file))])


class TrainingFault(Exception):  # noqa: N818 (an event, like KeyboardInterrupt)
    """The run started and had to stop; the message says where and why (exit code 1)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{message}  [{code}]")


class TrainingInterrupted(Exception):  # noqa: N818
    """SIGTERM arrived; a checkpoint was saved at the next iteration boundary (exit code 143)."""

    def __init__(self, checkpoint: Path | None) -> None:
        self.checkpoint = checkpoint
        where = f"saved {checkpoint}" if checkpoint is not None else "no checkpoint saved"
        super().__init__(f"stopped by SIGTERM; {where}")
