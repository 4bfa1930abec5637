"""The contact service on real SQLite: urgent requests and their notice land together, a press
delivered twice is one request, the first coordinator claims, and one reminder, decided from
the database."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from bot.services.contact import (
    CLAIMED,
    DONE,
    KIND_REMINDER,
    KIND_REQUEST,
    KIND_URGENT,
    MARKED,
    REPEAT_WINDOW,
    TAKEN,
    YOURS,
)
from bot.services.errors import InvalidChoice, NotAllowed
from config.errors import ConfigError
from config.settings import load_settings
from storage.contact_requests import NoticeCopy
from storage.erasure import erase_person
from tests.conftest import START, TEST_TOKEN
from tests.contact.conftest import ALEX, CASEY, MEMBER, REMINDER_HOURS, VISITOR, World
from tests.queue_faults import refusing, watch_wakes

HOURS = timedelta(hours=REMINDER_HOURS)
SECOND = timedelta(seconds=1)


async def mark_sent(world: World, broadcast_id: int, recipient: int, message_id: int) -> None:
    """What the worker records once Telegram has a copy (the test stands in for it)."""
    await world.db.execute(
        "UPDATE deliveries SET state = 'sent', message_id = ? "
        "WHERE broadcast_id = ? AND recipient_id = ?",
        (message_id, broadcast_id, recipient),
    )


async def delivery_states(world: World, broadcast_id: int) -> dict[int, str]:
    """Each recipient's row state."""
    rows = await world.db.fetch_all(
        "SELECT recipient_id, state FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
    )
    return {row["recipient_id"]: row["state"] for row in rows}


# Asking


async def test_an_urgent_ask_is_stored_with_one_urgent_notice_to_every_coordinator(
    world: World,
) -> None:
    wakes = watch_wakes(world.delivery, world.db)

    outcome = await world.contact.ask(MEMBER, "Telegram name", None, urgent=True)

    request = outcome.request
    assert not outcome.repeated
    assert (request.urgent, request.first_name, request.region_id) == (True, "Jo", "midlands")
    assert request.claimed_at is None and request.reminded_at is None
    [notice] = await world.broadcasts(KIND_URGENT)
    assert notice["id"] == request.notice_broadcast_id
    assert notice["urgent"] == 1  # goes first, and in quiet hours
    assert notice["to"] == sorted([CASEY, ALEX])
    assert "Urgent: request" in notice["text_html"] and "Jo" in notice["text_html"]
    assert "Midlands" in notice["text_html"]
    markup = json.loads(notice["reply_markup"])
    [[take]] = markup["inline_keyboard"]
    assert (take["text"], take["callback_data"]) == ("I'll take this", f"take:{request.id}")
    # The worker is woken once, after the commit: it sees the rows.
    assert wakes == [2]


async def test_an_ordinary_ask_is_queued_to_every_coordinator_with_its_note_not_urgent(
    world: World,
) -> None:
    wakes = watch_wakes(world.delivery, world.db)

    outcome = await world.contact.ask(VISITOR, "Robin", "Please call me <soon>")

    request = outcome.request
    assert not request.urgent and outcome.passed_on
    [notice] = await world.broadcasts(KIND_REQUEST)
    assert notice["id"] == request.notice_broadcast_id  # erasure and retention find it
    assert notice["urgent"] == 0  # waits for the morning in quiet hours
    assert notice["to"] == sorted([CASEY, ALEX])
    assert "Robin" in notice["text_html"]
    assert "Please call me &lt;soon&gt;" in notice["text_html"]  # their words, escaped
    [[done]] = json.loads(notice["reply_markup"])["inline_keyboard"]
    assert (done["text"], done["callback_data"]) == ("Mark as done", f"handled:{request.id}")
    assert await world.broadcasts(KIND_URGENT) == []
    assert wakes == [2]


async def test_an_ordinary_ask_with_no_coordinator_is_not_said_to_be_passed_on(
    world: World,
) -> None:
    for coordinator in (CASEY, ALEX):
        await world.db.execute("DELETE FROM roles WHERE telegram_id = ?", (coordinator,))

    outcome = await world.contact.ask(VISITOR, "Robin", "Please call me")

    assert not outcome.passed_on
    assert await world.broadcasts(KIND_REQUEST) == []


async def test_a_request_and_its_notice_land_together_or_not_at_all(world: World) -> None:
    wakes = watch_wakes(world.delivery, world.db)

    async with refusing(world.db, KIND_URGENT):
        with pytest.raises(Exception, match="disk full"):
            await world.contact.ask(MEMBER, "Jo", None, urgent=True)

    assert await world.requests.by_person(MEMBER) == []
    assert await world.broadcasts(KIND_URGENT) == []
    assert wakes == []
    again = await world.contact.ask(MEMBER, "Jo", None, urgent=True)  # pressed again
    assert not again.repeated
    assert [b["id"] for b in await world.broadcasts(KIND_URGENT)] == [
        again.request.notice_broadcast_id
    ]


