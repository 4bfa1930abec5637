"""Each retention rule on a real database with a moved clock: who is asked and when, who is
removed (and who never is), activity written once a day, contact notes, finished broadcasts
(their counts kept), audit entries, what /retention foresees, and the file's bytes free of
what was removed."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

import storage.db
from bot.clock import Clock
from bot.retention_policy import MONTH, Duration
from bot.services.errors import NotAllowed
from bot.services.registry import Services
from bot.services.retention import KIND_ASK
from storage.audit import AuditRepository
from storage.broadcasts import BroadcastRepository
from storage.deliveries import DeliveryRepository, RowUpdate
from storage.roles import DECISION_MAKER
from tests.conftest import START
from tests.retention.conftest import CASEY

ANN, BEN, CAL, DEE = 700_001_001, 700_001_002, 700_001_003, 700_001_004
DAY = timedelta(days=1)


async def join(services: Services, *people: tuple[int, str]) -> None:
    """People join (consent) now."""
    for person, name in people:
        await services.members.join(person, name)


async def asks(services: Services) -> list[tuple[int, list[int]]]:
    """Each "do you want to stay?" queued: its broadcast and who it goes to."""
    rows = await services.db.fetch_all(
        "SELECT id FROM broadcasts WHERE kind = ? ORDER BY id", (KIND_ASK,)
    )
    found = []
    for row in rows:
        people = await services.db.fetch_all(
            "SELECT recipient_id FROM deliveries WHERE broadcast_id = ? ORDER BY recipient_id",
            (row["id"],),
        )
        found.append((row["id"], [p["recipient_id"] for p in people]))
    return found


async def settle(services: Services, broadcast_id: int, clock: Clock, *states: str) -> None:
    """Send a broadcast as the worker would: its rows claimed, then settled in order with
    ``states`` ('sent', or 'failed:<reason>'), and the broadcast finished."""
    deliveries = DeliveryRepository(services.db)
    rows = await services.db.fetch_all(
        "SELECT id FROM deliveries WHERE broadcast_id = ? ORDER BY id", (broadcast_id,)
    )
    ids = [row["id"] for row in rows]
    assert await deliveries.settle_and_claim(clock.now(), [], ids, []) == ids
    updates = []
    for row_id, state in zip(ids, states, strict=True):
        kind, _, reason = state.partition(":")
        updates.append(
            RowUpdate(row_id, kind, part=1, attempts=0, message_id=row_id, reason=reason or None)
        )
    await deliveries.settle_and_claim(clock.now(), updates, [], [])
    assert await BroadcastRepository(services.db).finish(broadcast_id, clock.now())


def file_bytes(services: Services) -> bytes:
    """Everything on disk for the database: the file and its write-ahead log."""
    path = Path(services.db.path)
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# Members


async def test_a_member_is_asked_once_after_18_months_without_activity(
    services: Services, clock: Clock
) -> None:
    await join(services, (ANN, "Ann"), (BEN, "Ben"))
    clock.advance(timedelta(days=200))
    services.retention.activity.seen(BEN)  # Ben uses the bot later on
    await services.retention.activity.flush()
    clock.set(START + timedelta(days=18 * 31 - 20))  # Ann: just under 18 months
    assert (await services.retention.run()).asked == 0
    clock.set(START + timedelta(days=18 * 31))  # Ann: just over
    result = await services.retention.run()
    assert result.asked == 1 and result.removed == []
    assert [people for _, people in await asks(services)] == [[ANN]]
    ((broadcast_id, _),) = await asks(services)
    ask = await services.delivery.status(broadcast_id)
    assert ask is not None and not ask.broadcast.urgent  # quiet hours are kept
    assert "Do you want to stay in the forum?" in ask.broadcast.text_html
    assert "30 days" in ask.broadcast.text_html
    activity = await services.retention.member_activity(ANN)
    assert activity is not None and activity.stay_asked_at == clock.now()
    clock.advance(DAY)
    assert (await services.retention.run()).asked == 0  # once, never nagging
    assert len(await asks(services)) == 1


async def test_no_answer_in_30_days_removes_as_by_leave(services: Services, clock: Clock) -> None:
    await join(services, (ANN, "Ann"))
    await services.members.choose_region(ANN, "midlands")
    clock.advance(timedelta(days=600))
    assert (await services.retention.run()).asked == 1
    clock.advance(timedelta(days=29))
    assert (await services.retention.run()).removed == []
    assert await services.members.get(ANN) is not None
    clock.advance(timedelta(days=1))
    result = await services.retention.run()
    assert result.removed == [ANN]
    assert await services.members.get(ANN) is None
    # Removed through the one erasure path: their rows are gone everywhere, a leaver counted.
    assert (
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE recipient_id = ?", (ANN,)
        )
        == 0
    )
    assert (
        await services.db.fetch_value(
            "SELECT count FROM leaver_counts WHERE region_id = 'midlands'"
        )
        == 1
    )
    actions = [row["action"] for row in await services.db.fetch_all("SELECT action FROM audit_log")]
    assert "member.erased" in actions and "retention.applied" in actions
    details = await services.db.fetch_value(
        "SELECT detail FROM audit_log WHERE action = 'retention.applied' ORDER BY id DESC"
    )
    assert details == (
        "asked 0, removed 1, contact notes 0, broadcasts 0, audit entries 0, "
        "survey answers of 0 surveys"
    )


async def test_being_active_or_pressing_stay_answers_the_question(
    services: Services, clock: Clock
) -> None:
    await join(services, (ANN, "Ann"), (BEN, "Ben"), (CAL, "Cal"))
    clock.advance(timedelta(days=600))
    assert (await services.retention.run()).asked == 3
    clock.advance(timedelta(days=10))
    assert await services.retention.stay(ANN)  # pressed "Stay"
    services.retention.activity.seen(BEN)  # sent a message instead
    clock.advance(timedelta(days=25))
    result = await services.retention.run()  # the run writes Ben's activity first
    assert result.removed == [CAL]
    assert await services.members.get(ANN) and await services.members.get(BEN)
    # Asked again only after another 18 months without activity.
    clock.advance(timedelta(days=500))
    assert (await services.retention.run()).asked == 0
    clock.advance(timedelta(days=60))
    assert (await services.retention.run()).asked == 2
    assert not await services.retention.stay(CAL)  # gone: the button says so


async def test_activity_right_before_removal_keeps_the_member(
    services: Services, clock: Clock
) -> None:
    await join(services, (ANN, "Ann"))
    clock.advance(timedelta(days=600))
    await services.retention.run()
    clock.advance(timedelta(days=31))
    services.retention.activity.seen(ANN)  # not written yet when the run starts
    assert (await services.retention.run()).removed == []
    assert await services.members.get(ANN) is not None


async def test_role_holders_are_never_asked_nor_removed_while_they_hold_a_role(
    services: Services, clock: Clock
) -> None:
    await join(services, (CASEY, "Casey"), (ANN, "Ann"), (DEE, "Dee"))
    clock.advance(timedelta(days=600))
    result = await services.retention.run()
    assert result.asked == 2  # Ann and Dee, never Casey (a coordinator)
    await services.roles.grant(CASEY, DEE, DECISION_MAKER)  # Dee gets a role after being asked
    clock.advance(timedelta(days=365))
    result = await services.retention.run()
    assert result.removed == [ANN]
    assert await services.members.get(CASEY) and await services.members.get(DEE)
    activity = await services.retention.member_activity(DEE)
    assert activity is not None and activity.stay_asked_at is None  # the question forgotten
    # Without the role, Dee is asked again (not removed straight away) and then removed.
    await services.roles.revoke(CASEY, DEE, DECISION_MAKER)
    clock.advance(DAY)
    result = await services.retention.run()
    assert (result.asked, result.removed) == (1, [])
    clock.advance(timedelta(days=30))
    assert (await services.retention.run()).removed == [DEE]


async def test_activity_is_written_at_most_once_a_day(services: Services, clock: Clock) -> None:
    await join(services, (ANN, "Ann"))
    tracker = services.retention.activity
    for _ in range(50):
        tracker.seen(ANN)
        tracker.seen(BEN)  # not a member: nothing is written for him
    assert await tracker.flush() == 2
    tracker.seen(ANN)
    assert await tracker.flush() == 0  # already written today
    clock.advance(DAY)
    assert await tracker.flush() == 0  # the new day starts
    tracker.seen(ANN)
    assert await tracker.flush() == 1
    activity = await services.retention.member_activity(ANN)
    assert activity is not None and activity.last_active_at == clock.now()
    assert await services.retention.member_activity(BEN) is None


# Contact notes, broadcasts, audit entries


async def test_contact_notes_go_90_days_after_done_and_open_ones_stay(
    services: Services, clock: Clock
) -> None:
    await join(services, (ANN, "Ann"), (BEN, "Ben"))
    done = await services.contact.ask(ANN, "Ann", "Marmalade-4471 please ring after five")
    still_open = await services.contact.ask(BEN, "Ben", "Ring me on Tuesday", urgent=True)
    await services.contact.mark_handled(CASEY, done.request.id)
    clock.advance(timedelta(days=89))
    assert (await services.retention.run()).contact_notes == 0
    clock.advance(DAY)
    assert (await services.retention.run()).contact_notes == 1
    remaining = await services.db.fetch_all("SELECT id FROM contact_requests")
    assert [row["id"] for row in remaining] == [still_open.request.id]
    # The open request's notice keeps its rows (a coordinator's claim still updates them).
    notice = (
        still_open.request.notice_broadcast_id
        or (
            await services.contact.get_for_coordinator(CASEY, still_open.request.id)
        ).notice_broadcast_id
    )
    assert notice is not None
    assert (
        await services.db.fetch_value(
            "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (notice,)
        )
        == 1
    )


async def test_finished_broadcasts_lose_text_and_rows_but_keep_their_counts(
    services: Services, clock: Clock
) -> None:
    await join(services, (ANN, "Ann"), (BEN, "Ben"), (CAL, "Cal"))
    old = await services.delivery.enqueue("broadcast", "Quince-9921 picnic news", [ANN, BEN, CAL])
    await settle(services, old, clock, "sent", "sent", "failed:blocked")
    before = await services.delivery.status(old)
    running = await services.delivery.enqueue("broadcast", "Still going", [ANN])
    clock.advance(timedelta(days=89))
    recent = await services.delivery.enqueue("broadcast", "Recent news", [ANN])
    await settle(services, recent, clock, "sent")
    assert (await services.retention.run()).broadcasts == 0
    clock.advance(timedelta(days=2))
    assert (await services.retention.run()).broadcasts == 1
    after = await services.delivery.status(old)
    assert before is not None and after is not None
    assert after.counts == before.counts  # 2 delivered, 1 blocked, as before
    assert (after.counts.delivered, after.counts.blocked, after.counts.total) == (2, 1, 3)
    assert after.broadcast.text_html == "" and after.broadcast.total == 3
    assert await services.delivery.missed(old) == []  # nobody is named any more
    for kept in (running, recent):  # unfinished, or finished too recently: untouched
        assert (
            await services.db.fetch_value(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (kept,)
            )
            == 1
        )
    assert (await services.retention.run()).broadcasts == 0  # each once


async def test_audit_entries_are_kept_two_years(services: Services, clock: Clock) -> None:
    audit = AuditRepository(services.db)
    await audit.record(CASEY, "members.report", clock.now())
    clock.advance(timedelta(days=400))
    await audit.record(CASEY, "members.report", clock.now())
    clock.set(START + timedelta(days=365 * 2 + 1))
    assert (await services.retention.run()).audit_entries >= 1
    left = await services.db.fetch_all("SELECT at FROM audit_log WHERE action = 'members.report'")
    assert len(left) == 1


# What /retention foresees


async def test_the_outlook_counts_what_the_next_30_days_remove(
    services: Services, clock: Clock
) -> None:
    await join(services, (CASEY, "Casey"), (ANN, "Ann"), (BEN, "Ben"))
    note = await services.contact.ask(ANN, "Ann", "Call me")
    await services.contact.mark_handled(CASEY, note.request.id)
    sent = await services.delivery.enqueue("broadcast", "Hello all", [ANN, BEN])
    await settle(services, sent, clock, "sent", "sent")
    clock.advance(timedelta(days=65))  # the note and the broadcast go within 30 days
    services.retention.activity.seen(BEN)
    await services.retention.activity.flush()
    clock.set(Duration(18, MONTH).after(START) - 10 * DAY)  # Ann is asked in 10 days
    outlook = await services.retention.outlook(CASEY)
    assert (outlook.to_ask, outlook.to_remove) == (1, 0)
    assert (outlook.contact_notes, outlook.broadcasts) == (1, 1)
    assert outlook.days == 30
    clock.advance(timedelta(days=30))
    result = await services.retention.run()
    assert (result.asked, result.contact_notes, result.broadcasts) == (1, 1, 1)
    outlook = await services.retention.outlook(CASEY)
    assert outlook.to_remove == 1  # Ann, if she does not answer
    assert outlook.role_holders_inactive == 1  # Casey: never removed while a coordinator


async def test_only_coordinators_may_see_the_outlook(services: Services) -> None:
    await join(services, (ANN, "Ann"))
    with pytest.raises(NotAllowed):
        await services.retention.outlook(ANN)
    refused = await services.db.fetch_value(
        "SELECT detail FROM audit_log WHERE action = 'refused' AND actor_id = ?", (ANN,)
    )
    assert refused == "retention"


# No trace on disk


async def test_what_is_removed_leaves_no_trace_in_the_file(
    services: Services, clock: Clock
) -> None:
    await join(services, (ANN, "Zebedee-Quokka"), (BEN, "Ben"))
    note = await services.contact.ask(BEN, "Ben", "Marmalade-4471 please ring after five")
    await services.contact.mark_handled(CASEY, note.request.id)
    sent = await services.delivery.enqueue("broadcast", "Quince-9921 picnic news", [ANN, BEN])
    await settle(services, sent, clock, "sent", "sent")
    secrets = (b"Zebedee-Quokka", b"Marmalade-4471", b"Quince-9921")
    on_disk = file_bytes(services)
    assert all(secret in on_disk for secret in secrets)  # the search finds them first
    services.retention.activity.seen(BEN)
    clock.advance(timedelta(days=100))
    await services.retention.activity.flush()
    clock.advance(timedelta(days=500))
    await services.retention.run()  # Ann is asked
    clock.advance(timedelta(days=31))
    result = await services.retention.run()
    assert result.removed == [ANN]
    assert (result.contact_notes, result.broadcasts) == (0, 0)  # went in the earlier run
    on_disk = file_bytes(services)
    for secret in secrets:
        assert secret not in on_disk, secret


# Members who joined before this version


async def test_members_from_before_start_as_active_at_the_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = storage.db.MIGRATIONS_DIR
    older = tmp_path / "older"  # every migration before this feature's
    older.mkdir()
    for path in migrations.glob("*.sql"):
        if int(path.name[:4]) < 10:
            shutil.copy(path, older / path.name)
    monkeypatch.setattr(storage.db, "MIGRATIONS_DIR", older)
    db = await storage.db.open_database(tmp_path / "forum.db")
    await db.execute(
        "INSERT INTO members (telegram_id, first_name, consented_at, updated_at) "
        "VALUES (1, 'Old', '2020-01-01T00:00:00+00:00', '2020-01-01T00:00:00+00:00')"
    )
    await db.close()
    monkeypatch.setattr(storage.db, "MIGRATIONS_DIR", migrations)
    db = await storage.db.open_database(tmp_path / "forum.db")
    try:
        stored = await db.fetch_value("SELECT last_active_at FROM members WHERE telegram_id = 1")
    finally:
        await db.close()
    with sqlite3.connect(":memory:") as conn:
        today = conn.execute("SELECT strftime('%Y-%m-%d', 'now')").fetchone()[0]
    assert stored.startswith(today)  # not 2020: nobody is asked on the day of the upgrade
