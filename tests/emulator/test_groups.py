"""Group chats in the emulator as Telegram runs them, read back through python-telegram-bot:
the bot added, promoted and removed, people joining and leaving, privacy mode, a group that
becomes a supergroup, and forum topics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import telegram
from telegram import ChatMember, ChatMemberAdministrator
from telegram.error import BadRequest, ChatMigrated, Forbidden

from emulator import BotApiEmulator

from .conftest import BOT_ID, GROUP, OTHER, USER

EVERYTHING = ["message", "callback_query", "my_chat_member", "chat_member"]


@pytest.fixture
async def group(emu: BotApiEmulator, bot: telegram.Bot) -> int:
    """A basic group with Ada (who added the bot) and the bot as a plain member; the updates
    of adding it are read and confirmed."""
    emu.add_user(USER, "Ada")
    emu.add_user(OTHER, "Ben")
    emu.add_bot_to_group(GROUP, "North West hub", by_user=USER)
    await _take(bot)
    return GROUP


async def _take(bot: telegram.Bot, allowed: list[str] | None = None) -> list[telegram.Update]:
    """Every pending update (of ``allowed`` kinds), confirmed: the next call sees new ones."""
    updates = await bot.get_updates(timeout=0, allowed_updates=allowed)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return list(updates)


async def test_adding_the_bot_tells_it_who_added_it_and_where(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    emu.add_user(USER, "Ada")
    emu.add_bot_to_group(GROUP, "North West hub", by_user=USER)
    change, joined = await _take(bot)
    member = change.my_chat_member
    assert (member.chat.id, member.chat.type, member.chat.title) == (
        GROUP,
        "group",
        "North West hub",
    )
    assert member.from_user.id == USER
    assert member.old_chat_member.status == ChatMember.LEFT
    assert member.new_chat_member.status == ChatMember.MEMBER
    assert member.new_chat_member.user.id == BOT_ID
    assert [user.id for user in joined.message.new_chat_members] == [BOT_ID]
    with pytest.raises(ValueError, match="already in group"):
        emu.add_bot_to_group(GROUP, "again", by_user=USER)


async def test_made_admin_then_removed(emu: BotApiEmulator, bot: telegram.Bot, group: int) -> None:
    emu.set_bot_admin(group, by_user=USER)
    (promoted,) = await _take(bot)
    new = promoted.my_chat_member.new_chat_member
    assert isinstance(new, ChatMemberAdministrator)
    assert promoted.my_chat_member.old_chat_member.status == ChatMember.MEMBER
    me = await bot.get_chat_member(group, BOT_ID)
    assert me.status == ChatMember.ADMINISTRATOR
    emu.kick_bot(group, by_user=USER)
    (kicked,) = await _take(bot)
    assert kicked.my_chat_member.old_chat_member.status == ChatMember.ADMINISTRATOR
    assert kicked.my_chat_member.new_chat_member.status == ChatMember.BANNED
    with pytest.raises(Forbidden, match="kicked from the group chat"):
        await bot.send_message(group, "hello")
    emu.add_bot_to_group(group, "North West hub", by_user=OTHER)
    back, _joined = await _take(bot)
    assert back.my_chat_member.new_chat_member.status == ChatMember.MEMBER
    assert (await bot.send_message(group, "back again")).chat.id == group


async def test_privacy_mode_lets_through_only_what_is_meant_for_the_bot(
    emu: BotApiEmulator, bot: telegram.Bot, group: int
) -> None:
    await emu.send_text(USER, "see you all on Tuesday", chat_id=group)
    await emu.send_text(USER, "/link@some_other_bot", chat_id=group)
    assert await _take(bot) == []
    await emu.send_text(USER, "/link", chat_id=group)
    await emu.send_text(USER, "/link@Forum_Test_Bot", chat_id=group)
    sent = await bot.send_message(group, "Which hub is this group for?")
    await emu.send_text(OTHER, "North West", chat_id=group, reply_to=sent.message_id)
    texts = [update.message.text for update in await _take(bot)]
    assert texts == ["/link", "/link@Forum_Test_Bot", "North West"]
    # every message is still in the group, whether the bot saw it or not
    assert len(emu.chat(group).user_messages) == 6  # the "bot joined" notice and five
    emu.set_bot_admin(group, by_user=USER)
    await _take(bot)
    await emu.send_text(OTHER, "an admin bot sees this", chat_id=group)
    (seen,) = await _take(bot)
    assert seen.message.text == "an admin bot sees this"


async def test_privacy_mode_off_shows_all_group_talk(
    emu: BotApiEmulator, bot: telegram.Bot, group: int
) -> None:
    emu.set_privacy_mode(False)
    await emu.send_text(USER, "plain talk", chat_id=group)
    (update,) = await _take(bot)
    assert update.message.text == "plain talk"


async def test_people_joining_and_leaving(
    emu: BotApiEmulator, bot: telegram.Bot, group: int
) -> None:
    emu.join_group(OTHER, group)
    emu.leave_group(OTHER, group)
    joined, left = await _take(bot, EVERYTHING)
    assert [user.id for user in joined.message.new_chat_members] == [OTHER]
    assert left.message.left_chat_member.id == OTHER
    with pytest.raises(ValueError, match="not in group"):
        emu.leave_group(OTHER, group)
    # an admin bot also gets chat_member when it asks for it
    emu.set_bot_admin(group, by_user=USER)
    await _take(bot, EVERYTHING)
    emu.join_group(OTHER, group)
    emu.leave_group(OTHER, group)
    kinds = ["chat_member" if u.chat_member else "message" for u in await _take(bot, EVERYTHING)]
    assert kinds == ["message", "chat_member", "message", "chat_member"]
    # ... and not by default (an empty list asks for the default kinds)
    emu.join_group(OTHER, group)
    assert [u.chat_member is None for u in await _take(bot, [])] == [True]
    assert (await bot.get_chat_member(group, OTHER)).status == ChatMember.MEMBER


async def test_a_group_that_becomes_a_supergroup_changes_its_id(
    emu: BotApiEmulator, bot: telegram.Bot, group: int
) -> None:
    new_id = -1001234567890
    emu.migrate_to_supergroup(group, new_id, by_user=USER)
    old_notice, new_notice = await _take(bot)
    assert old_notice.message.chat.id == group
    assert old_notice.message.migrate_to_chat_id == new_id
    assert new_notice.message.chat.id == new_id
    assert new_notice.message.chat.type == "supergroup"
    assert new_notice.message.migrate_from_chat_id == group
    with pytest.raises(ChatMigrated) as raised:
        await bot.send_message(group, "hello")
    assert raised.value.new_chat_id == new_id
    assert (await bot.send_message(new_id, "hello")).chat.id == new_id
    with pytest.raises(ValueError, match="not a basic group"):
        emu.migrate_to_supergroup(new_id, -1009, by_user=USER)


async def test_topics_in_a_supergroup(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(USER, "Ada")
    emu.add_bot_to_group(GROUP, "Midlands", by_user=USER, supergroup=True, forum=True)
    thread = emu.add_topic(GROUP, "Meetings", by_user=USER)
    updates = await _take(bot)
    assert updates[0].my_chat_member.chat.is_forum is True
    assert updates[-1].message.forum_topic_created.name == "Meetings"
    sent = await bot.send_message(GROUP, "Meeting on Tuesday", message_thread_id=thread)
    assert sent.message_thread_id == thread
    assert sent.is_topic_message is True
    general = await bot.send_message(GROUP, "Hello everyone")
    assert general.message_thread_id is None
    with pytest.raises(BadRequest, match="thread not found"):
        await bot.send_message(GROUP, "lost", message_thread_id=thread + 100)
    emu.set_bot_admin(GROUP, by_user=USER)
    await _take(bot)
    await emu.send_text(USER, "in the topic", chat_id=GROUP, thread_id=thread)
    (update,) = await _take(bot)
    assert update.message.message_thread_id == thread
    with pytest.raises(ValueError, match="no topic"):
        await emu.send_text(USER, "nowhere", chat_id=GROUP, thread_id=999)


async def test_the_bot_must_have_called_the_api_before_it_can_be_added() -> None:
    async with BotApiEmulator(flood_control=False) as fresh:
        fresh.add_user(USER, "Ada")
        with pytest.raises(ValueError, match="has not called the Bot API"):
            fresh.add_bot_to_group(GROUP, "Hub", by_user=USER)


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[Any]:
    """A tiny JSON client for the control API returning (status, body)."""
    async with aiohttp.ClientSession(emu.url) as session:

        async def call(path: str, body: Any) -> Any:
            async with session.post("/_emulator" + path, json=body) as response:
                return response.status, await response.json()

        yield call


async def test_the_control_api_drives_groups(
    emu: BotApiEmulator, bot: telegram.Bot, http: Any
) -> None:
    emu.add_user(USER, "Ada")
    emu.add_user(OTHER, "Ben")
    add = {"action": "add", "by_user": USER, "title": "Hub", "supergroup": True, "forum": True}
    status, body = await http(f"/groups/{GROUP}/bot", add)
    assert (status, body["result"]["is_forum"]) == (200, True)
    status, body = await http(f"/groups/{GROUP}/topics", {"name": "News", "by_user": USER})
    assert status == 200 and body["result"]["thread_id"] > 0
    status, _ = await http(f"/groups/{GROUP}/members", {"action": "join", "user_id": OTHER})
    assert status == 200
    status, body = await http(f"/groups/{GROUP}/members", {"action": "wave", "user_id": OTHER})
    assert status == 400 and "join or leave" in body["error"]
    status, body = await http("/privacy", {"on": False})
    assert body["result"] == {"privacy_mode": False}
    status, _ = await http(f"/groups/{GROUP}/bot", {"action": "kick", "by_user": USER})
    assert status == 200
    kinds = [u.my_chat_member is not None for u in await _take(bot, EVERYTHING)]
    assert kinds == [True, False, False, False, True]  # added, joined notice, topic, Ben, kicked
