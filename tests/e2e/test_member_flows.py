"""Members' own flows: settings, pausing, /mydata, /leave, /help and the no-wrong-door reply."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.e2e.harness import RunningBot

SAM = 700_000_101
JO = 700_000_102


def labels(message) -> list[str]:
    """The button labels on a message."""
    return [label for label, _ in message.buttons]


async def test_settings_change_region_hub_and_what_they_get(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="North West")

    summary = await bot.say(SAM, "/settings")
    assert "Region: North West" in summary.text
    assert "Hub: North West hub 1 (placeholder name)" in summary.text

    regions = await bot.press(SAM, summary, "Change region")
    hubs = await bot.press(SAM, regions, "South West")
    summary = await bot.press(SAM, hubs, "South West hub 2 (placeholder name)")
    assert "Region: South West" in summary.text
    assert "Hub: South West hub 2 (placeholder name)" in summary.text

    prefs = await bot.press(SAM, summary, "What I get")
    prefs = await bot.press(SAM, prefs, "✅ Meeting reminders")
    summary = await bot.press(SAM, prefs, "Done")
    assert "Meeting reminders: No" in summary.text
    member = await bot.services.members.get(SAM)
    assert (member.region_id, member.hub_id, member.wants_meetings) == (
        "south_west",
        "sw_hub_2",
        False,
    )


async def test_changing_hub_without_a_region_asks_for_the_region_first(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region=None)

    summary = await bot.say(SAM, "/settings")
    reply = await bot.press(SAM, summary, "Change hub")

    assert "pick your region first" in reply.text
    assert "North West" in labels(reply)


async def test_pause_ends_by_itself_and_the_member_is_told(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="Midlands")
    summary = await bot.say(SAM, "/settings")

    paused = await bot.press(SAM, summary, "Pause 2 weeks")

    assert "We will not send you messages until" in paused.text
    member = await bot.services.members.get(SAM)
    assert member.paused_until == bot.clock.now().replace(microsecond=0) + timedelta(weeks=2) or (
        member.paused_until > bot.clock.now() + timedelta(days=13)
    )
    summary = await bot.say(SAM, "/settings")
    assert "paused until" in summary.text
    assert "End my pause" in labels(summary)

    bot.clock.advance(timedelta(weeks=2, minutes=1))
    job = bot.app.job_queue.get_jobs_by_name("end-pauses")[0]
    await job.run(bot.app)

    told = await bot.next(SAM)
    assert "Your pause has ended" in told.text
    member = await bot.services.members.get(SAM)
    assert member.paused_until is None


async def test_ending_a_pause_early(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="Midlands")
    summary = await bot.say(SAM, "/settings")
    await bot.press(SAM, summary, "Pause 4 weeks")
    summary = await bot.say(SAM, "/settings")

    reply = await bot.press(SAM, summary, "End my pause")

    assert "Your pause has ended" in reply.text
    assert (await bot.services.members.get(SAM)).paused_until is None


async def test_mydata_shows_everything_in_words_and_as_a_json_file(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="North East")

    words = await bot.say(SAM, "/mydata")
    other = await bot.next(SAM)
    document = await bot.next(SAM)

    assert "First name: Sam" in words.text
    assert "Region: North East" in words.text
    assert f"Your Telegram account number (not a phone number): {SAM}" in words.text
    assert "roles" not in other.text.lower()  # none: the line is left out, not "No"
    assert "Notes you sent to coordinators: none" in other.text
    assert document.document is not None
    assert document.document.filename == "my-forum-data.json"
    data = json.loads(document.document.data)
    assert data["telegram_id"] == SAM
    assert data["member"]["first_name"] == "Sam"
    assert data["member"]["region"] == "North East"
    assert data["member"]["consented_at"]


async def test_mydata_for_someone_who_never_joined(bot: RunningBot) -> None:
    bot.emu.add_user(JO, "Jo")

    reply = await bot.say(JO, "/mydata")

    assert "do not keep anything" in reply.text


async def test_leave_asks_first_and_no_keeps_everything(bot: RunningBot) -> None:
    await bot.join(SAM, "Sam", region="North East")

    confirm = await bot.say(SAM, "/leave")
    kept = await bot.press(SAM, confirm, "No, keep me in")

    assert "still a member" in kept.text
    assert await bot.services.members.get(SAM) is not None


async def test_leave_erases_every_trace_even_from_the_file_on_disk(bot: RunningBot) -> None:
    name = "Zebediah"
    await bot.join(SAM, name, region="South East")
    note = await bot.say(SAM, "/menu")
    ask = await bot.press(SAM, note, "Contact a coordinator")
    await bot.emu.send_text(SAM, "Please ring me about the hub")
    await bot.next(SAM)

    confirm = await bot.say(SAM, "/leave")
    done = await bot.press(SAM, confirm, "Yes, delete my data")

    assert "deleted everything" in done.text
    db = bot.services.db
    tables = [
        row["name"]
        for row in await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        for row in await db.fetch_all(f"SELECT * FROM {table}"):
            values = [str(value) for value in tuple(row)]
            assert str(SAM) not in values, table
            assert not any(name in value for value in values), table
    await db.scrub()
    raw = db.path.read_bytes()
    wal = db.path.with_name(db.path.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    assert name.encode() not in raw
    assert str(SAM).encode() not in raw
    assert SAM.to_bytes(6, "big") not in raw
    assert ask is not None

    again = await bot.say(SAM, "/start")
    assert "National Service User Forum" in again.text


async def test_help_lists_the_commands(bot: RunningBot) -> None:
    bot.emu.add_user(JO, "Jo")

    reply = await bot.say(JO, "/help")

    for command in ("/menu", "/support", "/settings", "/mydata", "/leave", "/help"):
        assert command in reply.text


async def test_unknown_text_never_meets_silence(bot: RunningBot) -> None:
    bot.emu.add_user(JO, "Jo")

    reply = await bot.say(JO, "what's the weather like")

    assert "did not understand" in reply.text
    assert "Get support" in labels(reply) and "🆘 Help now" in labels(reply)

    reply = await bot.say(JO, "/frobnicate")
    assert "did not understand" in reply.text

    await bot.join(SAM, "Sam", region="Midlands")
    reply = await bot.say(SAM, "where is the library?")
    assert "did not understand" in reply.text
    assert "Meetings" in labels(reply)


async def test_the_meetings_button_lists_meetings_honestly_when_there_are_none(
    bot: RunningBot,
) -> None:
    await bot.join(SAM, "Sam", region="Midlands")
    menu = await bot.say(SAM, "/menu")

    meetings = await bot.press(SAM, menu, "Meetings")

    assert "no meetings coming up for you" in meetings.text
    assert "Back to menu" in labels(meetings)


async def test_the_command_menu_is_registered_at_start(bot: RunningBot) -> None:
    commands = bot.emu.commands_for("default")

    assert {"menu", "support", "settings", "mydata", "leave", "help"} <= set(commands)
