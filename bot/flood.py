"""Reading Telegram's 'retry after' hint the same way everywhere, without deprecation warnings."""

from __future__ import annotations

import os
from datetime import timedelta

from telegram.error import RetryAfter


def opt_in_to_timedeltas() -> None:
    """Ask PTB for timedelta time periods (its future default), which silences its warnings."""
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def retry_after_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait, in seconds."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
