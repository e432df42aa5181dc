"""The desk's log files and how errors reach them. No Qt.

``setup_logging(data_dir)`` (called by the app and CLI entry points, once the data folder is
known) writes ``<data>/logs/desk.log``, rotated at 1 MB, five old files kept, so a support
person can read what happened without the log ever filling a disk.

Logs hold no personal data and no secrets: code logs dossier codes, counts and error
*templates* (``describe_error`` keeps a DeskError's message template, never the citizen's
values it was filled with), and the formatter masks what slips through anyway: long digit
runs (ID numbers, phones), long hex strings (keys, tags) and e-mail addresses.
A test greps the logs of a full intake and sync round for the ID number, name and secret.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from desk_app.domain.errors import DeskError

LOG_DIR = "logs"
LOG_FILE = "desk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

_MASKS = (
    (re.compile(r"[0-9a-fA-F]{32,}"), "[hex]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    # 9+ digits, maybe spaced ("0912 345 678"); dotted unit codes (000.31.14.H14) stay readable.
    (re.compile(r"(?<![\d])\d[\d ]{7,}\d(?![\d])"), "[số]"),
)

log = logging.getLogger("desk_app")


def mask(text: str) -> str:
    """Hide ID numbers, phone numbers, keys and e-mail addresses in a log line, and the home
    folder (its name is often the officer's login, a person's name)."""
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    home = str(Path.home())
    if len(home) > 3:
        text = text.replace(home, "~")
    return text


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


DESK_HANDLER = "desk-log"  # the name of the handler setup_logging owns (a second call replaces it)


def log_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIR / LOG_FILE


def setup_logging(data_dir: Path, *, level: int = logging.INFO, rotating: bool = True) -> Path | None:
    """Send the app's log records to the rotating file in ``data_dir``; returns its path, or
    None when the folder cannot be written (the app still runs; stderr gets the records).

    ``rotating=False`` writes the same file without rotation: the app's start-up, which cannot
    spare loading ``logging.handlers`` (~7 ms: socket, pickle) before its catalogue is listed,
    calls this again with rotation once it settled (ui/support.py)."""
    target = log_path(data_dir)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == DESK_HANDLER]:
        root.removeHandler(old)
        old.close()
    handler: logging.Handler
    path: Path | None = target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if rotating:
            from logging.handlers import RotatingFileHandler

            handler = RotatingFileHandler(target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        else:
            handler = logging.FileHandler(target, encoding="utf-8")
    except OSError:
        handler, path = logging.StreamHandler(sys.stderr), None
    handler.set_name(DESK_HANDLER)
    handler.setFormatter(MaskingFormatter(FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    # Libraries' chatter (HTTP connection pools, PIL plugins) is not ours to keep.
    for noisy in ("urllib3", "PIL", "requests", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def describe_error(exc: BaseException) -> str:
    """A log-safe one-line account of ``exc``: for a user-facing DeskError its class, code,
    field and message template (the values a citizen typed stay out); otherwise its type and
    (masked by the formatter) message."""
    if isinstance(exc, DeskError):
        field = f" field={exc.field}" if exc.field else ""
        return f"{type(exc).__name__}[{exc.code}{field}]: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def log_error(what: str, exc: BaseException, logger: logging.Logger = log) -> None:
    """Record a failed piece of work. A DeskError is an expected refusal (warning, no
    traceback, no values); anything else is a bug: error with its traceback."""
    if isinstance(exc, DeskError):
        logger.warning("%s: %s", what, describe_error(exc))
    else:
        logger.error("%s: %s", what, describe_error(exc), exc_info=(type(exc), exc, exc.__traceback__))


def crash_details(
    exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None, thread_name: str | None = None
) -> str:
    """The text a crash dialog shows and copies: where, what, the traceback (masked)."""
    head = f"thread: {thread_name}\n" if thread_name else ""
    if isinstance(exc, DeskError):  # the traceback text would print the filled-in message
        body = "".join(traceback.format_tb(tb)) + describe_error(exc) + "\n"
    else:
        body = "".join(traceback.format_exception(exc_type, exc, tb))
    return mask(head + body)


def install_excepthooks(on_crash: Callable[[str], None] | None = None) -> Callable[[], None]:
    """Uncaught exceptions (main thread and any other thread) go to the log as CRITICAL and
    then to ``on_crash(details)`` (the UI's crash dialog). Returns a function restoring the
    previous hooks (tests)."""
    previous_sys, previous_thread = sys.excepthook, threading.excepthook

    def report(
        exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None, thread_name: str | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt) and exc is not None:
            previous_sys(exc_type, exc, tb)
            return
        details = crash_details(exc_type, exc, tb, thread_name)
        log.critical("uncaught exception\n%s", details)
        if on_crash is not None:
            try:
                on_crash(details)
            except Exception:  # the dialog itself failed: the log still has it
                log.exception("crash handler failed")

    def sys_hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        report(exc_type, exc, tb, None)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        report(args.exc_type, args.exc_value, args.exc_traceback, args.thread.name if args.thread else None)

    sys.excepthook = sys_hook
    threading.excepthook = thread_hook

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous_sys, previous_thread

    return restore
