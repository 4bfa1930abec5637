"""Logging never shows the bot token, wherever in a record it hides."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.logging_setup import RedactSecrets
from tests.conftest import TEST_TOKEN


class Captured:
    """A logger whose handler carries the redaction filter and writes to a string."""

    def __init__(self, name: str, secrets: list[str]) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.handler.addFilter(RedactSecrets(secrets))
        self.logger = logging.getLogger(name)
        self.logger.addHandler(self.handler)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False

    def text(self) -> str:
        return self.stream.getvalue()

    def close(self) -> None:
        self.logger.removeHandler(self.handler)
        self.handler.close()


@pytest.fixture
def captured() -> Iterator[Captured]:
    log = Captured("tests.redact", [TEST_TOKEN])
    yield log
    log.close()


def test_token_in_the_message_is_redacted(captured: Captured) -> None:
    captured.logger.info(f"GET https://api.telegram.org/bot{TEST_TOKEN}/getMe")

    assert TEST_TOKEN not in captured.text()
    assert "https://api.telegram.org/bot[redacted]/getMe" in captured.text()


def test_token_in_args_is_redacted(captured: Captured) -> None:
    captured.logger.warning("request to %s failed after %d tries", f"/bot{TEST_TOKEN}/x", 3)

    assert TEST_TOKEN not in captured.text()
    assert "request to /bot[redacted]/x failed after 3 tries" in captured.text()


def test_token_in_mapping_args_is_redacted(captured: Captured) -> None:
    captured.logger.error("url=%(url)s", {"url": TEST_TOKEN})

    assert TEST_TOKEN not in captured.text()
    assert "url=[redacted]" in captured.text()


def test_token_in_an_object_logged_as_the_message_is_redacted(captured: Captured) -> None:
    captured.logger.error(RuntimeError(f"bad url /bot{TEST_TOKEN}/getMe"))

    assert TEST_TOKEN not in captured.text()


def test_token_in_an_exception_traceback_is_redacted(captured: Captured) -> None:
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TEST_TOKEN}/getMe")
    except ConnectionError as exc:
        captured.logger.error("handler failed: %s", type(exc).__name__, exc_info=exc)

    assert "handler failed: ConnectionError" in captured.text()
    assert "Traceback" in captured.text()
    assert TEST_TOKEN not in captured.text()


def test_records_without_the_token_are_left_alone(captured: Captured) -> None:
    captured.logger.info("%s joined %s", "someone", "a hub")

    assert captured.text() == "INFO tests.redact: someone joined a hub\n"


def test_no_secrets_means_no_change() -> None:
    log = Captured("tests.redact.none", ["", ""])
    try:
        log.logger.info("plain %s", "text")
        assert log.text() == "INFO tests.redact.none: plain text\n"
    finally:
        log.close()


def test_a_malformed_log_call_neither_crashes_nor_leaks(captured: Captured) -> None:
    captured.logger.info("token %s and %s", TEST_TOKEN)  # one argument short
    captured.logger.info("100%% of %d", f"/bot{TEST_TOKEN}")

    assert TEST_TOKEN not in captured.text()
    assert captured.text().count("[redacted]") == 2


def test_token_in_stack_info_is_redacted(captured: Captured) -> None:
    record = captured.logger.makeRecord(
        "tests.redact", logging.INFO, __file__, 1, "here", (), None, sinfo=f"at {TEST_TOKEN}"
    )
    captured.logger.handle(record)

    assert "here\nat [redacted]" in captured.text()


# Free text as it would appear in a format string: any % written as %%.
free_text = st.text(max_size=40).map(lambda text: text.replace("%", "%%"))


@given(
    free_text,
    free_text,
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=3),
)
def test_token_never_appears_wherever_it_is_put(
    before: str, after: str, extra: list[object]
) -> None:
    log = Captured("tests.redact.property", [TEST_TOKEN])
    try:
        placeholders = " ".join("%s" for _ in extra)
        log.logger.info(f"{before}%s{after} {placeholders}", TEST_TOKEN, *extra)
        log.logger.info(f"{before}{TEST_TOKEN}{after}")
        log.logger.info("%s", f"{before}{TEST_TOKEN}{after}")
        assert TEST_TOKEN not in log.text()
        assert log.text().count("[redacted]") >= 3
    finally:
        log.close()
