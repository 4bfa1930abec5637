"""A local stand-in for the Telegram Bot API that keeps Telegram's rules, for tests and the sandbox."""  # noqa: E501

from .clock import Clock, ManualClock, SystemClock
from .emulator import BotApiEmulator
from .errors import ApiError
from .faults import Fault
from .flood import FloodLimits
from .html_parser import HtmlParseError, parse_html
from .records import (
    CallbackAnswer,
    ChatRecord,
    FileRecord,
    MessageRecord,
    MessageVersion,
    RequestRecord,
    UserRecord,
)

__all__ = [
    "ApiError",
    "BotApiEmulator",
    "CallbackAnswer",
    "ChatRecord",
    "Clock",
    "Fault",
    "FileRecord",
    "FloodLimits",
    "HtmlParseError",
    "ManualClock",
    "MessageRecord",
    "MessageVersion",
    "RequestRecord",
    "SystemClock",
    "UserRecord",
    "parse_html",
]