# A press delivered twice


async def test_the_same_ask_delivered_twice_is_one_request(world: World) -> None:
    first = await world.contact.ask(VISITOR, "Robin", None, ask_key="k1")
    world.clock.advance(REPEAT_WINDOW * 24)  # even an old button, pressed days later

    again = await world.contact.ask(VISITOR, "Robin", None, ask_key="k1")

    assert again.repeated and again.request.id == first.request.id
    assert [r.id for r in await world.requests.by_person(VISITOR)] == [first.request.id]


async def test_a_double_tap_at_the_same_moment_is_one_request(world: World) -> None:
    plain = [world.contact.ask(VISITOR, "Robin", None, ask_key="k2") for _ in range(3)]
    urgent = [world.contact.ask(MEMBER, "Jo", None, urgent=True) for _ in range(3)]

    outcomes = await asyncio.gather(*plain, *urgent)

    assert [o.repeated for o in outcomes[:3]].count(False) == 1
    assert [o.repeated for o in outcomes[3:]].count(False) == 1
    assert len(await world.requests.by_person(VISITOR)) == 1
    assert len(await world.requests.by_person(MEMBER)) == 1
    assert len(await world.broadcasts(KIND_URGENT)) == 1  # coordinators are told once


async def test_an_urgent_ask_repeats_an_open_one_within_the_window_only(world: World) -> None:
    first = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request

    world.clock.advance(REPEAT_WINDOW - SECOND)
    repeat = await world.contact.ask(MEMBER, "Jo", None, urgent=True)
    assert repeat.repeated and repeat.request.id == first.id

    world.clock.advance(2 * SECOND)  # an hour on, still not taken: tell them again
    later = await world.contact.ask(MEMBER, "Jo", None, urgent=True)
    assert not later.repeated

    await world.contact.mark_handled(CASEY, later.request.id)
    await world.contact.mark_handled(CASEY, first.id)
    after_done = await world.contact.ask(MEMBER, "Jo", None, urgent=True)
    assert not after_done.repeated
    assert len(await world.broadcasts(KIND_URGENT)) == 3


async def test_what_counts_as_the_same_ask(world: World) -> None:
    note = (await world.contact.ask(VISITOR, "Robin", "Call me")).request

    assert (await world.contact.ask(VISITOR, "Robin", " Call me ")).repeated
    assert not (await world.contact.ask(VISITOR, "Robin", "Another thing")).repeated
    assert not (await world.contact.ask(VISITOR, "Robin", None)).repeated
    assert not (await world.contact.ask(VISITOR, "Robin", None, urgent=True)).repeated
    assert not (await world.contact.ask(MEMBER, "Jo", "Call me")).repeated
    # A new ask with the same note soon after is still the same request.
    again = await world.contact.ask(VISITOR, "Robin", "Call me", ask_key="new")
    assert again.repeated and again.request.id == note.id
    assert len(await world.requests.by_person(VISITOR)) == 4


# Claiming


async def test_the_first_coordinator_claims_and_later_presses_change_nothing(
    world: World,
) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    world.clock.advance(timedelta(minutes=3))

    first = await world.contact.claim(ALEX, "Alex", request.id)

    assert first.result == CLAIMED
    assert (first.request.claimed_by, first.request.claimed_name) == (ALEX, "Alex")
    assert first.request.claimed_at == START + timedelta(minutes=3)
    stored = await world.requests.get(request.id)

    world.clock.advance(timedelta(minutes=1))
    other = await world.contact.claim(CASEY, "Casey", request.id)
    replay = await world.contact.claim(ALEX, "Alex", request.id)

    assert (other.result, other.request.claimed_name, other.copies) == (TAKEN, "Alex", [])
    assert (replay.result, replay.copies) == (YOURS, [])
    assert await world.requests.get(request.id) == stored
    [claimed] = await world.audit("contact.claimed")
    assert claimed["actor_id"] == ALEX
    assert claimed["detail"] == f"request {request.id}"


