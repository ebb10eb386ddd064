"""Writing the files a user asked for: checked first, then written atomically, never over an input.

Every command that writes a user's file (`new`, `import`, `export`, `schema`, `codegen class`) goes through
`write_output`: an existing file is kept unless the user passed `--force`, a file the command read is never
replaced, and the write itself is atomic (a temporary file in the same folder, fsync, `os.replace`, fsync of the
folder), so a full disk or a crash leaves the previous file whole and no temporary file behind. Each refusal or
failure is a `ConfigError` with one problem that names the output path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import IO, TypeVar

from typedseg.problems import ConfigError, Problem

F = TypeVar("F")


def _problem(code: str, path: Path, message: str, hint: str) -> ConfigError:
    return ConfigError([Problem(code, (), message, hint, file=str(path))])


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: Path, *, force: bool, inputs: Iterable[Path] = ()) -> None:
    """Refuse `path` before any work is written: it is an input, a folder, or an existing file without --force."""
    for source in inputs:
        if _same_file(path, source) or path.resolve() == source.resolve():
            raise _problem(
                "output-is-input",
                path,
                f"the output is the file this command reads ({source}); writing it would destroy the input.",
                "Write to another file (--force does not allow this).",
            )
    if path.is_dir():
        raise _problem("output-not-writable", path, "the output is a folder.", "Give a file name.")
    if not path.parent.is_dir():
        raise _problem(
            "output-not-writable",
            path,
            f"the folder '{path.parent}' does not exist.",
            "Create it first, or write elsewhere.",
        )
    if path.exists() and not force:
        raise _problem("output-exists", path, "the file exists.", "Pass --force to replace it.")


def write_durably(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """The package's one atomic write: `write` fills a temporary file in `path`'s folder, which is fsynced, given
    the permissions `path` has (or the umask's), moved over `path`, and the folder fsynced. On any failure or
    interruption the temporary file is removed and `path` is as it was. Raises OSError.

    Checkpoints, images, plots, pointers and every file a command writes for the user go through it.
    """
    folder = path.parent
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.tmp.")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        try:  # keep the target's permission bits when it exists
            mode = path.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(folder)


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` atomically and durably; on any failure the old file (if any) is left as it was.

    Raises ConfigError (`output-not-writable`) for an OSError (no permission, full disk, a missing folder).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        write_durably(path, lambda handle: handle.write(payload))
    except OSError as exc:
        raise _problem(
            "output-not-writable",
            path,
            f"cannot write the file: {_reason(exc)}; nothing was changed.",
            "Check the path, its permissions and the free space.",
        ) from None


def output_format(path: Path | None, given: F | None, suffixes: Mapping[F, tuple[str, ...]], default: F) -> F:
    """The format to write: `given` (--format) when its suffixes include `path`'s, else chosen by the suffix.

    `suffixes` lists each format's suffixes, in order of preference when the suffix chooses (`.py`: the first
    format that lists it). A suffix that disagrees with `given`, or that no format has, is an `output-suffix`.
    """
    if path is None:
        return given if given is not None else default
    suffix = path.suffix.lower()
    if given is not None:
        if suffix in suffixes[given]:
            return given
        raise _problem(
            "output-suffix",
            path,
            f"--format {_name(given)} writes {' or '.join(suffixes[given])} files, not '{suffix or path.name}'.",
            f"Name the output {path.stem}{suffixes[given][0]}, or leave --format out to follow the suffix.",
        )
    for fmt, known in suffixes.items():
        if suffix in known:
            return fmt
    every = sorted({s for known in suffixes.values() for s in known})
    raise _problem(
        "output-suffix",
        path,
        f"cannot tell the format to write from the suffix '{suffix or path.name}'.",
        f"Name the output with {', '.join(every)}, or give --format.",
    )


def _name(fmt: object) -> str:
    return str(getattr(fmt, "value", fmt))


def write_output(path: Path, data: str | bytes, *, force: bool, inputs: Iterable[Path] = ()) -> None:
    """`check_output`, then `write_atomic`: the one way the CLI writes a user's file."""
    check_output(path, force=force, inputs=inputs)
    write_atomic(path, data)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "permission denied (or a read-only file system)"
    if exc.errno == errno.ENOENT:
        return "the folder does not exist"
    if exc.errno == errno.EISDIR:
        return "it is a folder"
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); folders cannot be opened this way everywhere (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
