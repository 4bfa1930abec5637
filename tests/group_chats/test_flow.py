"""Group chats through the whole bot and the emulator: the bot added to a hub's group, linked
by a coordinator with buttons (nobody else can), listed in /groups, newcomers welcomed once a
day with a link to join in private, topics, a group that becomes a supergroup, and the bot
removed (coordinators told)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery import Audience
from bot.services.consultations.rules import ConsultationDraft
from bot.services.meetings.rules import MeetingDraft
from emulator.emulator import BotApiEmulator
from emulator.records import MessageRecord
from handlers.meetings import newmeeting
from tests.e2e.harness import RunningBot, running_bot
from tests.e2e.test_conversation_steps import at_preview, ready_meeting

CASEY = 900_000_001  # coordinator
SAM, NEWCOMER, SECOND = 700_000_001, 700_000_050, 700_000_051
GROUP = -5001
HUB = "North West hub 1 (placeholder name)"


@pytest.fixture
async def bot(tmp_path: Path, emu: BotApiEmulator) -> AsyncIterator[RunningBot]:
    """The real bot, Casey its coordinator; Sam and two newcomers exist on Telegram."""
    for user_id, name in ((CASEY, "Casey"), (SAM, "Sam"), (NEWCOMER, "Nia"), (SECOND, "Olu")):
        emu.add_user(user_id, name)
    async with running_bot(
        tmp_path, emu, coordinator_ids=[CASEY], quiet_hours_start=0, quiet_hours_end=0
    ) as running:
        await running.say(CASEY, "/start")  # Casey has opened the bot: the welcome
        await running.next(CASEY)  # and the privacy notice
        yield running


async def _until(check: Callable[[], object], what: str) -> None:
    """Wait (at most 5 s) until ``check()`` is true: for changes nobody is told about."""
    for _ in range(100):
        if await check() if asyncio.iscoroutinefunction(check) else check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def _in_group(bot: RunningBot, user_id: int, text: str, **where: int) -> MessageRecord:
    """Someone writes in the group; return the bot's next message there."""
    since = bot.emu.cursor(GROUP)
    await bot.emu.send_text(user_id, text, chat_id=GROUP, **where)
    return await bot.emu.wait_for_message(GROUP, since=since)


async def _press(bot: RunningBot, user_id: int, message: MessageRecord, label: str) -> str:
    """Someone presses a button on a group message; return the query id once answered."""
    query_id = await bot.emu.press_button(user_id, message, text=label)
    await bot.emu.wait_for_answer(query_id)
    return query_id


async def _link_to_hub(bot: RunningBot, **where: int) -> MessageRecord:
    """Casey links the group to North West hub 1; return the bot's last word."""
    question = await _in_group(bot, CASEY, "/link", **where)
    await _press(bot, CASEY, question, "North West")
    hubs = await bot.emu.wait_for_message(GROUP, kinds=("edited",))
    await _press(bot, CASEY, hubs, HUB)
    return await bot.emu.wait_for_message(GROUP, kinds=("edited",))


async def test_a_coordinator_links_a_hub_group_and_nobody_else_can(bot: RunningBot) -> None:
    emu = bot.emu
    # groups show only the two group commands; a coordinator's own menu has /groups
    assert emu.commands_for("all_group_chats") == ["link", "unlink"]
    assert "groups" in emu.commands_for(f"chat:{CASEY}")
    emu.add_bot_to_group(GROUP, "NW hub chat", by_user=SAM)
    hello = await emu.wait_for_message(GROUP)
    assert "/link" in hello.text
    refusal = await _in_group(bot, SAM, "/link")
    assert refusal.text == "Only a forum coordinator can do that."
    question = await _in_group(bot, CASEY, "/link")
    assert "Which part of the forum" in question.text
    assert ("The whole forum", "gl:e:0") in question.buttons
    # Sam presses Casey's buttons: told privately on the press, nothing changes
    query_id = await _press(bot, SAM, question, "North West")
    answer = emu.callback_answers[query_id]
    assert (answer.text, answer.show_alert) == ("Only a forum coordinator can do that.", True)
    assert emu.chat(GROUP).by_id[question.message_id].edit_count == 0
    assert (await bot.services.group_chats.get(GROUP)).state == "present"
    done = await _link_to_hub(bot)
    assert f"linked to {HUB}" in done.text
    assert done.buttons == []
    listing = await bot.say(CASEY, "/groups")
    assert "NW hub chat" in listing.text and f"linked to {HUB}" in listing.text
    # /link again says where it is now
    again = await _in_group(bot, CASEY, "/link")
    assert f"linked to {HUB}" in again.text
    unlinked = await _in_group(bot, CASEY, "/unlink")
    assert "no longer linked" in unlinked.text
    assert (await bot.services.group_chats.get(GROUP)).state == "present"
    # commands that show personal data point to the private chat
    pointed = await _in_group(bot, SAM, "/mydata")
    assert "private chat" in pointed.text