async def test_two_coordinators_pressing_at_once_one_claims(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request

    outcomes = await asyncio.gather(
        world.contact.claim(ALEX, "Alex", request.id),
        world.contact.claim(CASEY, "Casey", request.id),
    )

    assert sorted(o.result for o in outcomes) == [CLAIMED, TAKEN]
    winner = next(o for o in outcomes if o.result == CLAIMED)
    assert (await world.requests.get(request.id)).claimed_by == winner.request.claimed_by
    assert len(await world.audit("contact.claimed")) == 1


async def test_only_coordinators_can_claim_and_a_refusal_is_recorded(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request

    for someone in (MEMBER, VISITOR):
        with pytest.raises(NotAllowed):
            await world.contact.claim(someone, "Sneaky", request.id)

    assert (await world.requests.get(request.id)).claimed_at is None
    refusals = await world.audit("refused")
    assert [r["actor_id"] for r in refusals] == [MEMBER, VISITOR]
    assert await world.audit("contact.claimed") == []


async def test_an_unknown_or_ordinary_request_cannot_be_claimed(world: World) -> None:
    ordinary = (await world.contact.ask(VISITOR, "Robin", None)).request

    for request_id in (ordinary.id, 999):
        with pytest.raises(InvalidChoice):
            await world.contact.claim(CASEY, "Casey", request_id)
    assert (await world.requests.get(ordinary.id)).claimed_at is None


async def test_a_claim_lists_the_copies_sent_and_stops_the_ones_not_sent(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    notice = request.notice_broadcast_id
    await mark_sent(world, notice, CASEY, 41)  # Alex's copy has not gone yet

    outcome = await world.contact.claim(CASEY, "Casey", request.id)

    assert [(c.chat_id, c.message_id, c.reminder) for c in outcome.copies] == [(CASEY, 41, False)]
    assert await delivery_states(world, notice) == {CASEY: "sent", ALEX: "cancelled"}


async def test_a_done_request_says_so_and_mark_as_done_works_after_a_claim(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    await world.contact.claim(ALEX, "Alex", request.id)

    done = await world.contact.mark_handled(ALEX, request.id)

    assert done.result == MARKED
    assert (done.request.handled_by, done.request.claimed_by) == (ALEX, ALEX)
    assert (await world.contact.claim(CASEY, "Casey", request.id)).result == DONE
    assert len(await world.audit("contact.handled")) == 1


# Reminders


async def test_coordinators_are_reminded_once_when_nobody_takes_it(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request

    world.clock.advance(HOURS - SECOND)
    assert await world.contact.send_reminders() == []
    world.clock.advance(SECOND)
    wakes = watch_wakes(world.delivery, world.db)
    assert await world.contact.send_reminders() == [request.id]

    [reminder] = await world.broadcasts(KIND_REMINDER)
    assert reminder["urgent"] == 1 and reminder["to"] == sorted([CASEY, ALEX])
    assert "Still waiting" in reminder["text_html"]
    assert f"{REMINDER_HOURS} hours ago" in reminder["text_html"]
    assert json.loads(reminder["reply_markup"])["inline_keyboard"][0][0]["callback_data"] == (
        f"take:{request.id}"
    )
    stored = await world.requests.get(request.id)
    assert stored.reminded_at == START + HOURS
    assert stored.reminder_broadcast_id == reminder["id"]
    assert len(wakes) == 1

    world.clock.advance(timedelta(days=1))
    assert await world.contact.send_reminders() == []
    assert await world.fresh_service().send_reminders() == []  # after a restart too
    assert len(await world.broadcasts(KIND_REMINDER)) == 1


async def test_no_reminder_once_claimed_or_marked_done(world: World) -> None:
    claimed = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    done = (await world.contact.ask(VISITOR, "Robin", None, urgent=True)).request
    ordinary = (await world.contact.ask(VISITOR, "Robin", "hello")).request
    await world.contact.claim(CASEY, "Casey", claimed.id)
    await world.contact.mark_handled(CASEY, done.id)

    world.clock.advance(HOURS * 3)

    assert await world.contact.send_reminders() == []
    assert await world.broadcasts(KIND_REMINDER) == []
    assert (await world.requests.get(ordinary.id)).reminded_at is None


async def test_a_reminder_that_cannot_be_written_stays_due_for_the_next_sweep(
    world: World,
) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    world.clock.advance(HOURS)

    async with refusing(world.db, KIND_REMINDER):
        assert await world.contact.send_reminders() == []
    assert (await world.requests.get(request.id)).reminded_at is None

    assert await world.contact.send_reminders() == [request.id]
    assert len(await world.broadcasts(KIND_REMINDER)) == 1


async def test_claiming_after_the_reminder_covers_both_messages(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    await mark_sent(world, request.notice_broadcast_id, CASEY, 11)
    await mark_sent(world, request.notice_broadcast_id, ALEX, 12)
    world.clock.advance(HOURS)
    await world.contact.send_reminders()
    reminder = (await world.requests.get(request.id)).reminder_broadcast_id
    await mark_sent(world, reminder, CASEY, 21)

    outcome = await world.contact.claim(ALEX, "Alex", request.id)

    copies = sorted((c.chat_id, c.message_id, c.reminder) for c in outcome.copies)
    assert copies == sorted([(CASEY, 11, False), (ALEX, 12, False), (CASEY, 21, True)])
    assert (await delivery_states(world, reminder))[ALEX] == "cancelled"


# Their data


async def test_mydata_shows_the_request_in_full(world: World) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    world.clock.advance(HOURS)
    await world.contact.send_reminders()
    await world.contact.claim(ALEX, "Alex", request.id)

    [data] = await world.contact.member_data(MEMBER)

    assert data["urgent"] is True
    assert data["taken_by_a_coordinator"] is True
    assert data["taken_at"] == (START + HOURS).isoformat()
    assert data["reminder_sent_at"] == (START + HOURS).isoformat()
    assert data["handled"] is False
    assert "Alex" not in json.dumps(data) and str(ALEX) not in json.dumps(data)


async def test_leaving_erases_the_request_its_notices_and_a_coordinators_claim(
    world: World,
) -> None:
    taken = (await world.contact.ask(VISITOR, "Robin", None, urgent=True)).request
    mine = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request
    world.clock.advance(HOURS)
    await world.contact.send_reminders()
    await world.contact.claim(ALEX, "Alex", taken.id)

    await erase_person(world.db, MEMBER)

    assert await world.requests.by_person(MEMBER) == []
    texts = [b["text_html"] for b in await world.broadcasts(KIND_URGENT)]
    texts += [b["text_html"] for b in await world.broadcasts(KIND_REMINDER)]
    assert texts and not any("Jo" in text or str(MEMBER) in text for text in texts)
    assert await world.db.fetch_value(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id IN (?, ?)",
        (mine.notice_broadcast_id, (await world.requests.get(taken.id)).notice_broadcast_id),
    ) == len([CASEY, ALEX])  # Robin's notice stays

    await erase_person(world.db, ALEX)

    kept = await world.requests.get(taken.id)
    assert (kept.claimed_by, kept.claimed_name) == (None, None)
    assert kept.claimed_at is not None  # still taken: no reminder, no second claim
    assert (await world.contact.claim(CASEY, "Casey", taken.id)).result == TAKEN
    # Who took it reads as the catalogue's words for a coordinator without a name.
    copy = world.notices.taken_copy(kept, NoticeCopy(CASEY, 5, reminder=False), REMINDER_HOURS)
    assert "Another coordinator is taking this." in copy


# Without a first name


async def test_a_coordinator_without_a_first_name_is_stored_without_one_and_shown_in_words(
    world: World,
) -> None:
    request = (await world.contact.ask(MEMBER, "Jo", None, urgent=True)).request

    outcome = await world.contact.claim(ALEX, "   ", request.id)  # not a member: no name kept

    assert outcome.result == CLAIMED
    assert (outcome.request.claimed_by, outcome.request.claimed_name) == (ALEX, None)
    assert (await world.requests.get(request.id)).claimed_name is None
    notices = world.notices
    assert notices.claimer(outcome.request) == "Another coordinator"
    casey_copy = notices.taken_copy(
        outcome.request, NoticeCopy(CASEY, 7, reminder=False), REMINDER_HOURS
    )
    assert "Another coordinator is taking this." in casey_copy
    assert "Another coordinator is getting in touch." in notices.taken_line(outcome.request)
    alex_copy = notices.taken_copy(
        outcome.request, NoticeCopy(ALEX, 8, reminder=False), REMINDER_HOURS
    )
    assert "You are taking this." in alex_copy
    assert "None" not in casey_copy + alex_copy + notices.taken_line(outcome.request)


async def test_someone_without_a_first_name_is_shown_in_words_to_every_coordinator(
    world: World,
) -> None:
    outcome = await world.contact.ask(VISITOR, " ", None, urgent=True)
    world.clock.advance(HOURS)
    await world.contact.send_reminders()

    assert outcome.request.first_name is None
    [notice] = await world.broadcasts(KIND_URGENT)
    [reminder] = await world.broadcasts(KIND_REMINDER)
    assert "Someone asked for help from a crisis message" in notice["text_html"]
    assert "Someone asked for help from a crisis message 2 hours ago" in reminder["text_html"]
    assert "None" not in notice["text_html"] + reminder["text_html"]
    request = await world.requests.get(outcome.request.id)
    assert "Request 1 from Someone is taken." in world.notices.taken_line(request)


# The setting


def test_the_reminder_setting_has_a_default_and_refuses_nonsense(tmp_path) -> None:
    base = {"bot_token": TEST_TOKEN, "database_path": tmp_path / "f.db", "_env_file": None}
    assert load_settings(**base).urgent_contact_reminder_hours == 2
    six = load_settings(**base, urgent_contact_reminder_hours="6")
    assert six.urgent_contact_reminder_hours == 6
    for wrong in ("0", "49", "two", "1.5"):
        with pytest.raises(ConfigError, match="URGENT_CONTACT_REMINDER_HOURS"):
            load_settings(**base, urgent_contact_reminder_hours=wrong)
