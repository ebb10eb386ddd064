"""Log output as MMEngine users know it: console and `<timestamp>.log` lines, `vis_data/scalars.json`
(one JSON object per logged step), TensorBoard events, and MMEngine's LogProcessor smoothing and line format.
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from typedseg.config.runtime import LogProcessor, TensorboardVisBackend, WandbVisBackend
from typedseg.engine import flusher
from typedseg.engine.errors import RunError
from typedseg.engine.scalars import ScalarLog

LOGGER_NAME = "typedseg"


CONSOLE_GATHER_SECONDS = 0.1
"""Train lines that come sooner than this after the console's last write are gathered and written together."""


class _Console(logging.StreamHandler):  # type: ignore[type-arg]
    """The console (sys.stdout as it is at the time: rich's progress bar redirects it while it runs).

    A train line is written at once when the console has been quiet for `CONSOLE_GATHER_SECONDS`. Lines that come
    faster (hundreds a second when an iteration takes microseconds) are gathered and written together by the next
    line that comes after such a pause, by any other record, by the flusher thread within a second, or on close:
    one write to a pipe or terminal instead of one per line, as tqdm's `mininterval` limits its bar. Nothing a
    person could read is held back: they are lines that come faster than anyone reads them.
    """

    clock: Callable[[], float] = time.monotonic

    def __init__(self, stream: TextIO | None = None) -> None:
        self._fixed = stream
        super().__init__(stream)
        self._pending: list[str] = []
        self._written_at = -math.inf
        self._token = flusher.FLUSHER.register(self.flush)

    @property
    def stream(self) -> TextIO:
        return self._fixed if self._fixed is not None else sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass

    def write_line(self, text: str) -> None:
        """A formatted train line (`log_line`'s direct path): written now, or gathered while lines come fast."""
        now = self.clock()
        with self.lock:  # type: ignore[union-attr]
            self._pending.append(text)
            if now - self._written_at >= CONSOLE_GATHER_SECONDS:
                self.flush()
                self._written_at = now

    def emit(self, record: logging.LogRecord) -> None:
        if self._pending:
            self.flush()  # any other record follows the lines gathered before it
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        """A console that is gone (`typedseg run cfg.py | head`) is no error worth a traceback per record."""
        if isinstance(sys.exc_info()[1], (OSError, ValueError)):
            return
        super().handleError(record)

    def flush(self) -> None:
        """Writes the gathered lines in one write and flushes the stream (a line that is due, another record,
        the flusher thread, close, logging at exit). A console that is gone (a pipe whose reader left, a closed
        stream) loses them and training goes on: the log file keeps every line."""
        with self.lock:  # type: ignore[union-attr]
            text = "\n".join(self._pending) + "\n" if self._pending else ""
            self._pending.clear()
            try:
                stream = self.stream
                if text:
                    stream.write(text)
                if stream is not None and hasattr(stream, "flush"):
                    stream.flush()
            except (OSError, ValueError):
                pass

    def close(self) -> None:
        flusher.FLUSHER.unregister(self._token)
        self.flush()
        super().close()


class _RunLogFile(logging.FileHandler):
    """The run's `<timestamp>.log`: logging's flush after each record does nothing; the flusher thread flushes
    once a second (typedseg.engine.flusher), and closing flushes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, mode="a", encoding="utf8")
        self._token = flusher.FLUSHER.register(self._flush_buffer)

    def flush(self) -> None:
        pass

    def _flush_buffer(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            if self.stream is not None:
                self.stream.flush()

    def close(self) -> None:
        flusher.FLUSHER.unregister(self._token)
        super().close()  # closing the stream flushes it


class _LineFormat(logging.Formatter):
    """MMEngine's layout `asctime - name - LEVEL - message`, with the time text made once per second (the
    train line is written every few iterations; strftime and %-style formatting are most of a record's cost)."""

    def __init__(self, datefmt: str) -> None:
        super().__init__("%(asctime)s - %(name)s - %(levelname)s - %(message)s", datefmt)
        self._second = -1
        self._time_text = ""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            return super().format(record)
        return self.line(record.created, record.name, record.levelname, record.getMessage())

    def line(self, created: float, name: str, level: str, message: str) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._time_text = time.strftime(self.datefmt or "", self.converter(created))
        return f"{self._time_text} - {name} - {level} - {message}"


