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


GATHER_SECONDS = 0.1
"""Train lines logged sooner than this after the last ones were made are gathered and made together
(`TrainLines`)."""


class _AfterTrainLines(logging.Handler):
    """A run's handler: any record it gets follows the train lines logged before it (`TrainLines`)."""

    def handle(self, record: logging.LogRecord) -> bool:
        _make_gathered_train_lines()
        return super().handle(record)


class _Console(_AfterTrainLines, logging.StreamHandler):  # type: ignore[type-arg]
    """The console (sys.stdout as it is at the time: rich's progress bar redirects it while it runs). Train lines
    come in batches (`TrainLines`), each one write; a console that is gone (`typedseg run cfg.py | head`) stops
    nothing: what it misses, the log file keeps."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._fixed = stream
        super().__init__(stream)

    @property
    def stream(self) -> TextIO:
        return self._fixed if self._fixed is not None else sys.stdout

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass

    def write_lines(self, texts: list[str]) -> None:
        """Formatted train lines (`log_lines`' direct path), in one write."""
        with self.lock:  # type: ignore[union-attr]
            try:
                self.stream.write("\n".join(texts) + "\n")
            except (OSError, ValueError):
                return
            self.flush()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        """A console that is gone is no error worth a traceback per record."""
        if isinstance(sys.exc_info()[1], (OSError, ValueError)):
            return
        super().handleError(record)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            try:
                stream = self.stream
                if stream is not None and hasattr(stream, "flush"):
                    stream.flush()
            except (OSError, ValueError):
                pass


class _RunLogFile(_AfterTrainLines, logging.FileHandler):
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
        self._time_text: tuple[int, str] = (-1, "")
        """The last second's text, read and replaced as one tuple (the flusher thread formats lines too)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info or record.exc_text or record.stack_info:
            return super().format(record)
        return self.line(record.created, record.name, record.levelname, record.getMessage())

    def line(self, created: float, name: str, level: str, message: str) -> str:
        second = int(created)
        cached_second, time_text = self._time_text
        if second != cached_second:
            time_text = time.strftime(self.datefmt or "", self.converter(created))
            self._time_text = (second, time_text)
        return f"{time_text} - {name} - {level} - {message}"


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


def log_line(logger: logging.Logger, line: str, created: float | None = None) -> None:
    """An INFO line logged `created` (by default now), as `log_lines` writes it."""
    log_lines(logger, [(time.time() if created is None else created, line)])


def log_lines(logger: logging.Logger, lines: list[tuple[float, str]]) -> None:
    """INFO lines, each with the time it was logged (train lines, made in batches by `TrainLines`), as cheaply
    as logging allows.

    To the run's own handlers they are written directly: the same text as logging would write, one write per
    handler under its lock, without building a LogRecord per line and dispatching it (most of its cost). Any
    other handler, or a filter, gets each line through logging, without the caller lookup `Logger.info` makes
    (the run's formats name no source file or line)."""
    if not lines or not logger.isEnabledFor(logging.INFO):
        return
    handlers = logger.handlers
    if logger.filters or not all(_writes_directly(handler) for handler in handlers):
        for created, line in lines:
            record = logger.makeRecord(logger.name, logging.INFO, "", 0, line, (), None)
            record.created, record.msecs = created, (created - int(created)) * 1000
            logger.handle(record)
        return
    name = logger.name
    for handler in handlers:
        line_format = handler.formatter.line  # type: ignore[union-attr]
        texts = [line_format(created, name, "INFO", line) for created, line in lines]
        if type(handler) is _Console:
            handler.write_lines(texts)
            continue
        stream: Any = handler.stream  # type: ignore[attr-defined]
        with handler.lock:  # type: ignore[union-attr]
            stream.write("\n".join(texts) + "\n")
            handler.flush()  # the log file's does nothing: the flusher thread's is the one that does


def close_logger() -> None:
    _make_gathered_train_lines()
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
        self.before_write: Callable[[], None] | None = None
        """Called before scalars are written: the train lines gathered so far go first (TrainLines)."""

    def add_config(self, text: str, name: str) -> None:
        (self.vis_dir / name).write_text(text, encoding="utf8")

    def add_scalars(self, scalars: Mapping[str, Any], step: int) -> None:
        if self.before_write is not None:
            self.before_write()
        self.write_steps([(scalars, step)])

    def write_steps(self, steps: list[tuple[Mapping[str, Any], int]]) -> None:
        """Several steps' scalars, in order (`TrainLines`' batches): scalars.json in one write."""
        if self._json is not None:
            text = "".join([self._json_line(scalars, step) for scalars, step in steps])
            with self._json_lock:  # the flusher thread flushes it
                self._json.write(text)
        if self.tensorboard is not None:
            for scalars, step in steps:
                for name, value in scalars.items():
                    if isinstance(value, (int, float)):
                        self.tensorboard.add_scalar(name, value, step)
        if self.wandb is not None:
            for scalars, step in steps:
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


TrainLineRecord = tuple[float, dict[str, float], dict[str, Any], dict[str, Any], int]
"""A train line waiting to be made: when it was logged, its tag, where it is (`LineFormatter.train_line`'s
keywords), its scalars and their step."""


class TrainLines:
    """A run's train log lines, each made (formatted and written to the console, the log file and the scalar
    backends) when the last batch of them was made `GATHER_SECONDS` ago or more.

    At the pace of real training (a line every few seconds) every line is made when it is logged. Lines that come
    faster (hundreds a second when an iteration takes microseconds) wait as numbers and are made together: by the
    next line after such a pause, before any other record of the run's logger, before other scalars are written,
    by the flusher thread within a second, and at the end. Between iterations the training evicts the formatting
    code from the CPU's caches: on this project's 2-core machine a line made alone took about 95 us, and about
    20 us in a batch of 25 (bench/bench_engine.py's workload, a line every 3 ms).
    """

    clock: Callable[[], float] = time.monotonic
    """Paces the batches."""
    wall_clock: Callable[[], float] = time.time
    """When a line was logged: the time its text shows, however late it is made."""

    def __init__(self, logger: logging.Logger, formatter: LineFormatter, writers: ScalarWriters) -> None:
        self.logger, self.formatter, self.writers = logger, formatter, writers
        self._pending: list[TrainLineRecord] = []
        self._lock = threading.RLock()
        self._made_at = -math.inf
        writers.before_write = self.flush
        _OPEN_TRAIN_LINES.append(self)
        # First in the flusher thread's round: the lines it makes reach the files' buffers before those flush.
        self._token: int | None = flusher.FLUSHER.register(self.flush, first=True)

    def add(self, tag: dict[str, float], where: dict[str, Any], scalars: dict[str, Any], step: int) -> None:
        """A train line (`formatter.train_line(tag, **where)`) and its scalars, made now or gathered."""
        now = self.clock()
        with self._lock:
            self._pending.append((self.wall_clock(), tag, where, scalars, step))
            if now - self._made_at >= GATHER_SECONDS:
                self._made_at = now
                self.flush()

    def flush(self) -> None:
        """Make every gathered line, in order: one write per file and to the console."""
        with self._lock:  # re-entered from the writes below (before_write, a handler's record): nothing waits
            if not self._pending:
                return
            pending, self._pending = self._pending, []
            train_line = self.formatter.train_line
            log_lines(
                self.logger, [(created, train_line(tag, **where)) for created, tag, where, _, _ in pending]
            )
            self.writers.write_steps([(scalars, step) for _, _, _, scalars, step in pending])

    def close(self) -> None:
        """Make what waits; no later flush reaches the writers (they may be closed next)."""
        self.flush()
        if self._token is not None:
            flusher.FLUSHER.unregister(self._token)
            self._token = None
        if self in _OPEN_TRAIN_LINES:
            _OPEN_TRAIN_LINES.remove(self)
        if self.writers.before_write == self.flush:
            self.writers.before_write = None


_OPEN_TRAIN_LINES: list[TrainLines] = []
"""The train lines of the runs in this process that are not closed: made before any other record is written."""


def _make_gathered_train_lines() -> None:
    for lines in tuple(_OPEN_TRAIN_LINES):
        lines.flush()
