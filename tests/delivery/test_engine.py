"""The delivery engine against the emulator: exactly once, limits, faults, crashes, quiet hours."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import Clock
from bot.delivery import PHOTO, Media
from bot.delivery.status import BroadcastStatus
from emulator import BotApiEmulator
from storage.erasure import erase_person
from storage.members import MemberRepository
from tests.delivery.conftest import FIRST_MEMBER, TEXT, Engine, wait_for

pytestmark = pytest.mark.timeout(60)


class Listener:
    """Records progress and reports."""

    def __init__(self) -> None:
        self.progress: list[BroadcastStatus] = []
        self.reports: list[BroadcastStatus] = []

    async def progress(self, status: BroadcastStatus) -> int | None:
        """Keep the status; say the progress message is number 77."""
        self.progress.append(status)
        return 77

    async def finished(self, status: BroadcastStatus) -> None:
        """Keep the report."""
        self.reports.append(status)


async def test_every_recipient_gets_exactly_one_copy(make_engine) -> None:
    engine: Engine = await make_engine(rate=200)
    members = await engine.members(40)

    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members + members[:5])
    status = await engine.finished(broadcast_id)

    assert status.counts.total == 40 and status.counts.delivered == 40
    rows = await engine.rows(broadcast_id)
    for member in members:
        assert engine.copies(member) == 1
        [message] = engine.emu.chat(member).bot_messages
        assert rows[member]["state"] == "sent"
        assert rows[member]["message_id"] == message.message_id
        assert message.html == TEXT
    assert engine.emu.count("sendMessage", 429) == 0


async def test_a_broadcast_that_cannot_be_sent_is_refused_and_nothing_is_stored(
    make_engine,
) -> None:
    engine: Engine = await make_engine()
    with pytest.raises(ValueError):
        await engine.delivery.enqueue("broadcast", "   ", [1, 2, 3])
    with pytest.raises(ValueError):
        await engine.delivery.enqueue("broadcast", TEXT, [1], preference="nonsense")
    assert await engine.db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0
    assert await engine.db.fetch_value("SELECT COUNT(*) FROM deliveries") == 0


async def test_a_429_storm_pauses_everything_and_loses_nothing(make_engine, emu) -> None:
    emu.set_limits(global_per_second=10)
    engine: Engine = await make_engine(rate=None)  # the engine sends far too fast on purpose
    members = await engine.members(30)
    emu.inject_fault("sendMessage", "429", count=4, retry_after=1)

    loop = asyncio.get_running_loop()
    started = loop.time()
    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
    status = await engine.finished(broadcast_id, timeout=40)

    assert status.counts.delivered == 30
    assert all(engine.copies(member) == 1 for member in members)
    assert emu.count("sendMessage", 429) >= 4
    # After a 429 the engine waits as told: 30 sends at 10 a second take well over 1 s.
    assert loop.time() - started > 1.5
    rows = await engine.rows(broadcast_id)
    assert all(row["attempts"] == 0 for row in rows.values())  # 429s are not failures


async def test_server_errors_are_retried_with_backoff(make_engine, emu) -> None:
    engine: Engine = await make_engine(rate=100)
    members = await engine.members(12)
    emu.inject_fault("sendMessage", "500", count=3)
    emu.inject_fault("sendMessage", "502", count=2)

    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 12
    assert all(engine.copies(member) == 1 for member in members)
    assert emu.count("sendMessage", 500) == 3 and emu.count("sendMessage", 502) == 2
    rows = await engine.rows(broadcast_id)
    assert sum(row["attempts"] for row in rows.values()) == 5


async def test_a_row_fails_for_good_after_the_retry_limit(make_engine, emu) -> None:
    engine: Engine = await make_engine(rate=100, delivery_max_attempts=3)
    [member] = await engine.members(1)
    emu.inject_fault("sendMessage", "500", count=10)

    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, [member])
    status = await engine.finished(broadcast_id)

    assert status.counts.failed == {"server_error": 1}
    assert emu.count("sendMessage") == 3
    assert engine.copies(member) == 0


async def test_blocked_deactivated_and_missing_chats_fail_and_are_not_tried_again(
    make_engine, emu
) -> None:
    engine: Engine = await make_engine(rate=200)
    members = await engine.members(6)
    blocked, gone, never_started = members[:3]
    emu.block_user(blocked)
    emu.deactivate_user(gone)
    emu.chat(never_started).started = False

    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 3
    assert status.counts.blocked == 1
    assert status.counts.failed == {"deactivated": 1, "chat_not_found": 1}
    repo = MemberRepository(engine.db)
    for member_id in (blocked, gone, never_started):
        assert not (await repo.get(member_id)).reachable
        assert emu.count("sendMessage", 403) + emu.count("sendMessage", 400) == 3
    # A later broadcast to the same people skips them at send time.
    second = await engine.delivery.enqueue("broadcast", TEXT, members)
    status = await engine.finished(second)
    assert status.counts.delivered == 3
    assert status.counts.skipped == {"unreachable": 3}
    assert emu.count("sendMessage", 403) + emu.count("sendMessage", 400) == 3


@pytest.mark.parametrize(
    ("kind", "arrived"), [("timeout_after", 1), ("timeout_before", 0), ("disconnect", 0)]
)
async def test_no_answer_after_the_request_left_is_uncertain_and_never_retried(
    make_engine, emu, kind: str, arrived: int
) -> None:
    engine: Engine = await make_engine(rate=100, delivery_send_timeout_seconds=0.5)
    [member] = await engine.members(1)
    emu.inject_fault("sendMessage", kind, hang_seconds=2.0)

    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, [member])
    status = await engine.finished(broadcast_id)

    assert status.counts.uncertain == 1
    assert engine.copies(member) == arrived
    assert emu.count("sendMessage") == 1  # not retried
    rows = await engine.rows(broadcast_id)
    assert rows[member]["reason"] in ("timed_out", "connection_lost")


async def test_rows_mid_send_at_a_crash_become_uncertain_and_the_rest_go_on(
    make_engine, db, emu
) -> None:
    engine: Engine = await make_engine(rate=200)
    members = await engine.members(10)
    await engine.delivery.stop()
    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
    # What a crash leaves: two rows marked as being sent, with no one sending them.
    await db.execute(
        "UPDATE deliveries SET state = 'sending' WHERE broadcast_id = ? AND recipient_id IN (?, ?)",
        (broadcast_id, members[0], members[1]),
    )

    recovered = await engine.delivery.start()
    status = await engine.finished(broadcast_id)

    assert recovered == 2
    assert status.counts.uncertain == 2 and status.counts.delivered == 8
    rows = await engine.rows(broadcast_id)
    assert rows[members[0]]["reason"] == "interrupted"
    assert engine.copies(members[0]) == 0 and engine.copies(members[2]) == 1


async def test_no_more_than_the_in_flight_limit_are_ever_marked_sending(make_engine, emu) -> None:
    engine: Engine = await make_engine(rate=None, in_flight=4)
    members = await engine.members(30)
    # Slow answers keep sends in the air; the worker must not claim more while they are.
    emu.inject_fault("sendMessage", "timeout_after", count=30, hang_seconds=0.05)
    most = 0

    async def watch() -> None:
        """Keep the highest count of rows marked as being sent."""
        nonlocal most
        while True:
            count = await engine.db.fetch_value(
                "SELECT COUNT(*) FROM deliveries WHERE state = 'sending'"
            )
            most = max(most, count)
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    try:
        broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
        status = await engine.finished(broadcast_id)
    finally:
        watcher.cancel()
    assert status.counts.delivered == 30
    assert 1 <= most <= 4


async def test_cancelling_mid_way_stops_the_rest(make_engine) -> None:
    engine: Engine = await make_engine(rate=20)
    members = await engine.members(60)
    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
    await wait_for(
        lambda: asyncio.sleep(0, sum(engine.copies(m) for m in members) >= 10), 10, "ten sent"
    )

    cancelled = await engine.delivery.cancel(broadcast_id)
    status = await engine.finished(broadcast_id)

    sent = sum(engine.copies(m) for m in members)
    assert status.state == "cancelled"
    assert status.counts.delivered == sent
    assert status.counts.cancelled == cancelled
    assert sent + cancelled == 60
    assert sent < 10 + 8 + 3  # at most the in-flight and a short burst after the cancel
    assert await engine.delivery.cancel(broadcast_id) is None  # finished: nothing to cancel


async def test_quiet_hours_hold_all_but_urgent_messages(make_engine) -> None:
    # Thursday 10 December 2026, 22:00 in London (GMT).
    clock = Clock(datetime(2026, 12, 10, 22, 0, tzinfo=UTC))
    engine: Engine = await make_engine(clock=clock, quiet_hours_start=21, quiet_hours_end=8)
    members = await engine.members(4)

    normal = await engine.delivery.enqueue("broadcast", TEXT, members[:2])
    urgent = await engine.delivery.enqueue(
        "broadcast", "Hello from the forum: tonight is cancelled", members[2:], urgent=True
    )
    status = await engine.finished(urgent)
    assert status.counts.delivered == 2
    await asyncio.sleep(0.3)
    held = await engine.delivery.status(normal)
    assert held.counts.waiting == 2 and engine.copies(members[0]) == 0
    assert held.waiting_until == datetime(2026, 12, 11, 8, 0, tzinfo=UTC)

    clock.set(datetime(2026, 12, 11, 8, 0, tzinfo=UTC))
    engine.delivery.wake()
    status = await engine.finished(normal)
    assert status.counts.delivered == 2


async def test_quiet_hours_follow_the_clocks_going_forward(make_engine) -> None:
    # Saturday 28 March 2027 is the night before; 07:30 UTC on Sunday is 08:30 BST.
    clock = Clock(datetime(2027, 3, 28, 6, 30, tzinfo=UTC))  # 07:30 BST: still quiet
    engine: Engine = await make_engine(clock=clock, quiet_hours_start=21, quiet_hours_end=8)
    [member] = await engine.members(1)
    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, [member])
    await asyncio.sleep(0.3)
    held = await engine.delivery.status(broadcast_id)
    assert held.waiting_until == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 08:00 BST
    clock.set(datetime(2027, 3, 28, 7, 0, tzinfo=UTC))
    engine.delivery.wake()
    assert (await engine.finished(broadcast_id)).counts.delivered == 1


async def test_a_chosen_start_time_is_kept(make_engine) -> None:
    clock = Clock(datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    engine: Engine = await make_engine(clock=clock)
    members = await engine.members(3)
    start = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members, not_before=start)
    await asyncio.sleep(0.3)
    assert sum(engine.copies(m) for m in members) == 0
    assert (await engine.delivery.status(broadcast_id)).waiting_until == start

    clock.advance(timedelta(hours=1))
    engine.delivery.wake()
    assert (await engine.finished(broadcast_id)).counts.delivered == 3


async def test_members_who_pause_or_opt_out_after_queueing_are_skipped(make_engine) -> None:
    clock = Clock(datetime(2026, 12, 10, 14, 0, tzinfo=UTC))
    engine: Engine = await make_engine(clock=clock)
    members = await engine.members(5)
    start = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)
    broadcast_id = await engine.delivery.enqueue(
        "broadcast", TEXT, members, not_before=start, preference="news"
    )
    repo = MemberRepository(engine.db)
    await repo.set_pause(members[0], datetime(2026, 12, 24, tzinfo=UTC), clock.now())
    await repo.set_preference(members[1], "news", False, clock.now())

    clock.advance(timedelta(hours=1))
    engine.delivery.wake()
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 3
    assert status.counts.skipped == {"paused": 1, "opted_out": 1}
    assert engine.copies(members[0]) == engine.copies(members[1]) == 0


async def test_one_chat_gets_no_more_than_about_one_message_a_second(make_engine, emu) -> None:
    engine: Engine = await make_engine(rate=None)
    [member] = await engine.members(1)
    for _ in range(3):
        await engine.delivery.enqueue("broadcast", TEXT, [member])
    await wait_for(lambda: asyncio.sleep(0, engine.copies(member) == 3), 10, "three sent")

    times = [r.time for r in emu.requests("sendMessage", chat_id=member)]
    assert len(times) == 3
    assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(times))


async def test_a_photo_with_a_long_text_arrives_as_two_messages_once_each(make_engine) -> None:
    engine: Engine = await make_engine(rate=None)
    members = await engine.members(3)
    photo = engine.emu.state.store_file(b"\x89PNG fake", "pho", "photos", "a.png", "image/png")
    photo.width, photo.height = 10, 10
    text = "Hello from the forum. " + "More news. " * 150

    broadcast_id = await engine.delivery.enqueue(
        "broadcast", text, members, media=Media(PHOTO, photo.file_id)
    )
    status = await engine.finished(broadcast_id)

    assert status.counts.delivered == 3
    for member in members:
        kinds = [("photo" if m.photo else "text") for m in engine.emu.chat(member).bot_messages]
        assert kinds == ["photo", "text"]


async def test_listeners_hear_progress_and_the_report_once(make_engine, emu) -> None:
    engine: Engine = await make_engine(rate=None)
    listener = Listener()
    engine.delivery.add_listener(listener)
    members = await engine.members(5)
    emu.block_user(members[0])

    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members, report_to=members[1])
    await engine.finished(broadcast_id)
    await engine.delivery.check()
    await engine.delivery.check()

    [report] = listener.reports
    assert report.counts.delivered == 4 and report.counts.blocked == 1
    assert report.duration is not None
    entries = await engine.db.fetch_all(
        "SELECT detail FROM audit_log WHERE action = 'delivery.finished'"
    )
    assert [e["detail"] for e in entries] == [
        f"broadcast {broadcast_id} done: 4 delivered, 1 blocked, 0 failed, 0 uncertain, "
        "0 cancelled, 0 skipped"
    ]


async def test_erasing_a_person_removes_their_rows_and_their_name_on_broadcasts(
    make_engine, db
) -> None:
    engine: Engine = await make_engine()
    await engine.delivery.stop()
    members = await engine.members(3)
    broadcast_id = await engine.delivery.enqueue(
        "broadcast", TEXT, members, created_by=members[0], report_to=members[0]
    )

    await erase_person(db, members[0])

    assert members[0] not in await engine.rows(broadcast_id)
    broadcast = await db.fetch_one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    assert broadcast["created_by"] is None and broadcast["report_chat_id"] is None


async def test_stopping_lets_sends_in_the_air_finish_and_records_them(make_engine, emu) -> None:
    engine: Engine = await make_engine(rate=None, delivery_send_timeout_seconds=5)
    members = await engine.members(4)
    emu.inject_fault("sendMessage", "timeout_after", count=4, hang_seconds=0.5)
    broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, members)
    await wait_for(lambda: asyncio.sleep(0, len(emu.messages) >= 4), 5, "four in the air")

    await engine.delivery.stop()

    rows = await engine.rows(broadcast_id)
    assert {row["state"] for row in rows.values()} == {"sent"}


async def test_a_refused_token_holds_sending_and_fails_no_one(make_engine) -> None:
    async with BotApiEmulator(token="999:only-this-token-is-accepted") as strict:
        engine: Engine = await make_engine(rate=None, bot_api_base_url=strict.base_url)
        strict.add_user(FIRST_MEMBER, "Member")
        broadcast_id = await engine.delivery.enqueue("broadcast", TEXT, [FIRST_MEMBER])
        await asyncio.sleep(0.5)
        status = await engine.delivery.status(broadcast_id)
        assert status.counts.waiting == 1 and status.counts.failed_total == 0
        rows = await engine.rows(broadcast_id)
        assert rows[FIRST_MEMBER]["state"] == "pending" and rows[FIRST_MEMBER]["due_at"]