def setup_logger(log_file: Path, level: str, stream: TextIO | None = None) -> logging.Logger:
    """The run's logger: console lines `mm/dd HH:MM:SS - typedseg - LEVEL - msg`, the file with the year."""
    logger = logging.getLogger(LOGGER_NAME)
    logger.setLevel(level)
    logger.propagate = False
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    console = _Console(stream)
    console.setFormatter(_LineFormat("%m/%d %H:%M:%S"))
    logger.addHandler(console)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    file_handler = _RunLogFile(log_file)
    file_handler.setFormatter(_LineFormat("%Y/%m/%d %H:%M:%S"))
    logger.addHandler(file_handler)
    return logger


def _writes_directly(handler: logging.Handler) -> bool:
    """Whether `handler` is one `setup_logger` made, unchanged: a stream handler with the run's format, no
    filter, a level that lets INFO through, and logging's own emit."""
    return (
        type(handler).emit in (logging.StreamHandler.emit, logging.FileHandler.emit, _Console.emit)
        and isinstance(handler, logging.StreamHandler)
        and isinstance(handler.formatter, _LineFormat)
        and not handler.filters
        and handler.level <= logging.INFO
        and handler.stream is not None
    )


def log_line(logger: logging.Logger, line: str) -> None:
    """An INFO line, written every few iterations (the train log line), as cheaply as logging allows.

    To the run's own handlers it is written directly: the same text, under the handler's lock, as logging would,
    without building a LogRecord and dispatching it (most of its cost); the console gathers lines that come
    faster than ten a second (`_Console`). Any other handler, or a filter, sends it through logging, without the
    caller lookup `Logger.info` makes (the run's formats name no source file or line)."""
    if not logger.isEnabledFor(logging.INFO):
        return
    handlers = logger.handlers
    if logger.filters or not all(_writes_directly(handler) for handler in handlers):
        logger.handle(logger.makeRecord(logger.name, logging.INFO, "", 0, line, (), None))
        return
    created = time.time()
    for handler in handlers:
        text = handler.formatter.line(created, logger.name, "INFO", line)  # type: ignore[union-attr]
        if type(handler) is _Console:
            handler.write_line(text)  # written now, or gathered while lines come faster than 10 a second
            continue
        stream: Any = handler.stream  # type: ignore[attr-defined]
        with handler.lock:  # type: ignore[union-attr]
            stream.write(text + "\n")
            handler.flush()  # the log file's does nothing: the flusher thread's is the one that does


def close_logger() -> None:
    logger = logging.getLogger(LOGGER_NAME)
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


def _literal(text: str) -> str:
    """`text` as literal text inside a `str.format` template (its braces doubled)."""
    return text.replace("{", "{{").replace("}", "}}")


