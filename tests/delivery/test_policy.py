"""What a Bot API answer means for a delivery row, and how retries back off."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.delivery.content import Outgoing
from bot.delivery.outcomes import Claimed, row_update
from bot.delivery.policy import (
    BAD_ANSWER,
    CHAT_MOVED,
    CHAT_NOT_FOUND,
    DEACTIVATED,
    REFUSED,
    SERVER_ERROR,
    Outcome,
    RetryPolicy,
    Verdict,
    classify,
)
from storage.deliveries import FAILED, PENDING


def error(code: int, description: str, **parameters: object) -> dict:
    """A Bot API error body."""
    body: dict = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"ok": True, "result": {"message_id": 7}}, Outcome(Verdict.SENT, message_id=7)),
        (200, {"ok": True, "result": True}, Outcome(Verdict.UNCERTAIN, BAD_ANSWER)),
        (200, None, Outcome(Verdict.UNCERTAIN, BAD_ANSWER)),
        (429, error(429, "Too Many Requests: retry after 3", retry_after=3), None),
        (429, None, Outcome(Verdict.RATE_LIMITED, retry_after=1.0)),
        (
            403,
            error(403, "Forbidden: bot was blocked by the user"),
            Outcome(Verdict.FAILED, "blocked"),
        ),
        (403, error(403, "Forbidden: user is deactivated"), Outcome(Verdict.FAILED, DEACTIVATED)),
        (400, error(400, "Bad Request: chat not found"), Outcome(Verdict.FAILED, CHAT_NOT_FOUND)),
        (400, error(400, "Bad Request: PEER_ID_INVALID"), Outcome(Verdict.FAILED, CHAT_NOT_FOUND)),
        (400, error(400, "Bad Request: can't parse entities"), Outcome(Verdict.FAILED, REFUSED)),
        (
            400,
            error(400, "migrated", migrate_to_chat_id=-100),
            Outcome(Verdict.MOVED, CHAT_MOVED, new_chat_id=-100),
        ),
        (500, error(500, "Internal Server Error"), Outcome(Verdict.RETRY, SERVER_ERROR)),
        (502, None, Outcome(Verdict.RETRY, SERVER_ERROR)),
        (401, error(401, "Unauthorized"), Outcome(Verdict.HOLD, "not_authorised")),
        (418, None, Outcome(Verdict.FAILED, REFUSED)),
    ],
)
def test_answers_are_read_as_telegram_means_them(status, body, expected) -> None:
    outcome = classify(status, body)
    if expected is None:
        assert outcome == Outcome(Verdict.RATE_LIMITED, retry_after=3.0)
    else:
        assert outcome == expected


def test_only_blocked_deactivated_and_missing_chats_are_unreachable() -> None:
    assert classify(403, error(403, "Forbidden: bot was blocked by the user")).unreachable
    assert classify(400, error(400, "Bad Request: chat not found")).unreachable
    assert not classify(400, error(400, "Bad Request: can't parse entities")).unreachable
    assert not classify(500, None).unreachable


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(status=st.integers(100, 599), body=json_values)
def test_any_answer_gets_a_verdict_and_never_an_exception(status: int, body: object) -> None:
    outcome = classify(status, body)
    assert isinstance(outcome.verdict, Verdict)
    assert outcome.retry_after >= 0
    if outcome.verdict is Verdict.SENT:
        assert 200 <= status < 300 and isinstance(outcome.message_id, int)


def test_backoff_doubles_with_jitter_up_to_a_cap() -> None:
    policy = RetryPolicy(max_attempts=5, base_seconds=1.0, cap_seconds=10.0)
    rng = random.Random(1)
    delays = [policy.delay(attempt, rng) for attempt in range(1, 7)]
    for attempt, delay in enumerate(delays, start=1):
        raw = min(10.0, 2 ** (attempt - 1))
        assert 0.8 * raw <= delay <= raw
    assert not policy.gives_up(4)
    assert policy.gives_up(5)


def test_a_group_that_moved_is_sent_again_at_its_new_id_until_it_keeps_moving() -> None:
    policy = RetryPolicy(max_attempts=3)
    now = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    call = Outgoing("sendMessage", {"text": "Hub meeting"})
    upgraded = error(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-1007)
    moved = classify(400, upgraded)
    assert (moved.verdict, moved.new_chat_id, moved.unreachable) == (Verdict.MOVED, -1007, False)
    first = row_update(Claimed(1, 9, -5001, 0, 0, 1, call), moved, now, policy)
    assert (first.state, first.moved_to, first.attempts) == (PENDING, -1007, 1)
    # a group that keeps answering "moved" does not loop for ever
    last = row_update(Claimed(1, 9, -5001, 0, 2, 1, call), moved, now, policy)
    assert (last.state, last.moved_to, last.reason) == (FAILED, None, CHAT_MOVED)
    # a new id that is no group's (or the same id) is not followed
    for odd in (7, True, "-1007", -5001):
        outcome = classify(400, error(400, "migrated", migrate_to_chat_id=odd))
        update = row_update(Claimed(1, 9, -5001, 0, 0, 1, call), outcome, now, policy)
        assert (update.state, update.moved_to) == (FAILED, None)
