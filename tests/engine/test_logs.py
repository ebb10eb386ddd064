"""The log line's fast paths write exactly what the slow ones would: scalars.json lines as json.dumps writes
them, the train line as logging writes it (and through logging when a user's handler or filter is there), and
recorded scalars reach the windows the logger reads."""

from __future__ import annotations

import io
import json
import logging
import math
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from typedseg.config.runtime import LocalVisBackend, LogProcessor
from typedseg.engine import flusher
from typedseg.engine.logs import (
    LOGGER_NAME,
    LineFormatter,
    ScalarWriters,
    TrainLines,
    close_logger,
    log_line,
    setup_logger,
)
from typedseg.engine.scalars import ScalarLog

LINES: list[dict[str, Any]] = [
    {"lr": 0.01, "data_time": 1.2e-05, "loss": 1.0971, "decode.loss_ce": 0.3, "time": 0.0002, "iter": 10},
    {"lr": 1e-300, "loss": -0.0, "big": 10**30, "tiny": 5e-324, "third": 1 / 3},
    {"loss": math.nan, "acc": math.inf, "neg": -math.inf},  # json's NaN / Infinity
    {"flag": True, "name": 'a "quoted" \\ name', "none": None, "list": [1, 2]},
    {"numpy": __import__("numpy").float32(0.5).item(), 'odd "key"\n': 1.5, "ünï": 2.0},
    {"step": 3, "loss": 1.0},  # a scalar named step: json.dumps' dict merge decides
    {"a{b}": 1.0, "}{": 2, "{0}": 0.5, "{{x}}": -1.5},  # braces in names are not template fields
]


@pytest.mark.parametrize("scalars", LINES)
def test_a_scalars_json_line_is_what_json_dumps_writes(tmp_path: Path, scalars: dict[str, Any]) -> None:
    writers = ScalarWriters(tmp_path, (LocalVisBackend(),))
    writers.add_scalars(scalars, step=7)
    writers.add_scalars(scalars, step=8)  # the second line uses the template made for these names
    writers.close()
    lines = (tmp_path / "scalars.json").read_text(encoding="utf8").splitlines()
    assert lines == [json.dumps({**scalars, "step": 7}), json.dumps({**scalars, "step": 8})]


def test_each_set_of_names_has_its_own_scalars_json_template(tmp_path: Path) -> None:
    writers = ScalarWriters(tmp_path, (LocalVisBackend(),))
    steps = [
        ({"lr": 0.1, "loss": 2.0}, 1),
        ({"lr": 0.1, "loss": 2.0, "memory": 512}, 2),  # one more name
        ({"loss": 1.5, "lr": 0.05}, 3),  # the same names in another order
        ({"lr": 0.01, "loss": math.nan}, 4),  # a value json writes its own way, with names seen before
        ({"lr": 0.01, "loss": 1.0}, 5),
    ]
    for scalars, step in steps:
        writers.add_scalars(scalars, step=step)
    writers.close()
    lines = (tmp_path / "scalars.json").read_text(encoding="utf8").splitlines()
    assert lines == [json.dumps({**scalars, "step": step}) for scalars, step in steps]


@pytest.fixture
def run_logger(tmp_path: Path) -> Iterator[tuple[logging.Logger, io.StringIO, Path]]:
    console = io.StringIO()
    log_file = tmp_path / "run.log"
    logger = setup_logger(log_file, "INFO", stream=console)
    yield logger, console, log_file
    close_logger()


def _without_time(text: str, time_pattern: str) -> list[str]:
    lines = text.splitlines()
    assert all(re.match(time_pattern, line) for line in lines), lines
    return [re.sub(time_pattern, "T", line) for line in lines]


