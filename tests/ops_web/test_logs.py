"""Logs: one line per event, as text or (LOG_FORMAT=json) one JSON object per line; never the
token, the webhook secret or anything a member wrote."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import configure_logging
from tests.conftest import TEST_TOKEN
from tests.ops_web.conftest import SECRET, WebhookBot

ALEX = 700_000_301


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """What the bot's log handler writes; the handler is removed afterwards."""
    out = io.StringIO()
    yield out
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_forum_bot_handler", False)]:
        root.removeHandler(handler)


def log_an_error_with_secrets() -> None:
    """An error whose message and traceback hold the token and span several lines."""
    logger = logging.getLogger("bot.example")
    try:
        raise RuntimeError(f"https://api.telegram.org/bot{TEST_TOKEN}/getMe\nfailed")
    except RuntimeError:
        logger.exception("call failed for token %s", TEST_TOKEN)
    logger.info("started")


def test_json_logs_are_one_object_per_line_without_the_token(stream: io.StringIO) -> None:
    configure_logging("INFO", [TEST_TOKEN], "json", stream)
    log_an_error_with_secrets()

    lines = stream.getvalue().splitlines()
    events = [json.loads(text) for text in lines]
    assert len(lines) == 2
    assert events[0]["level"] == "ERROR" and events[0]["logger"] == "bot.example"
    assert events[0]["message"] == "call failed for token [redacted]"
    assert "RuntimeError" in events[0]["exception"]
    assert events[0]["time"].endswith("+00:00")
    assert events[1]["message"] == "started"
    assert TEST_TOKEN not in stream.getvalue()


def test_text_logs_are_one_line_per_event_without_the_token(stream: io.StringIO) -> None:
    configure_logging("INFO", [TEST_TOKEN], "text", stream)
    log_an_error_with_secrets()

    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    assert "ERROR bot.example: call failed for token [redacted]" in lines[0]
    assert "Traceback (most recent call last):\\n" in lines[0]
    assert lines[1].endswith("INFO bot.example: started")
    assert TEST_TOKEN not in stream.getvalue()


async def test_the_webhook_logs_nothing_a_member_wrote_nor_the_secret(
    hooked: WebhookBot, stream: io.StringIO
) -> None:
    configure_logging("DEBUG", [TEST_TOKEN, SECRET], "json", stream)
    emu = hooked.emu
    emu.add_user(ALEX, "Alex")
    words = "I feel quite low about the rent today"
    assert await emu.post_to_webhook(emu.text_update(ALEX, words), secret="guess") == 403
    await emu.send_text(ALEX, words)
    await emu.wait_for_message(ALEX)
    await emu.send_text(ALEX, "/start")
    await emu.wait_for_message(ALEX)

    text = stream.getvalue()
    events = [json.loads(line) for line in text.splitlines()]
    assert any("refused (403)" in event["message"] for event in events)
    assert "rent" not in text and "quite low" not in text
    assert TEST_TOKEN not in text and SECRET not in text


def test_refused_requests_are_logged_at_most_once_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.ops.webhook import RefusalLog

    now = [1000.0]
    refusals = RefusalLog(clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.ops.webhook"):
        for _ in range(50):  # a scanner knocking
            refusals.note()
        now[0] += 61
        refusals.note()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.ops.webhook"]
    assert lines == [
        "webhook: 1 request(s) without the right secret refused (403)",
        "webhook: 50 request(s) without the right secret refused (403)",
    ]