class ScalarWriters:
    """Where logged scalars go besides the console: scalars.json lines, TensorBoard, Weights & Biases."""

    def __init__(self, vis_dir: Path, backends: tuple[Any, ...], purge_step: int | None = None) -> None:
        self.vis_dir = vis_dir
        vis_dir.mkdir(parents=True, exist_ok=True)
        self.json_path: Path | None = None
        self.image_dirs: list[Path] = []
        self.tensorboard: Any = None
        self.wandb: Any = None
        for backend in backends:
            save_dir = Path(backend.save_dir) if backend.save_dir else vis_dir
            if isinstance(backend, TensorboardVisBackend):
                from torch.utils.tensorboard import SummaryWriter

                self.tensorboard = SummaryWriter(str(save_dir), purge_step=purge_step)
            elif isinstance(backend, WandbVisBackend):
                try:
                    import wandb  # type: ignore[import-not-found]
                except ImportError:
                    raise RunError(
                        "backend-unavailable",
                        "visualizer.vis_backends has a WandbVisBackend, and the wandb package is not installed.",
                        "pip install wandb, or remove the backend.",
                    ) from None
                self.wandb = wandb.init(dir=str(save_dir), **(backend.init_kwargs or {}))
            else:  # LocalVisBackend
                save_dir.mkdir(parents=True, exist_ok=True)
                self.json_path = save_dir / backend.scalar_save_file
                self.image_dirs.append(save_dir / backend.img_save_dir)
        self._json = self.json_path.open("a", encoding="utf8") if self.json_path else None
        self._json_lock = threading.Lock()
        self._json_flush = flusher.FLUSHER.register(self._flush_json) if self._json is not None else None
        self._json_templates: dict[tuple[str, ...], str] = {}
        """A scalars.json line's format template per set of names."""

    def add_config(self, text: str, name: str) -> None:
        (self.vis_dir / name).write_text(text, encoding="utf8")

    def add_scalars(self, scalars: Mapping[str, Any], step: int) -> None:
        if self._json is not None:
            line = self._json_line(scalars, step)
            with self._json_lock:  # the flusher thread flushes it
                self._json.write(line)
        if self.tensorboard is not None:
            for name, value in scalars.items():
                if isinstance(value, (int, float)):
                    self.tensorboard.add_scalar(name, value, step)
        if self.wandb is not None:
            self.wandb.log(dict(scalars), step=step)

    def _json_line(self, scalars: Mapping[str, Any], step: int) -> str:
        """`json.dumps({**scalars, "step": step})` and a newline, from a template made once per set of names (a
        run logs the same names at every line) filled with each number's repr, which is what json writes for a
        finite float or an int. Anything else goes through json."""
        values = scalars.values()
        for value in values:
            kind = type(value)
            if not ((kind is float and math.isfinite(value)) or kind is int):
                return json.dumps({**scalars, "step": step}) + "\n"
        names = tuple(scalars)
        template = self._json_templates.get(names)
        if template is None:
            if "step" in names:  # json.dumps' dict merge decides where it goes
                return json.dumps({**scalars, "step": step}) + "\n"
            parts = [_literal(json.dumps(name)) + f": {{{i}!r}}" for i, name in enumerate(names)]
            template = self._json_templates[names] = (
                "{{" + ", ".join([*parts, f'"step": {{{len(names)}}}']) + "}}\n"
            )
        return template.format(*values, int(step))

    def add_image(self, name: str, image_rgb: Any, step: int) -> None:
        """An (H, W, 3) uint8 RGB drawing: `<img_save_dir>/<name>_<step>.png` (LocalVisBackend), a TensorBoard
        image, a wandb image (MMEngine's backends' add_image)."""
        if self.image_dirs:
            from typedseg.datasets.image_io import write_png

            for folder in self.image_dirs:
                write_png(folder / f"{name}_{step}.png", image_rgb)
        if self.tensorboard is not None:
            self.tensorboard.add_image(name, image_rgb, step, dataformats="HWC")
        if self.wandb is not None:
            import wandb

            self.wandb.log({name: wandb.Image(image_rgb)}, step=step)

    def _flush_json(self) -> None:
        with self._json_lock:
            if self._json is not None:
                self._json.flush()

    def close(self) -> None:
        if self._json_flush is not None:
            flusher.FLUSHER.unregister(self._json_flush)
            self._json_flush = None
        with self._json_lock:
            if self._json is not None:
                self._json.close()
                self._json = None
        if self.tensorboard is not None:
            self.tensorboard.close()
        if self.wandb is not None:
            self.wandb.finish()