async def test_newcomers_get_one_welcome_a_day_and_a_link_to_join_in_private(
    bot: RunningBot,
) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "NW hub chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    await _link_to_hub(bot)
    since = emu.cursor(GROUP)
    emu.join_group(NEWCOMER, GROUP)
    welcome = await emu.wait_for_message(GROUP, since=since)
    assert "Welcome" in welcome.text
    ((label, url),) = welcome.buttons
    assert label == "Join the forum" and url.endswith("?start=join")
    # a second newcomer the same day: no second welcome (their own /link shows they were seen)
    emu.join_group(SECOND, GROUP)
    refusal = await _in_group(bot, SECOND, "/link")
    assert refusal.text == "Only a forum coordinator can do that."
    welcomes = [m for m in emu.chat(GROUP).bot_messages if m.text and "Welcome" in m.text]
    assert len(welcomes) == 1
    # the join link opens the bot ready to join: the welcome, not "that link does not work"
    await emu.send_text(NEWCOMER, "/start join")
    first = await emu.wait_for_message(NEWCOMER)
    privacy = await emu.wait_for_message(NEWCOMER)
    assert "link" not in first.text.lower()
    assert ("Yes, I agree", "consent:yes") in privacy.buttons


async def test_topics_the_link_posts_where_it_was_asked(bot: RunningBot) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "Midlands", by_user=CASEY, supergroup=True, forum=True)
    await emu.wait_for_message(GROUP)
    topic = emu.add_topic(GROUP, "Forum news", by_user=CASEY)
    question = await _in_group(bot, CASEY, "/link", thread_id=topic)
    assert question.thread_id == topic
    await _press(bot, CASEY, question, "North West")
    hubs = await emu.wait_for_message(GROUP, kinds=("edited",))
    await _press(bot, CASEY, hubs, HUB)
    done = await emu.wait_for_message(GROUP, kinds=("edited",))
    assert "this topic" in done.text
    assert (await bot.services.group_chats.get(GROUP)).thread_id == topic
    since = emu.cursor(GROUP)
    emu.join_group(NEWCOMER, GROUP)
    welcome = await emu.wait_for_message(GROUP, since=since)
    assert welcome.thread_id == topic


async def test_a_group_that_becomes_a_supergroup_keeps_its_link(bot: RunningBot) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "NW hub chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    await _link_to_hub(bot)
    new_id = -1009876543210
    emu.migrate_to_supergroup(GROUP, new_id, by_user=CASEY)
    groups = bot.services.group_chats

    async def moved() -> bool:
        group = await groups.get(new_id)
        return group is not None and group.linked and await groups.get(GROUP) is None

    await _until(moved, "the link moved to the supergroup")
    listing = await bot.say(CASEY, "/groups")
    assert listing.text.count("NW hub chat") == 1


async def test_coordinators_are_told_when_a_linked_group_removes_the_bot(bot: RunningBot) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "NW hub chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    await _link_to_hub(bot)
    since = emu.cursor(CASEY)
    emu.kick_bot(GROUP, by_user=SAM)
    told = await emu.wait_for_message(CASEY, since=since)
    assert "removed from the group “NW hub chat”" in told.text
    listing = await bot.say(CASEY, "/groups")
    assert "the bot was removed" in listing.text