def test_the_train_line_is_what_logging_writes(run_logger: tuple[logging.Logger, io.StringIO, Path]) -> None:
    logger, console, log_file = run_logger
    line = "Iter(train) [ 10/100]  lr: 1.0000e-02  eta: 0:00:01  loss: 1.0971"
    logger.info(line)  # through logging
    log_line(logger, line)  # written directly
    console_lines = _without_time(console.getvalue(), r"^\d\d/\d\d \d\d:\d\d:\d\d")
    assert console_lines == [f"T - typedseg - INFO - {line}"] * 2
    close_logger()  # the file is flushed at most once a second, and when closed
    file_lines = _without_time(log_file.read_text(encoding="utf8"), r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d")
    assert file_lines == [f"T - typedseg - INFO - {line}"] * 2


class _Collect(logging.Handler):
    """A user's handler: keeps every record it gets."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_users_handler_or_filter_gets_the_line_through_logging(
    run_logger: tuple[logging.Logger, io.StringIO, Path],
) -> None:
    logger, console, _ = run_logger
    collector = _Collect()
    logger.addHandler(collector)
    log_line(logger, "seen by every handler")
    assert [r.getMessage() for r in collector.records] == ["seen by every handler"]
    assert console.getvalue().endswith(" - typedseg - INFO - seen by every handler\n")
    logger.removeHandler(collector)

    def no_secrets(record: logging.LogRecord) -> bool:
        return "secret" not in record.getMessage()

    logger.addFilter(no_secrets)
    try:
        log_line(logger, "a secret line")
    finally:
        logger.removeFilter(no_secrets)  # the logger outlives the test
    assert "secret" not in console.getvalue()
    logger.setLevel("WARNING")
    log_line(logger, "below the level")
    assert "below the level" not in console.getvalue()
    assert logging.getLogger(LOGGER_NAME) is logger


def test_a_handlers_own_level_is_kept(run_logger: tuple[logging.Logger, io.StringIO, Path]) -> None:
    logger, console, log_file = run_logger
    logger.handlers[0].setLevel("WARNING")  # the console shows warnings only; the file keeps everything
    log_line(logger, "to the file only")
    assert console.getvalue() == ""
    close_logger()
    assert log_file.read_text(encoding="utf8").endswith(" - typedseg - INFO - to the file only\n")


def test_the_log_file_and_scalars_json_wait_for_the_flusher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = flusher.PeriodicFlusher(flusher.FLUSH_SECONDS, start=False)  # flushes only when told
    monkeypatch.setattr(flusher, "FLUSHER", held)
    console, log_file = io.StringIO(), tmp_path / "run.log"
    logger = setup_logger(log_file, "INFO", stream=console)
    writers = ScalarWriters(tmp_path / "vis", (LocalVisBackend(),))
    json_file = tmp_path / "vis" / "scalars.json"
    try:
        log_line(logger, "first")
        logger.warning("a warning through logging")
        writers.add_scalars({"loss": 1.0}, step=1)
        assert console.getvalue().endswith("a warning through logging\n")  # the console at once
        assert log_file.read_text(encoding="utf8") == "" and json_file.read_text(encoding="utf8") == ""
        held.flush_all()  # what the thread does once a second
        assert log_file.read_text(encoding="utf8").count(" - typedseg - ") == 2
        assert json_file.read_text(encoding="utf8") == '{"loss": 1.0, "step": 1}\n'
        log_line(logger, "third")
        writers.add_scalars({"loss": 3.0}, step=3)
    finally:
        close_logger()
        writers.close()
    assert log_file.read_text(encoding="utf8").endswith(" - typedseg - INFO - third\n")  # closing flushes
    assert json_file.read_text(encoding="utf8").splitlines()[-1] == '{"loss": 3.0, "step": 3}'
    held.flush_all()  # closed files are no longer flushed
    assert held._flushes == {}


def test_the_last_line_reaches_the_disk_without_another_write(tmp_path: Path) -> None:
    """A run that hangs after a log line (a deadlocked collective) still shows that line in its files."""
    console = io.StringIO()
    logger = setup_logger(tmp_path / "run.log", "INFO", stream=console)
    writers = ScalarWriters(tmp_path / "vis", (LocalVisBackend(),))
    try:
        log_line(logger, "one line before the last")
        log_line(logger, "the last line before a hang")
        writers.add_scalars({"loss": 0.5}, step=7)
        deadline = time.monotonic() + 10 * flusher.FLUSH_SECONDS
        while time.monotonic() < deadline:
            log_text = (tmp_path / "run.log").read_text(encoding="utf8")
            json_text = (tmp_path / "vis" / "scalars.json").read_text(encoding="utf8")
            if log_text and json_text and console.getvalue().count("\n") == 2:
                break
            time.sleep(0.05)
        assert log_text.endswith("the last line before a hang\n")
        assert json_text == '{"loss": 0.5, "step": 7}\n'
        assert console.getvalue().endswith("the last line before a hang\n")
    finally:
        close_logger()
        writers.close()


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _messages(text: str) -> list[str]:
    """The iteration of each train line (`[  7/100]` -> "7"), or the message of any other record."""
    messages = [line.split(" - ", 3)[-1] for line in text.splitlines()]
    return [
        m.group(1) if (m := re.match(r"Iter\(train\) \[ *(\d+)/100\]", text)) else text for text in messages
    ]


def _where(it: int) -> dict[str, Any]:
    """`LineFormatter.train_line`'s keywords for iteration `it` of 100 (no eta, no memory)."""
    return {
        "it": it - 1,
        "max_iters": 100,
        "epoch": 0,
        "max_epochs": 1,
        "batch_idx": it - 1,
        "loader_length": 0,
        "eta": None,
        "memory": None,
    }


def test_train_lines_that_come_fast_are_made_together_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = flusher.PeriodicFlusher(flusher.FLUSH_SECONDS, start=False)
    monkeypatch.setattr(flusher, "FLUSHER", held)
    console, clock = io.StringIO(), _Clock()
    logger = setup_logger(tmp_path / "run.log", "INFO", stream=console)
    writers = ScalarWriters(tmp_path / "vis", (LocalVisBackend(),))
    lines = TrainLines(logger, LineFormatter(LogProcessor(by_epoch=False)), writers)
    lines.clock = clock
    logged_at = 1_700_000_000.0
    lines.wall_clock = lambda: logged_at + clock.now  # the time a line shows: when it was logged
    writes: list[str] = []
    write = console.write

    def counted_write(text: str) -> int:
        writes.append(text)
        return write(text)

    monkeypatch.setattr(console, "write", counted_write)

    def log(it: int) -> None:
        lines.add({"lr": 0.01, "loss": it / 10}, _where(it), {"lr": 0.01, "loss": it / 10, "iter": it}, it)

    try:
        log(1)  # the first line: made at once
        clock.now += 0.01
        log(2)  # 10 ms later: gathered
        clock.now += 0.01
        log(3)
        assert _messages(console.getvalue()) == ["1"]
        logger.warning("w")  # another record: the gathered lines first, then it
        assert _messages(console.getvalue()) == ["1", "2", "3", "w"]
        clock.now += 0.05
        log(4)  # 70 ms after the last line made at once: gathered
        clock.now += 0.03
        log(5)  # 100 ms after it: made, with 4 before it, in one write
        assert _messages(console.getvalue())[-2:] == ["4", "5"] and writes[-1].count("\n") == 2
        writers.add_scalars({"mIoU": 50.0}, step=5)  # validation's scalars
        clock.now += 0.01
        log(6)
        writers.add_scalars({"mIoU": 60.0}, step=6)  # other scalars: the gathered line's go first
        assert _messages(console.getvalue())[-1] == "6"
        clock.now += 0.5
        log(7)  # slow lines are each made at once
        clock.now += 0.01
        log(8)
        assert _messages(console.getvalue())[-1] == "7"
        held.flush_all()  # the flusher thread's tick makes what waits
        assert _messages(console.getvalue())[-1] == "8"
        count = len(writes)
        held.flush_all()  # nothing waits: nothing written
        assert len(writes) == count
        clock.now += 0.01
        log(9)
    finally:
        lines.close()  # closing makes what waits
        close_logger()
        writers.close()
    expected = ["1", "2", "3", "w", "4", "5", "6", "7", "8", "9"]
    assert _messages(console.getvalue()) == expected
    file_text = (tmp_path / "run.log").read_text(encoding="utf8")
    assert _messages(file_text) == expected  # the file has every line, in order
    gathered_line_2 = file_text.splitlines()[1]
    shown = time.strftime("%Y/%m/%d %H:%M:%S", time.localtime(logged_at + 100.01))
    assert gathered_line_2.startswith(f"{shown} - typedseg - INFO - Iter(train) [  2/100]  lr: 1.0000e-02")
    steps = [json.loads(line) for line in (tmp_path / "vis" / "scalars.json").read_text().splitlines()]
    assert [(s["step"], "mIoU" in s) for s in steps] == [
        *((i, False) for i in range(1, 6)),
        (5, True),
        (6, False),
        (6, True),
        *((i, False) for i in range(7, 10)),
    ]
    assert held._flushes == {}


def test_gathered_train_lines_reach_a_users_handler_through_logging(
    tmp_path: Path, run_logger: tuple[logging.Logger, io.StringIO, Path]
) -> None:
    logger, console, _ = run_logger
    collector = _Collect()
    logger.addHandler(collector)
    writers = ScalarWriters(tmp_path / "vis", (LocalVisBackend(),))
    lines = TrainLines(logger, LineFormatter(LogProcessor(by_epoch=False)), writers)
    lines.clock = lambda: 0.0  # the second line comes at once
    logged = iter([1_700_000_000.0, 1_700_000_003.0])
    lines.wall_clock = lambda: next(logged)
    try:
        for it in (1, 2):  # the second comes at once: gathered
            lines.add({"loss": 1.0}, _where(it), {"loss": 1.0}, it)
        assert len(collector.records) == 1
    finally:
        lines.close()
        writers.close()
    assert [(r.getMessage()[:22], r.created) for r in collector.records] == [
        ("Iter(train) [  1/100] ", 1_700_000_000.0),
        ("Iter(train) [  2/100] ", 1_700_000_003.0),
    ]
    assert _messages(console.getvalue()) == ["1", "2"]


def test_a_console_that_is_gone_does_not_stop_training(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`typedseg run cfg.py | head`: once head has left, writing to the console fails; the run goes on and the
    log file keeps every line."""

    class Gone(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    logger = setup_logger(tmp_path / "run.log", "INFO", stream=Gone())
    errors = io.StringIO()
    monkeypatch.setattr(sys, "stderr", errors)
    try:
        log_line(logger, "first")
        log_line(logger, "second")
        logger.info("through logging")  # logging would print a traceback for each such record
    finally:
        close_logger()
    log_lines = (tmp_path / "run.log").read_text(encoding="utf8").splitlines()
    assert [line.rsplit(" - ", 1)[-1] for line in log_lines] == ["first", "second", "through logging"]
    assert errors.getvalue() == ""


def test_the_fast_appender_feeds_the_window_after_tensors_were_read() -> None:
    scalars = ScalarLog(window=3)
    history = scalars.history("train/loss")
    history.append(torch.tensor(4.0))  # a tensor (an accelerator's value) is turned into a float when read
    assert history.reduce("mean", 3) == 4.0
    append = history.appender(tensors=False)  # the deque's own append: the deque must be the same one
    for value in (1.0, 2.0, 3.0):
        append(value)
    assert history.reduce("mean", 3) == 2.0
    assert history.reduce("max", 2) == 3.0
    history.load_state_dict({**history.state_dict(), "recent": [7.0, 8.0, 9.0]})
    append(10.0)
    assert list(history.recent) == [8.0, 9.0, 10.0]


def test_totals_and_extremes_keep_the_full_append() -> None:
    scalars = ScalarLog(window=2, track_totals=frozenset({"loss"}), track_extremes=frozenset({"time"}))
    loss, time = scalars.history("train/loss"), scalars.history("train/time")
    assert loss.appender(tensors=False) == loss.append
    assert time.appender(tensors=False) == time.append
    plain = scalars.history("train/data_time")
    assert plain.appender(tensors=True) == plain.append
    assert plain.appender(tensors=False) == plain.recent.append
    for value in (1.0, 3.0, 5.0):
        loss.appender(tensors=False)(value)
    assert loss.reduce("mean", "global") == 3.0
    assert scalars.of_mode("train") == {"loss": loss, "time": time, "data_time": plain}


TRAIN_LINES: list[tuple[LogProcessor, dict[str, float], dict[str, Any], str]] = [
    (
        LogProcessor(by_epoch=False),
        {"lr": 0.01, "data_time": 0.01, "loss": 1.0971, "decode.loss_ce": 0.5, "time": 0.12345},
        {"it": 9, "max_iters": 100, "eta": 12.7, "memory": None},
        "Iter(train) [ 10/100]  lr: 1.0000e-02  eta: 0:00:12  time: 0.1235  data_time: 0.0100  loss: 1.0971  "
        "decode.loss_ce: 0.5000",
    ),
    (  # before the timer has an estimate: time and data_time stay where they are
        LogProcessor(by_epoch=False),
        {"lr": 0.01, "data_time": 0.01, "loss": 1.0971, "time": 0.12345},
        {"it": 9, "max_iters": 100, "eta": None, "memory": None},
        "Iter(train) [ 10/100]  lr: 1.0000e-02  data_time: 0.0100  loss: 1.0971  time: 0.1235",
    ),
    (
        LogProcessor(by_epoch=True, num_digits=3),
        {"base_lr": 0.01, "lr": 0.001, "data_time": 0.01, "time": 0.2, "loss": 2.5},
        {
            "it": 104,
            "max_iters": 240,
            "epoch": 0,
            "max_epochs": 12,
            "batch_idx": 4,
            "loader_length": 20,
            "eta": 86400.0,
            "memory": 512,
        },
        "Epoch(train)  [1][ 5/20]  base_lr: 1.000e-02 lr: 1.000e-03  eta: 1 day, 0:00:00  time: 0.200  "
        "data_time: 0.010  memory: 512  loss: 2.500",
    ),
    (
        LogProcessor(by_epoch=False, log_with_hierarchy=True),
        {"train/lr": 0.01, "train/data_time": 0.01, "train/loss": 1.0, "train/time": 0.1},
        {"it": 0, "max_iters": 8, "eta": 3.0, "memory": None},
        "Iter(train) [1/8]  train/lr: 1.0000e-02  eta: 0:00:03  time: 0.1000  data_time: 0.0100  train/loss: 1.0000",
    ),
]


def test_each_set_of_names_has_its_own_train_line_layout() -> None:
    formatter = LineFormatter(LogProcessor(by_epoch=False))
    where: dict[str, Any] = {
        "max_iters": 100,
        "epoch": 0,
        "max_epochs": 1,
        "loader_length": 0,
        "memory": None,
    }
    first = {"lr": 0.01, "time": 0.2, "data_time": 0.1, "loss": 1.0}
    braces = {"lr": 0.01, "time": 0.2, "data_time": 0.1, "loss": 1.0, "a{0}b": 2.0, "{}": 3.0}
    assert formatter.train_line(dict(first), it=9, batch_idx=9, eta=5.0, **where) == (
        "Iter(train) [ 10/100]  lr: 1.0000e-02  eta: 0:00:05  time: 0.2000  data_time: 0.1000  loss: 1.0000"
    )
    assert formatter.train_line(dict(braces), it=19, batch_idx=19, eta=None, **where) == (
        "Iter(train) [ 20/100]  lr: 1.0000e-02  time: 0.2000  data_time: 0.1000  loss: 1.0000  a{0}b: 2.0000  "
        "{}: 3.0000"
    )
    assert formatter.train_line({**first, "loss": 0.5}, it=29, batch_idx=29, eta=4000.0, **where) == (
        "Iter(train) [ 30/100]  lr: 1.0000e-02  eta: 1:06:40  time: 0.2000  data_time: 0.1000  loss: 0.5000"
    )
    with_memory = {**where, "memory": 77}
    assert formatter.train_line(dict(first), it=39, batch_idx=39, eta=1.0, **with_memory) == (
        "Iter(train) [ 40/100]  lr: 1.0000e-02  eta: 0:00:01  time: 0.2000  data_time: 0.1000  memory: 77  "
        "loss: 1.0000"
    )


@pytest.mark.parametrize(("cfg", "tag", "where", "expected"), TRAIN_LINES)
def test_the_train_line_has_mmengines_layout(
    cfg: LogProcessor, tag: dict[str, float], where: dict[str, Any], expected: str
) -> None:
    position = {"epoch": 0, "max_epochs": 1, "batch_idx": where["it"], "loader_length": 0, **where}
    assert LineFormatter(cfg).train_line(dict(tag), **position) == expected
