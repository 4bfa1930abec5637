"""The coordinators' broadcast service: roles, drafts, times, quiet hours, queueing, stopping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.delivery import Audience, AudienceResolver, build_delivery
from bot.delivery.audience import EVERYONE, REGION
from bot.delivery.quiet import QuietHours
from bot.forum import load_forum
from bot.services.broadcasts import (
    AlreadyFinished,
    BroadcastService,
    Draft,
    MessageTooLong,
    NoMessage,
    NoRecipients,
)
from bot.services.consultations.messages import KIND_INVITE, KIND_MEMBER_RESULTS, KIND_NUDGE
from bot.services.errors import InvalidChoice, NotAllowed
from bot.services.roles import RoleService
from bot.services.times import TimePassed, TimeSkipped, TimeTooFar, TimeUnclear
from config.settings import CONFIG_DIR
from storage.audience import AudienceRepository
from storage.audit import AuditRepository
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import RoleRepository
from tests.conftest import make_settings

CASEY, SAM = 900_000_001, 600_000_001
DAY = datetime(2026, 12, 10, 14, 30, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
async def service(tmp_path, db: Database):
    """The service over a real database, with Casey as coordinator and three members."""
    clock = Clock(DAY)
    audit = AuditRepository(db)
    roles = RoleService(RoleRepository(db), audit, clock, {CASEY})
    await roles.bootstrap()
    members = MemberRepository(db)
    for member_id in (SAM, SAM + 1, SAM + 2):
        await members.add(member_id, "M", DAY)
        await members.set_place(member_id, "north_west", None, DAY)
    forum = load_forum(CONFIG_DIR / "forum.yaml")
    delivery = build_delivery(make_settings(tmp_path), db, clock)  # never started
    quiet = QuietHours(21, 8, LONDON)
    audiences = AudienceResolver(AudienceRepository(db), forum, clock)
    service = BroadcastService(delivery, audiences, roles, audit, quiet, clock)
    return service, clock, db, delivery


async def test_only_coordinators_may_do_anything_and_refusals_are_recorded(service) -> None:
    broadcasts, _clock, db, _delivery = service
    draft = Draft(audience=Audience(EVERYONE), text_html="Hello")
    for attempt in (
        broadcasts.begin(SAM),
        broadcasts.audience_size(SAM, Audience(EVERYONE)),
        broadcasts.send(SAM, draft),
        broadcasts.recent(SAM),
        broadcasts.get(SAM, 1),
        broadcasts.cancel(SAM, 1),
    ):
        with pytest.raises(NotAllowed):
            await attempt
    refused = await db.fetch_all("SELECT * FROM audit_log WHERE action = 'refused'")
    assert len(refused) == 6
    assert await db.fetch_value("SELECT COUNT(*) FROM broadcasts") == 0


async def test_sending_queues_the_audience_once_and_records_it(service) -> None:
    broadcasts, _clock, db, _delivery = service
    draft = (await broadcasts.begin(CASEY)).with_changes(
        audience=Audience(REGION, "north_west"), text_html="Hello <b>all</b>", urgent=True
    )
    assert await broadcasts.audience_size(CASEY, draft.audience) == 3

    queued = await broadcasts.send(CASEY, draft)

    assert queued.recipients == 3 and queued.starts_at is None
    status = await broadcasts.get(CASEY, queued.broadcast_id)
    assert status.counts.total == 3
    assert status.broadcast.report_chat_id == CASEY and status.broadcast.urgent
    [entry] = await db.fetch_all("SELECT * FROM audit_log WHERE action = 'broadcast.created'")
    assert entry["actor_id"] == CASEY
    assert (
        entry["detail"] == f"broadcast {queued.broadcast_id} to region:north_west, 3 people, urgent"
    )
    assert [s.id for s in await broadcasts.recent(CASEY)] == [queued.broadcast_id]


async def test_what_cannot_be_sent_is_refused_kindly(service) -> None:
    broadcasts, _clock, _db, _delivery = service
    with pytest.raises(InvalidChoice):
        await broadcasts.send(CASEY, Draft(text_html="Hello"))  # no audience
    with pytest.raises(NoMessage):
        await broadcasts.send(CASEY, Draft(audience=Audience(EVERYONE)))
    with pytest.raises(MessageTooLong):
        await broadcasts.send(CASEY, Draft(audience=Audience(EVERYONE), text_html="x" * 5000))
    with pytest.raises(NoRecipients):
        await broadcasts.send(CASEY, Draft(audience=Audience(REGION, "midlands"), text_html="Hi"))
    with pytest.raises(InvalidChoice):
        await broadcasts.audience_size(CASEY, Audience(REGION, "atlantis"))


async def test_typed_times_are_checked(service) -> None:
    broadcasts, clock, _db, _delivery = service
    assert broadcasts.read_time("tomorrow 9:30") == datetime(2026, 12, 11, 9, 30, tzinfo=UTC)
    for text, error in (
        ("soonish", TimeUnclear),
        ("today 09:00", TimePassed),
        ("1 march 2027 10:00", TimeTooFar),
    ):
        with pytest.raises(error):
            broadcasts.read_time(text)
    clock.set(datetime(2027, 3, 20, 12, 0, tzinfo=UTC))
    with pytest.raises(TimeSkipped):
        broadcasts.read_time("28 march 1:30")


async def test_the_start_time_allows_for_quiet_hours_unless_urgent(service) -> None:
    broadcasts, clock, _db, _delivery = service
    draft = Draft(audience=Audience(EVERYONE), text_html="Hi")
    assert broadcasts.starts_at(draft) is None
    evening = datetime(2026, 12, 10, 22, 0, tzinfo=UTC)
    morning = datetime(2026, 12, 11, 8, 0, tzinfo=UTC)
    assert broadcasts.starts_at(draft.with_changes(send_at=evening)) == morning
    assert broadcasts.starts_at(draft.with_changes(send_at=evening, urgent=True)) == evening
    clock.set(evening)
    assert broadcasts.starts_at(draft) == morning
    assert broadcasts.starts_at(draft.with_changes(urgent=True)) is None


async def test_stopping_cancels_what_is_not_sent_once(service) -> None:
    broadcasts, _clock, db, delivery = service
    draft = Draft(audience=Audience(EVERYONE), text_html="Hi", send_at=DAY + timedelta(hours=2))
    queued = await broadcasts.send(CASEY, draft)

    assert await broadcasts.cancel(CASEY, queued.broadcast_id) == 3
    with pytest.raises(InvalidChoice):
        await broadcasts.cancel(CASEY, 999)
    await delivery.check()  # the monitor finishes it
    with pytest.raises(AlreadyFinished):
        await broadcasts.cancel(CASEY, queued.broadcast_id)
    status = await broadcasts.get(CASEY, queued.broadcast_id)
    assert status.state == "cancelled" and status.counts.cancelled == 3
    assert (
        len(await db.fetch_all("SELECT * FROM audit_log WHERE action = 'broadcast.cancelled'")) == 1
    )


async def test_notices_picked_by_answer_are_never_shown_to_coordinators(service) -> None:
    """The results sent to those who answered, and the nudge to those who did not: listing
    one, or its numbers or missed names, would say who answered a question."""
    broadcasts, _clock, _db, delivery = service
    invite = await delivery.enqueue(KIND_INVITE, "A question", [SAM, SAM + 1, SAM + 2])
    hidden = [
        await delivery.enqueue(KIND_MEMBER_RESULTS, "What people said", [SAM]),
        await delivery.enqueue(KIND_NUDGE, "A reminder", [SAM + 1, SAM + 2]),
    ]
    assert [status.id for status in await broadcasts.notices(CASEY)] == [invite]
    assert (await broadcasts.get(CASEY, invite)).id == invite
    for broadcast_id in hidden:
        for attempt in (
            broadcasts.get(CASEY, broadcast_id),
            broadcasts.cancel(CASEY, broadcast_id),
            broadcasts.resend_uncertain(CASEY, broadcast_id, "Again"),
        ):
            with pytest.raises(InvalidChoice):
                await attempt
    assert await delivery.cancel(hidden[1]) is not None  # still going: nothing was stopped