async def test_a_hub_meeting_and_a_question_are_posted_in_the_hub_group_only(
    bot: RunningBot,
) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "NW hub chat", by_user=CASEY, supergroup=True, forum=True)
    emu.add_bot_to_group(GROUP - 1, "Midlands chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    await emu.wait_for_message(GROUP - 1)
    topic = emu.add_topic(GROUP, "Meetings", by_user=CASEY)
    await _link_to_hub(bot, thread_id=topic)
    await bot.join(SAM, "Sam", region="North West")
    services = bot.services
    since = emu.cursor(GROUP)
    starts = services.clock.now() + timedelta(days=3)
    draft = MeetingDraft(
        "Hub catch-up", starts, 60, Audience("hub", "nw_hub_1"), place="The Old Library"
    )
    await services.meetings.create(CASEY, draft)
    post = await emu.wait_for_message(GROUP, since=since)
    assert "Hub catch-up" in post.text
    assert "Old Library" not in post.text  # where it is, only in private
    assert post.thread_id == topic
    ((label, url),) = post.buttons
    assert label == "Reply to me in private" and url.endswith("?start=meetings")
    # Sam, a member of that hub, is invited in private as ever
    invitation = await emu.wait_for_message(SAM)
    assert "Hub catch-up" in invitation.text
    # the button's link shows Sam's meetings in private, with the answer buttons
    await emu.send_text(SAM, "/start meetings")
    listed = [await emu.wait_for_message(SAM), await emu.wait_for_message(SAM)]
    assert any("Hub catch-up" in m.text and m.buttons for m in listed)
    # a question for the same hub is posted too, with a link to have your say
    since = emu.cursor(GROUP)
    question = ConsultationDraft(
        "Should meetings start at 6pm?",
        ("Yes", "No"),
        multiple=False,
        ask_comment=False,
        audience=Audience("hub", "nw_hub_1"),
        closes_at=services.clock.now() + timedelta(days=5),
        member_note="Tell us what suits you.",
    )
    await services.consultations.create(CASEY, question)
    posted = await emu.wait_for_message(GROUP, since=since)
    assert "Should meetings start at 6pm?" in posted.text
    assert posted.buttons[0][1].endswith("?start=say")
    assert all(label != "Yes" for label, _ in posted.buttons)  # never answered in public
    # the Midlands group, linked to nothing, got nothing but its hello
    assert len(emu.chat(GROUP - 1).bot_messages) == 1


async def test_crisis_words_in_a_group_get_help_in_private_and_a_line_naming_nobody(
    bot: RunningBot,
) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "NW hub chat", by_user=CASEY, admin=True)
    await emu.wait_for_message(GROUP)
    await bot.join(SAM, "Sam", region="North West")
    since_group, since_sam = emu.cursor(GROUP), emu.cursor(SAM)
    await emu.send_text(SAM, "i'm going to kill myself tonight", chat_id=GROUP)
    private = await emu.wait_for_message(SAM, since=since_sam)
    assert private.text.startswith("I saw what you wrote in the group")
    assert "116 123" in private.text and "999" in private.text
    line = await emu.wait_for_message(GROUP, since=since_group)
    assert "116 123" in line.text
    assert not re.search(r"\bSam\b", line.text) and line.reply_to is None  # names nobody
    ((label, url),) = line.buttons
    assert label == "🆘 Help now" and url.endswith("?start=help")
    # the button gives anyone the crisis reply in private, member or not
    await emu.send_text(NEWCOMER, "/start help")
    helped = await emu.wait_for_message(NEWCOMER)
    assert "116 123" in helped.text
    # more crisis words soon after: help in private again, but no second line in the group
    since_sam = emu.cursor(SAM)
    await emu.send_text(SAM, "i have the pills ready", chat_id=GROUP)
    again = await emu.wait_for_message(SAM, since=since_sam)
    assert "116 123" in again.text
    lines = [m for m in emu.chat(GROUP).bot_messages if m.text and "116 123" in m.text]
    assert len(lines) == 1
    # ordinary talk gets nothing, and nothing of any of it was kept
    await emu.send_text(SAM, "see you all at the meeting", chat_id=GROUP)
    assert await bot.services.db.fetch_value("SELECT COUNT(*) FROM crisis_counts") == 0


