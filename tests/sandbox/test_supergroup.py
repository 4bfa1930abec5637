"""The sandbox's practice basic group made a supergroup through the JSON API, as the page's
"Make it a supergroup" button does: a coordinator links the basic group, a meeting is set up
at night (its post for the group waits for the morning), the group is made a supergroup, and
in the morning the post arrives once, in the new supergroup, which the page follows. Every bad
request is refused with a reason and changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.delivery import Audience
from bot.services.meetings.rules import MeetingDraft
from sandbox.group import BASIC_ID, BASIC_SUPERGROUP_ID
from sandbox.runtime import Sandbox
from tests.sandbox.conftest import CASEY, SAM

pytestmark = pytest.mark.timeout(90)

TITLE = "Forum catch-up"


async def _basic(client: TestClient) -> dict[str, Any]:
    """The basic practice group as the page sees it."""
    response = await client.get("/api/group", params={"group": "basic"})
    assert response.status == 200, await response.text()
    return await response.json()


async def _act(
    client: TestClient, user_id: int, action: str, group: str | None = "basic"
) -> tuple[int, dict[str, Any]]:
    """Someone acts on a practice group; the status and the answer."""
    body: dict[str, Any] = {"user_id": user_id, "action": action}
    if group is not None:
        body["group"] = group
    response = await client.post("/api/group", json=body)
    return response.status, await response.json()


async def _bot_says(client: TestClient, wanted: str, after: int = 0) -> dict[str, Any]:
    """The bot's latest message in the basic group containing ``wanted`` (up to 10 s)."""
    for _ in range(200):
        for message in reversed((await _basic(client))["messages"]):
            if message["from_bot"] and message["id"] > after and wanted in message["html"]:
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never said {wanted!r}: {await _basic(client)}")


async def _rows(sandbox: Sandbox) -> list[tuple[int, str]]:
    """(group, state) of every group post's delivery row."""
    rows = await sandbox.services.db.fetch_all(
        "SELECT d.recipient_id, d.state FROM deliveries d JOIN broadcasts b "
        "ON b.id = d.broadcast_id WHERE b.audience LIKE 'group:%' ORDER BY d.id"
    )
    return [(row[0], row[1]) for row in rows]


async def _clock(client: TestClient, hours: float) -> None:
    """Move the bot's clock on, as the page's time buttons do."""
    response = await client.post("/api/clock", json={"seconds": int(hours * 3600)})
    assert response.status == 200, await response.text()


async def test_a_linked_basic_group_is_made_a_supergroup_and_its_waiting_post_follows(
    client: TestClient, sandbox: Sandbox
) -> None:
    # Before the bot is in it, the basic group cannot be made a supergroup.
    assert (await _basic(client))["exists"] is False
    status, answer = await _act(client, CASEY, "supergroup")
    assert (status, answer["error"]) == (400, "add the bot to the group first")

    # Casey adds the bot to the basic group and links it to the whole forum.
    status, shown = await _act(client, CASEY, "add")
    assert status == 200 and shown["supergroup"] is False and shown["chat_id"] == BASIC_ID
    await _bot_says(client, "/link")
    response = await client.post(
        "/api/group/send", json={"user_id": CASEY, "text": "/link", "group": "basic"}
    )
    assert response.status == 200
    question = await _bot_says(client, "Which part of the forum")
    press = {"user_id": CASEY, "message_id": question["id"], "data": "gl:e:0", "group": "basic"}
    response = await client.post("/api/group/press", json=press)
    assert response.status == 200, await response.text()
    await _bot_says(client, "linked to <b>the whole forum</b>")
    # The hub group (a supergroup already) is untouched.
    hub = await (await client.get("/api/group")).json()
    assert hub["exists"] is False and hub["group"] == "hub"

    # At night a meeting is set up: its post for the group waits for the morning.
    await _clock(client, 7.5)  # 22:00 in London
    starts = sandbox.clock.now() + timedelta(days=3)
    draft = MeetingDraft(TITLE, starts, 60, Audience("everyone"), place="The Library")
    await sandbox.services.meetings.create(CASEY, draft)
    assert await _rows(sandbox) == [(BASIC_ID, "pending")]

    # Sam is not in the group: only someone in it can change it.
    status, answer = await _act(client, SAM, "supergroup")
    assert (status, answer["error"]) == (400, "only someone in the group can change it")

    # Casey makes it a supergroup: the page follows it to its new id.
    status, shown = await _act(client, CASEY, "supergroup")
    assert status == 200, shown
    assert shown["supergroup"] is True and shown["chat_id"] == BASIC_SUPERGROUP_ID
    notes = [m["note"] for m in shown["messages"] if m["note"]]
    assert notes[-1] == "Casey made the group a supergroup (Telegram gives it a new id)"
    assert notes.count(notes[-1]) == 1  # Telegram's two notices read as one
    assert all(m.get("earlier") and m["buttons"] == [] for m in shown["messages"])

    # The bot hears of it: the link and the waiting post move to the supergroup.
    for _ in range(200):
        group = await sandbox.services.group_chats.get(BASIC_SUPERGROUP_ID)
        if group is not None and await _rows(sandbox) == [(BASIC_SUPERGROUP_ID, "pending")]:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"the post did not follow: {await _rows(sandbox)}")

    # Morning: the post arrives once, in the supergroup, never in the old group.
    await _clock(client, 10.5)  # 08:30
    post = await _bot_says(client, TITLE)
    assert not post.get("earlier")
    await asyncio.sleep(1.5)  # anything sent twice would show by now
    view = await _basic(client)
    assert [m["id"] for m in view["messages"] if TITLE in m["html"]] == [post["id"]]
    assert sandbox.emu.requests("sendMessage", chat_id=BASIC_ID, status=400) == []
    assert await _rows(sandbox) == [(BASIC_SUPERGROUP_ID, "sent")]

    # Writing in it goes to the supergroup now.
    response = await client.post(
        "/api/group/send", json={"user_id": CASEY, "text": "Thanks all", "group": "basic"}
    )
    assert response.status == 200
    assert sandbox.emu.chat(BASIC_SUPERGROUP_ID).messages[-1].text == "Thanks all"


async def test_bad_requests_are_refused_with_a_reason(client: TestClient, sandbox: Sandbox) -> None:
    status, answer = await _act(client, CASEY, "add")
    assert status == 200
    status, answer = await _act(client, CASEY, "supergroup", group="somewhere")
    assert (status, answer["error"]) == (400, "group must be one of hub, basic")
    response = await client.get("/api/group", params={"group": "somewhere"})
    assert response.status == 400
    # The hub group is a supergroup from the start.
    assert (await _act(client, CASEY, "add", group=None))[0] == 200
    status, answer = await _act(client, CASEY, "supergroup", group=None)
    assert (status, answer["error"]) == (400, "this group is a supergroup already")
    # Made a supergroup once, the basic group cannot be made one again.
    assert (await _act(client, CASEY, "supergroup"))[0] == 200
    status, answer = await _act(client, CASEY, "supergroup")
    assert (status, answer["error"]) == (400, "this group is a supergroup already")
    press = {"user_id": CASEY, "message_id": 999, "data": "gl:e:0", "group": "basic"}
    response = await client.post("/api/group/press", json=press)
    assert (response.status, (await response.json())["error"]) == (
        400,
        "that message is not in the group",
    )
    assert set(sandbox.emu.state.chats) >= {BASIC_ID, BASIC_SUPERGROUP_ID}
