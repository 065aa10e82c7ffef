"""Structured logs: one JSON object per line, the ``extra=`` fields of a record as keys.

Never log personal data (ID numbers, phones, e-mails, answers): pack ids, versions, hashes,
counts and timings only.
"""

from __future__ import annotations

import logging
import math
import sys
import time
from typing import Any, TextIO

from asgi_correlation_id import correlation_id
from pydantic_core import to_json

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime", "taskName"}


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The ``extra=`` fields a record carries."""
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


_second: tuple[int, str] = (0, "1970-01-01T00:00:00")
"""The last second a line was stamped with, written out: lines come many to a second."""


def timestamp(created: float) -> str:
    """``created`` (seconds since the epoch) as ``2026-12-05T07:08:52.650+00:00``, in UTC to the millisecond."""
    global _second
    fraction, whole = math.modf(created)
    micro, second = round(fraction * 1e6), int(whole)  # rounded to the microsecond first, as datetime does
    if micro >= 1_000_000:
        micro, second = micro - 1_000_000, second + 1
    if second != _second[0]:
        _second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
    return f"{_second[1]}.{micro // 1000:03d}+00:00"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return to_json(entry, fallback=str).decode()  # a third of json.dumps' time; UTF-8, not \u escapes


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(f"{k}={v}" for k, v in fields_of(record).items())
        line = f"{record.levelname:<7} {record.name}: {record.getMessage()} {extra}".rstrip()
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class RequestId(logging.Filter):
    """Stamp each line logged while a request is served with its id (``X-Request-ID``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = correlation_id.get()
        if request_id is not None:
            record.request_id = request_id
        return True


_HANDLER_NAME = "yiye"


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (so redirection and capture work)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure(level: str = "INFO", *, json_lines: bool = True) -> None:
    """Send the ``yiye`` loggers to stderr, once per process (calling again only updates it)."""
    # No line shows where it was logged from, nor the thread or process: the Logging HOWTO's
    # "Optimization" switches stop each record from looking them up, finding its caller above all.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logger = logging.getLogger("yiye")
    logger.setLevel(level.upper())
    handler = next((h for h in logger.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        handler = _StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.addFilter(RequestId())
        logger.addHandler(handler)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
