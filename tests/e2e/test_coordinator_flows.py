"""Coordinators: roles, contact requests, /members, /audit; and refusals that reveal nothing."""

from __future__ import annotations

from storage.roles import COORDINATOR, DECISION_MAKER
from tests.e2e.conftest import COORDINATOR as CASEY
from tests.e2e.harness import RunningBot

SAM = 700_000_201
ROBIN = 700_000_202


def labels(message) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def entries(bot: RunningBot, action: str) -> list:
    """Audit entries with this action, newest first."""
    rows = await bot.services.db.fetch_all("SELECT * FROM audit_log ORDER BY id DESC")
    return [row for row in rows if row["action"] == action]


async def open_chat(bot: RunningBot, user_id: int) -> None:
    """Someone who is not a member opens a chat with the bot (welcome and privacy notice)."""
    await bot.say(user_id, "/start")
    await bot.next(user_id)


async def test_contact_request_reaches_coordinators_at_once_and_can_be_marked_done(
    bot: RunningBot,
) -> None:
    await open_chat(bot, CASEY)
    await bot.join(SAM, "Sam", region="North West")
    menu = await bot.say(SAM, "/menu")

    ask = await bot.press(SAM, menu, "Contact a coordinator")
    assert "short note" in ask.text
    told = await bot.say(SAM, "I would like to help with the next hub meeting")
    assert "within 2 working days" in told.text

    notice = await bot.emu.wait_for_message(
        CASEY, lambda m: "Please get in touch" in (m.text or "")
    )
    assert "Sam asked a coordinator to get in touch" in notice.text
    assert "Region: North West" in notice.text
    assert "next hub meeting" in notice.text
    assert f"tg://user?id={SAM}" in notice.html
    assert "Mark as done" in labels(notice)

    done = await bot.press(CASEY, notice, "Mark as done")
    assert "marked as done" in done.text
    [request] = await bot.services.db.fetch_all("SELECT * FROM contact_requests")
    assert request["handled_by"] == CASEY and request["handled_at"]
    assert await entries(bot, "contact.handled")


async def test_contact_without_a_note_and_from_someone_who_never_joined(bot: RunningBot) -> None:
    await open_chat(bot, CASEY)
    bot.emu.add_user(ROBIN, "Robin")
    await bot.say(ROBIN, "/start")
    privacy = await bot.next(ROBIN)
    visitor_menu = await bot.press(ROBIN, privacy, "Not now")
    ask = await bot.press(ROBIN, visitor_menu, "Contact a coordinator")

    told = await bot.press(ROBIN, ask, "Send without a note")

    assert "within 2 working days" in told.text
    notice = await bot.emu.wait_for_message(
        CASEY, lambda m: "Please get in touch" in (m.text or "")
    )
    assert "Robin" in notice.text
    assert "Not sure or national only" in notice.text


async def test_a_note_that_is_too_long_is_kept_waiting_not_lost(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="Midlands")
    menu = await bot.say(SAM, "/menu")
    await bot.press(SAM, menu, "Contact a coordinator")

    reply = await bot.say(SAM, "word " * 300)

    assert "a bit long" in reply.text
    assert not await bot.services.db.fetch_all("SELECT * FROM contact_requests")
    told = await bot.say(SAM, "Shorter note, please call")
    assert "within 2 working days" in told.text


async def test_grant_and_revoke_roles_by_id_and_from_a_request(bot: RunningBot) -> None:
    bot.emu.add_user(ROBIN, "Robin")
    await open_chat(bot, CASEY)

    reply = await bot.say(CASEY, f"/grant {ROBIN} decision-maker")
    assert "is now a decision-maker" in reply.text
    assert DECISION_MAKER in await bot.services.roles.roles_of(ROBIN)

    reply = await bot.say(CASEY, f"/revoke {ROBIN} decision-maker")
    assert "no longer a decision-maker" in reply.text

    await open_chat(bot, ROBIN)
    outcome = await bot.services.contact.ask(ROBIN, "Robin", None)
    await bot.emu.wait_for_message(CASEY, lambda m: "Please get in touch" in (m.text or ""))
    reply = await bot.say(CASEY, f"/grant request {outcome.request.id} coordinator")
    assert "is now a coordinator" in reply.text
    assert await bot.services.roles.is_coordinator(ROBIN)
    assert await entries(bot, "role.granted")


