"""The redraw lane: each pressed message is redrawn with its newest look, once, in the order the
messages were first pressed; Telegram's 'slow down' is waited out, and a message that can no
longer be edited is posted afresh."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.delivery.limiter import SendLimiter
from handlers.shared.redraw import MIN_REDRAWS_PER_SECOND, RedrawLane, redraw_rate

pytestmark = pytest.mark.timeout(30)


class Chats:
    """What the lane did: edits and fresh sends, with faults to raise on chosen edits."""

    def __init__(self) -> None:
        self.edits: list[tuple[int, int, str]] = []
        self.sends: list[tuple[int, str]] = []
        self.faults: dict[int, list[Exception]] = {}  # by chat: raised on the next edits

    async def edit(self, chat_id: int, message_id: int, text: str, markup: object) -> None:
        """An edit, or the next fault for this chat."""
        pending = self.faults.get(chat_id)
        if pending:
            raise pending.pop(0)
        self.edits.append((chat_id, message_id, text))

    async def send(self, chat_id: int, text: str, markup: object) -> None:
        """A fresh message."""
        self.sends.append((chat_id, text))


def lane_for(chats: Chats, rate: float = 1000.0) -> RedrawLane:
    """A lane on a fast limiter, so tests wait only for the lane's own order."""
    limiter = SendLimiter(rate, chat_interval=0.0)
    return RedrawLane(chats.edit, chats.send, limiter, backoff_seconds=0.01)


def look(text: str):
    """A drawing function for a fixed look."""
    return lambda: (text, None)


async def settle(lane: RedrawLane, chats: Chats, edits: int, sends: int = 0) -> None:
    """Wait until the lane has made this many edits and sends and has nothing waiting."""
    for _ in range(1000):
        if len(chats.edits) >= edits and len(chats.sends) >= sends and lane.waiting == 0:
            await asyncio.sleep(0.01)  # and nothing more arrives
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"lane did not settle: {chats.edits} {chats.sends}")


async def test_only_the_newest_look_of_a_message_is_drawn_in_first_pressed_order() -> None:
    chats = Chats()
    lane = lane_for(chats)
    lane.redraw(1, 10, look("one: Yes"))
    lane.redraw(2, 20, look("two: No"))
    lane.redraw(1, 10, look("one: Not sure"))  # before the lane ran: replaces "Yes"
    lane.start()
    try:
        await settle(lane, chats, edits=2)
        assert chats.edits == [(1, 10, "one: Not sure"), (2, 20, "two: No")]
    finally:
        await lane.stop()


async def test_a_look_is_drawn_only_when_its_turn_comes() -> None:
    chats = Chats()
    lane = lane_for(chats)
    drawn: list[str] = []

    def draw() -> tuple[str, None]:
        drawn.append("drawn")
        return "look", None

    lane.redraw(1, 10, draw)
    lane.redraw(1, 10, draw)
    assert drawn == []  # rendering waits in the lane too
    lane.start()
    try:
        await settle(lane, chats, edits=1)
        assert drawn == ["drawn"]
    finally:
        await lane.stop()


async def test_slow_down_is_waited_out_and_the_message_is_drawn_once_with_its_newest_look() -> None:
    chats = Chats()
    chats.faults[1] = [RetryAfter(timedelta(seconds=1))]
    limiter = SendLimiter(1000.0, chat_interval=0.0)
    lane = RedrawLane(chats.edit, chats.send, limiter)
    lane.start()
    try:
        lane.redraw(1, 10, look("first"))
        for _ in range(1000):  # until the lane has tried it once and been told to slow down
            if not chats.faults[1]:
                break
            await asyncio.sleep(0.005)
        assert chats.edits == []
        assert limiter.paused_for() > 0.5  # every redraw waits, as Telegram asked
        lane.redraw(1, 10, look("newest"))
        await settle(lane, chats, edits=1)
        assert chats.edits == [(1, 10, "newest")]
    finally:
        await lane.stop()


