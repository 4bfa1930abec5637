"""Replies wait out Telegram's flood control within a bound; one person's presses are handled
in order, and the same press delivered twice is handled once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram import Update
from telegram.error import RetryAfter

from handlers.shared import common
from handlers.shared.common import MAX_REPLY_WAIT_SECONDS, Patience, PressesInOrder, patiently


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """asyncio.sleep in handlers.shared.common, recorded instead of waited."""
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(common.asyncio, "sleep", fake_sleep)
    return waits


def refusing(times: int, wait: int) -> tuple[list[int], object]:
    """A call Telegram holds back ``times`` times (retry after ``wait`` s), then lets through."""
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise RetryAfter(timedelta(seconds=wait))
        return "sent"

    return calls, call


async def test_a_reply_held_back_waits_and_tries_again_until_it_goes(slept: list[float]) -> None:
    calls, call = refusing(4, 2)

    assert await patiently(call) == "sent"
    assert len(calls) == 5 and slept == [2, 2, 2, 2]


async def test_a_reply_gives_up_after_ten_seconds_of_waiting(slept: list[float]) -> None:
    calls, call = refusing(10, 4)

    with pytest.raises(RetryAfter):
        await patiently(call)
    assert sum(slept) <= MAX_REPLY_WAIT_SECONDS
    assert slept == [4, 4] and len(calls) == 3  # a third wait would pass ten seconds


async def test_the_parts_of_one_reply_share_the_ten_seconds(slept: list[float]) -> None:
    patience = Patience()
    _, first = refusing(3, 3)
    _, second = refusing(3, 3)

    await patiently(first, patience)
    with pytest.raises(RetryAfter):
        await patiently(second, patience)
    assert sum(slept) == 9


def press(update_id: int, query_id: str, user: int) -> Update:
    """A button press by ``user``."""
    return Update.de_json(
        {
            "update_id": update_id,
            "callback_query": {
                "id": query_id,
                "from": {"id": user, "is_bot": False, "first_name": "Sam"},
                "chat_instance": "c",
                "data": "x",
                "message": {"message_id": 1, "date": 1, "chat": {"id": user, "type": "private"}},
            },
        },
        None,
    )


async def test_one_persons_presses_run_in_order_and_a_press_sent_again_runs_once() -> None:
    processor = PressesInOrder()
    log: list[str] = []
    release = asyncio.Event()

    async def handle(name: str, wait: bool = False) -> None:
        log.append(f"{name} starts")
        if wait:
            await release.wait()
        log.append(f"{name} ends")

    first = asyncio.create_task(processor.process_update(press(1, "q1", 5), handle("a", True)))
    second = asyncio.create_task(processor.process_update(press(2, "q2", 5), handle("b")))
    again = asyncio.create_task(processor.process_update(press(3, "q1", 5), handle("a again")))
    other = asyncio.create_task(processor.process_update(press(4, "q3", 6), handle("other")))
    await asyncio.sleep(0.01)
    assert log == ["a starts", "other starts", "other ends"]  # another person never waits
    release.set()
    await asyncio.gather(first, second, again, other)

    assert log == ["a starts", "other starts", "other ends", "a ends", "b starts", "b ends"]
    assert processor._people == {}  # nothing kept for people with no press waiting


async def test_messages_are_never_held_behind_presses() -> None:
    processor = PressesInOrder()
    release = asyncio.Event()
    log: list[str] = []

    async def slow() -> None:
        await release.wait()
        log.append("press")

    async def message() -> None:
        log.append("message")

    text = Update.de_json(
        {
            "update_id": 9,
            "message": {
                "message_id": 2,
                "date": 1,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 5, "is_bot": False, "first_name": "Sam"},
                "text": "help",
            },
        },
        None,
    )
    held = asyncio.create_task(processor.process_update(press(1, "q1", 5), slow()))
    await processor.process_update(text, message())
    release.set()
    await held
    assert log == ["message", "press"]
