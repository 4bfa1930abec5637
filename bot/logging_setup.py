"""Logging that never shows the bot token, and quiet HTTP libraries (their URLs hold it)."""

from __future__ import annotations

import logging


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


def configure_logging(level: str, secrets: list[str]) -> None:
    """Set up console logging with the redaction filter on every handler."""
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    redact = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    quiet_libraries_that_log_private_data()


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
