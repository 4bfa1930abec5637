"""Logging that never shows the bot token, and quiet HTTP libraries (their URLs hold it)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO


class RedactSecrets(logging.Filter):
    """Replace any secret in a log record with [redacted]."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message and traceback without secrets."""
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed log call: keep it unformatted rather than crash the caller.
            message = f"{record.msg} {record.args!r}"
            record.msg, record.args = message, ()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        # A traceback's exception message can hold a URL with the token in it.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True

    def _clean(self, text: str) -> str:
        """The text with every secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


class OneLineFormatter(logging.Formatter):
    """Plain text, one line per event: a traceback's lines are joined with a literal \\n."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record on one line."""
        return super().format(record).replace("\r", "").replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exception"] = record.exc_text
        if record.stack_info:
            event["stack"] = record.stack_info
        return json.dumps(event, ensure_ascii=False)


def configure_logging(
    level: str, secrets: list[str], log_format: str = "text", stream: TextIO | None = None
) -> logging.Handler:
    """Log to stderr (or ``stream``), one line per event, as text or JSON (LOG_FORMAT), with
    the redaction filter on every handler; return the handler this call added (a second call
    replaces it)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _OURS, False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else OneLineFormatter())
    setattr(handler, _OURS, True)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    redact = RedactSecrets(secrets)
    for each in root.handlers:
        each.addFilter(redact)
    quiet_libraries_that_log_private_data()
    return handler


_OURS = "_forum_bot_handler"


# Loggers that, below the level given, write the token (request URLs) or what members wrote
# (PTB's request parameters and returned updates, aiosqlite's SQL parameters).
_PRIVATE_AT_DEBUG_OR_INFO = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "aiosqlite": logging.INFO,
    "apscheduler": logging.WARNING,
}


def quiet_libraries_that_log_private_data() -> None:
    """Raise chatty libraries' log levels so no token or member text reaches any log."""
    for name, level in _PRIVATE_AT_DEBUG_OR_INFO.items():
        logger = logging.getLogger(name)
        if logger.level < level:
            logger.setLevel(level)
