"""The error a data problem raises: one message that names the file, the sample and what to do."""

import re

from typedseg.problems import Problem

_CODE_SUFFIX = re.compile(r"  \[(?P<code>[a-z0-9]+(?:-[a-z0-9]+)*)\]$")


class DataError(Exception):
    """Data a person must fix (a missing folder, an unreadable image): the CLI prints it and exits 2.

    torch's DataLoader re-raises an error from a worker process as `DataError(text)`, where the text is its report
    ("Caught DataError in DataLoader worker process 0. Original Traceback ..."): the original one-line message (and
    its code) are taken back from the traceback's last line, so the person sees the message, not the traceback.
    """

    def __init__(self, message: str, problem: Problem | None = None) -> None:
        if problem is None and message.startswith("Caught DataError"):
            last = message.rstrip().splitlines()[-1]
            _, found, original = last.partition("DataError: ")
            if found:
                message = original
        if problem is None:
            match = _CODE_SUFFIX.search(message)
            if match is not None:
                problem = Problem(match["code"], (), message[: match.start()])
        super().__init__(message)
        self.problem = problem


def data_error(code: str, path: tuple[str | int, ...], message: str, hint: str) -> DataError:
    """A DataError with its Problem, its message formatted as the CLI prints problems."""
    problem = Problem(code, path, message, hint)
    return DataError(f"{message} {hint}  [{code}]", problem)