async def test_a_broadcast_can_go_to_the_linked_group_chats_too(bot: RunningBot) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "Whole forum chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    question = await _in_group(bot, CASEY, "/link")
    await _press(bot, CASEY, question, "The whole forum")
    await emu.wait_for_message(GROUP, kinds=("edited",))
    await bot.join(SAM, "Sam", region="North West")
    ask = await bot.say(CASEY, "/broadcast")  # who should get it
    everyone = next(data for _label, data in ask.buttons if data.endswith(":all"))
    groups_question = await bot.press(CASEY, ask, data=everyone)
    # the audience chosen has a linked group: asked at once whether it goes there too
    assert "There is 1 group chat for them too" in groups_question.text
    await bot.press(CASEY, groups_question, "Yes, post it there too")
    await emu.send_text(CASEY, "The garden opens on Saturday.")
    await emu.wait_for_message(CASEY)  # as members will see it
    summary = await emu.wait_for_message(CASEY)
    assert "also be posted in 1 group chat" in summary.text
    # the preview can still change it, one press at a time
    await emu.press_button(CASEY, summary, text="Do not post in the group chats")
    await emu.wait_for_message(CASEY)
    summary = await emu.wait_for_message(CASEY)
    assert "It will not be posted there unless you say so" in summary.text
    await emu.press_button(CASEY, summary, text="Post in the group chats too")
    await emu.wait_for_message(CASEY)
    summary = await emu.wait_for_message(CASEY)
    since_group = emu.cursor(GROUP)
    done = await bot.press(CASEY, summary, "✅ Send now")
    assert "also be posted in 1 group chat" in done.text
    post = await emu.wait_for_message(GROUP, since=since_group)
    assert post.text == "The garden opens on Saturday."
    assert post.buttons[0][1].endswith("?start=join")
    member_copy = await emu.wait_for_message(SAM)
    assert "garden" in member_copy.text


async def test_the_meeting_check_says_a_linked_group_will_get_a_post(bot: RunningBot) -> None:
    emu = bot.emu
    emu.add_bot_to_group(GROUP, "Whole forum chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    question = await _in_group(bot, CASEY, "/link")
    await _press(bot, CASEY, question, "The whole forum")
    await emu.wait_for_message(GROUP, kinds=("edited",))
    draft = ready_meeting(bot)  # for the whole forum
    preview = await at_preview(bot, newmeeting.DRAFTS, draft, newmeeting.STEP_BUTTONS)
    assert "also be posted in 1 group chat, with the title and time only" in preview.text
    await _in_group(bot, CASEY, "/unlink")
    preview = await at_preview(bot, newmeeting.DRAFTS, draft, newmeeting.STEP_BUTTONS)
    assert "group chat" not in preview.text


async def test_a_changed_or_cancelled_meeting_is_told_in_its_group_too(bot: RunningBot) -> None:
    emu, services = bot.emu, bot.services
    emu.add_bot_to_group(GROUP, "Whole forum chat", by_user=CASEY)
    await emu.wait_for_message(GROUP)
    question = await _in_group(bot, CASEY, "/link")
    await _press(bot, CASEY, question, "The whole forum")
    await emu.wait_for_message(GROUP, kinds=("edited",))
    starts = services.clock.now() + timedelta(days=5)
    draft = MeetingDraft("Forum day", starts, 120, Audience("everyone"), place="Town hall")
    since = emu.cursor(GROUP)
    created = await services.meetings.create(CASEY, draft)
    assert "New meeting: Forum day" in (await emu.wait_for_message(GROUP, since=since)).text
    since = emu.cursor(GROUP)
    later = starts + timedelta(days=1)
    await services.meetings.change(CASEY, created.meeting.id, starts_at=later)
    changed = await emu.wait_for_message(GROUP, since=since)
    assert changed.text.startswith("Changed: Forum day") and "Town hall" not in changed.text
    since = emu.cursor(GROUP)
    await services.meetings.cancel(CASEY, created.meeting.id)
    cancelled = await emu.wait_for_message(GROUP, since=since)
    assert cancelled.text.startswith("Cancelled: Forum day")
    assert cancelled.buttons[0][1].endswith("?start=meetings")