class LineFormatter:
    """MMEngine's LogProcessor: which scalars are smoothed over which window, and the log line's layout."""

    def __init__(self, cfg: LogProcessor) -> None:
        self.cfg = cfg
        self.mean_pattern = re.compile(cfg.mean_pattern)
        self.custom = tuple(cfg.custom_cfg or ())
        self._smoothed: dict[str, bool] = {}
        """Per scalar name, whether mean_pattern matches it (asked at every log line, answered once)."""
        self._number: Callable[[float], str] = f"{{:.{cfg.num_digits}f}}".format
        self._exponent: Callable[[float], str] = f"{{:.{cfg.num_digits}e}}".format
        self._time_key, self._data_time_key = self._key("train", "time"), self._key("train", "data_time")
        self._templates: dict[tuple[tuple[str, ...], bool, bool], str] = {}
        """The train line's format template per (names, timing, memory)."""

    @property
    def totals_needed(self) -> frozenset[str]:
        """Scalars whose 'epoch' or 'global' mean custom_cfg reads (their running sums are kept)."""
        return frozenset(
            c.data_src for c in self.custom if isinstance(c.window_size, str) and c.method_name == "mean"
        )

    @property
    def extremes_needed(self) -> frozenset[str]:
        """Scalars whose 'epoch' or 'global' min/max custom_cfg reads (their running min/max are kept)."""
        return frozenset(
            c.data_src
            for c in self.custom
            if isinstance(c.window_size, str) and c.method_name in ("min", "max")
        )

    def collect(self, scalars: ScalarLog, mode: str) -> dict[str, float]:
        """The smoothed values of one mode's scalars, keyed without (or with, per log_with_hierarchy) prefix."""
        histories = scalars.of_mode(mode)
        tag: dict[str, float] = {}
        smoothed = self._smoothed
        for name, history in histories.items():
            smooth = smoothed.get(name)
            if smooth is None:
                smooth = smoothed[name] = self.mean_pattern.search(name) is not None
            tag[name] = history.reduce("mean", self.cfg.window_size) if smooth else history.current()
        for custom in self.custom:
            if custom.data_src in histories:
                tag[custom.log_name or custom.data_src] = histories[custom.data_src].reduce(
                    custom.method_name, custom.window_size
                )
        if self.cfg.log_with_hierarchy:
            return {f"{mode}/{name}": value for name, value in tag.items()}
        return tag

    def train_line(
        self,
        tag: dict[str, float],
        *,
        it: int,
        max_iters: int,
        epoch: int,
        max_epochs: int,
        batch_idx: int,
        loader_length: int,
        eta: float | None,
        memory: int | None,
    ) -> str:
        """`Iter(train) [ 50/1000]  lr: ...  eta: ...  time: ...  data_time: ...  memory: ...  loss: ...`.

        The numbers are formatted by one `str.format` call with a template made once per set of names (a run
        logs the same names at every line)."""
        if self.cfg.by_epoch:
            width = len(str(loader_length))
            epoch_text = f"[{epoch + 1}]".rjust(len(str(max_epochs)) + 3)
            head = f"Epoch(train){epoch_text}[{str(batch_idx + 1).rjust(width)}/{loader_length}]  "
        else:
            head = f"Iter(train) [{str(it + 1).rjust(len(str(max_iters)))}/{max_iters}]  "
        timing = eta is not None and self._time_key in tag and self._data_time_key in tag
        shape = (tuple(tag), timing, memory is not None)
        template = self._templates.get(shape)
        if template is None:
            template = self._templates[shape] = self._train_template(*shape)
        eta_text = str(datetime.timedelta(seconds=int(eta))) if timing and eta is not None else ""
        return template.format(*tag.values(), head, eta_text, memory)

    def _train_template(self, names: tuple[str, ...], timing: bool, memory: bool) -> str:
        """The line's layout for these names, as a format template over `(*values, head, eta, memory)`: the lrs
        first, then eta, time and data_time (when the timer has run), the memory, and the rest in their order."""
        count, digits = len(names), self.cfg.num_digits
        time_key, data_key = self._time_key, self._data_time_key
        lrs: list[str] = []
        others: list[str] = []
        for index, name in enumerate(names):
            label = _literal(name)
            if name.endswith("lr"):
                lrs.append(f"{label}: {{{index}:.{digits}e}}")
            elif not (timing and name in (time_key, data_key)):
                others.append(f"{label}: {{{index}:.{digits}f}}")
        template = f"{{{count}}}" + " ".join(lrs) + "  "
        if timing:
            template += (
                f"eta: {{{count + 1}}}  time: {{{names.index(time_key)}:.{digits}f}}  "
                f"data_time: {{{names.index(data_key)}:.{digits}f}}  "
            )
        if memory:
            template += f"memory: {{{count + 2}}}  "
        return template + "  ".join(others)

    def eval_line(self, mode: str, tag: Mapping[str, float], *, epoch: int, loader_length: int) -> str:
        """The line after a validation/test epoch: the metrics, then time and data_time."""
        if self.cfg.by_epoch and mode == "val":
            head = f"Epoch({mode}) [{epoch}][{loader_length}/{loader_length}]    "
        elif self.cfg.by_epoch:
            head = f"Epoch({mode}) [{loader_length}/{loader_length}]    "
        else:
            head = f"Iter({mode}) [{loader_length}/{loader_length}]    "
        timing = {k: v for k, v in tag.items() if k.split("/")[-1] in ("time", "data_time")}
        items = [*((k, v) for k, v in tag.items() if k not in timing), *timing.items()]
        return head + "  ".join(f"{name}: {self._number(value)}" for name, value in items)

    def eval_iter_line(
        self,
        mode: str,
        *,
        batch_idx: int,
        loader_length: int,
        eta: float | None,
        time: float | None,
        data_time: float | None,
    ) -> str:
        width = len(str(loader_length))
        unit = "Epoch" if self.cfg.by_epoch else "Iter"
        line = f"{unit}({mode}) [{str(batch_idx + 1).rjust(width)}/{loader_length}]    "
        if eta is not None and time is not None and data_time is not None:
            line += (
                f"eta: {datetime.timedelta(seconds=int(eta))}  time: {self._number(time)}  "
                f"data_time: {self._number(data_time)}  "
            )
        return line

    def _key(self, mode: str, name: str) -> str:
        return f"{mode}/{name}" if self.cfg.log_with_hierarchy else name