async def test_a_message_that_cannot_be_edited_is_posted_afresh() -> None:
    chats = Chats()
    chats.faults[1] = [BadRequest("Message to edit not found")]
    chats.faults[2] = [BadRequest("Message is not modified: specified new message content")]
    lane = lane_for(chats)
    lane.start()
    try:
        lane.redraw(1, 10, look("gone"))
        lane.redraw(2, 20, look("same"))
        lane.redraw(3, 30, look("fine"))
        await settle(lane, chats, edits=1, sends=1)
        assert chats.sends == [(1, "gone")]  # the member still sees their answer
        assert chats.edits == [(3, 30, "fine")]  # unchanged: nothing to do, nothing sent
    finally:
        await lane.stop()


async def test_a_blocked_member_or_a_failing_message_does_not_stop_the_others() -> None:
    chats = Chats()
    chats.faults[1] = [Forbidden("Forbidden: bot was blocked by the user")]
    chats.faults[2] = [TimedOut(), TimedOut(), TimedOut()]  # every try lost
    chats.faults[3] = [TimedOut()]  # lost once, then through

    def broken() -> tuple[str, None]:
        raise ValueError("a rendering bug")

    lane = lane_for(chats)
    lane.start()
    try:
        lane.redraw(1, 10, look("blocked"))
        lane.redraw(2, 20, look("lost"))
        lane.redraw(4, 40, broken)
        lane.redraw(3, 30, look("retried"))
        lane.redraw(5, 50, look("last"))
        await settle(lane, chats, edits=2)
        assert chats.edits == [(3, 30, "retried"), (5, 50, "last")]
        assert chats.sends == []
    finally:
        await lane.stop()


async def test_stopping_drops_what_waits_and_can_be_done_twice() -> None:
    chats = Chats()
    lane = lane_for(chats, rate=1.0)
    lane.start()
    for chat in range(1, 6):
        lane.redraw(chat, chat * 10, look("x"))
    await asyncio.sleep(0.05)
    await lane.stop()
    await lane.stop()
    assert len(chats.edits) < 5  # paced: the rest were still waiting


def test_redraws_use_what_the_delivery_engine_leaves_of_telegrams_limit() -> None:
    assert redraw_rate(25) == 5
    assert redraw_rate(10) == 20
    assert redraw_rate(30) == MIN_REDRAWS_PER_SECOND


class CountingLimiter(SendLimiter):
    """A limiter that counts the draws it paced."""

    def __init__(self) -> None:
        super().__init__(1000.0, chat_interval=0.0)
        self.taken = 0

    def take(self, chat_id: int) -> None:
        """Count, then pace as usual."""
        self.taken += 1
        super().take(chat_id)


async def test_while_the_engine_sends_nothing_the_lane_uses_the_whole_limit() -> None:
    chats = Chats()
    engine = {"idle": True}
    share, whole = CountingLimiter(), CountingLimiter()
    lane = RedrawLane(
        chats.edit, chats.send, share, spare=whole, engine_idle=lambda: engine["idle"]
    )
    lane.start()
    try:
        for chat in range(3):
            lane.redraw(chat, 10, look("next question"))
        await settle(lane, chats, edits=3)
        assert (whole.taken, share.taken) == (3, 0)
        engine["idle"] = False  # a broadcast is going: back to what the engine leaves
        for chat in range(3, 5):
            lane.redraw(chat, 10, look("next question"))
        await settle(lane, chats, edits=5)
        assert (whole.taken, share.taken) == (3, 2)
    finally:
        await lane.stop()


def test_the_engine_says_how_long_it_has_sent_nothing() -> None:
    """0 while a send is in the air; else the seconds since the last one started."""
    from bot.delivery.worker import DeliveryWorker

    now = {"t": 100.0}
    limiter = SendLimiter(30.0, clock=lambda: now["t"])
    worker = DeliveryWorker.__new__(DeliveryWorker)  # only the clock and its two fields
    worker._limiter, worker._active, worker._last_launch = limiter, {}, 99.5
    assert worker.idle_for() == 0.5
    now["t"] = 104.0
    assert worker.idle_for() == 4.5
    worker._active = {1: object()}
    assert worker.idle_for() == 0.0