async def test_bad_grant_words_get_a_clear_example(bot: RunningBot) -> None:
    reply = await bot.say(CASEY, "/grant someone boss")

    assert "/grant 12345 coordinator" in reply.text


async def test_the_last_coordinator_cannot_be_removed(bot: RunningBot) -> None:
    bot.emu.add_user(ROBIN, "Robin")
    # Casey is named in settings; grant and remove a second coordinator, then try Casey.
    await bot.say(CASEY, f"/grant {ROBIN} coordinator")
    reply = await bot.say(CASEY, f"/revoke {ROBIN} coordinator")
    assert "no longer a coordinator" in reply.text

    reply = await bot.say(CASEY, f"/revoke {CASEY} coordinator")
    assert "named in the bot's settings" in reply.text
    assert await bot.services.roles.is_coordinator(CASEY)


async def test_members_report_and_hub_list_are_recorded(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="North West")
    await bot.join(ROBIN, "Robin", region="North West")

    report = await bot.say(CASEY, "/members")

    assert "Members: 2 of a target of 200" in report.text
    assert "North West</b>: 2 active, 0 paused, 0 left" in report.html
    assert "Hubs with members: 1 of 2" in report.text
    chart = await bot.next(CASEY)  # the chart of members by region follows the report
    assert chart.photo is not None
    listed = await bot.press(CASEY, report, "List names: North West hub 1 (placeholder name)")
    assert "Sam" in listed.text and "Robin" in listed.text
    assert await entries(bot, "members.listed")

    audit = await bot.say(CASEY, "/audit")
    # Casey never joined, so has no name on record: to Casey it reads "You".
    assert "You looked at the list of members in North West hub 1" in audit.text
    assert "You looked at the members report." in audit.text
    assert "members.listed" not in audit.text


async def test_coordinator_commands_from_anyone_else_are_refused_recorded_and_reveal_nothing(
    bot: RunningBot,
) -> None:
    await bot.join(SAM, "Sam", region="North West")

    commands = ("/members", "/audit", f"/grant {SAM} coordinator", f"/revoke {CASEY} coordinator")
    for command in commands:
        reply = await bot.say(SAM, command)
        assert "only for coordinators" in reply.text
        assert "Sam" not in reply.text and "North West" not in reply.text

    assert not await bot.services.roles.is_coordinator(SAM)
    assert await bot.services.roles.is_coordinator(CASEY)
    refusals = await entries(bot, "refused")
    assert len(refusals) == 4 and all(r["actor_id"] == SAM for r in refusals)


async def test_forged_button_presses_change_nothing(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="North West")
    outcome = await bot.services.contact.ask(SAM, "Sam", "hello")
    menu = await bot.say(SAM, "/menu")

    forged_presses = {
        f"handled:{outcome.request.id}": "only for coordinators",
        "hubl:nw_hub_1": "only for coordinators",
        "reg:atlantis": "out of date",
        "hub:se_hub_1": "out of date",
        "pause:52": "out of date",
        "need:nope": "out of date",
        "zzz": "out of date",
        "menu:../../etc": "out of date",
    }
    for forged, expected in forged_presses.items():
        query = await bot.emu.press_button(SAM, menu, forged, forge=True)
        reply = await bot.next(SAM)
        await bot.emu.wait_for_answer(query)
        assert expected in reply.text, forged

    request = await bot.services.db.fetch_one("SELECT * FROM contact_requests")
    assert request["handled_at"] is None
    member = await bot.services.members.get(SAM)
    assert (member.region_id, member.hub_id) == ("north_west", "nw_hub_1")
    assert member.paused_until is None
    assert COORDINATOR not in await bot.services.roles.roles_of(SAM)
