"""The error a data problem raises: one message that names the file, the sample and what to do."""

from typedseg.problems import Problem


class DataError(Exception):
    """Data a person must fix (a missing folder, an unreadable image): the CLI prints it and exits 2.

    It keeps a one-string constructor so that torch's DataLoader can re-raise it from a worker process (it
    rebuilds the exception from its message); `problem` is set where it is first raised.
    """

    def __init__(self, message: str, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.problem = problem


def data_error(code: str, path: tuple[str | int, ...], message: str, hint: str) -> DataError:
    """A DataError with its Problem, its message formatted as the CLI prints problems."""
    problem = Problem(code, path, message, hint)
    return DataError(f"{message} {hint}  [{code}]", problem)
