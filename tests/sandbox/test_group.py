"""The sandbox's practice group chat through its JSON API, as the page drives it: add the bot,
link the group as a coordinator (a member cannot), someone joins and is welcomed, the bot made
an admin hears crisis words, and the bot removed; every bad request refused with a reason."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp.test_utils import TestClient

from tests.sandbox.conftest import CASEY, JORDAN, SAM


async def _group(client: TestClient) -> dict[str, Any]:
    """The practice group as the page sees it."""
    response = await client.get("/api/group")
    assert response.status == 200
    return await response.json()


async def _act(client: TestClient, user_id: int, action: str) -> tuple[int, dict[str, Any]]:
    """Someone acts on the group; the status and the answer."""
    response = await client.post("/api/group", json={"user_id": user_id, "action": action})
    return response.status, await response.json()


async def _say(client: TestClient, user_id: int, text: str) -> None:
    """Someone writes in the group."""
    response = await client.post("/api/group/send", json={"user_id": user_id, "text": text})
    assert response.status == 200, await response.text()


async def _bot_says(client: TestClient, wanted: str, after: int = 0) -> dict[str, Any]:
    """The bot's latest group message containing ``wanted`` (waiting up to 10 s)."""
    for _ in range(200):
        for message in reversed((await _group(client))["messages"]):
            if message["from_bot"] and message["id"] > after and wanted in message["html"]:
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"the bot never said {wanted!r}: {await _group(client)}")


async def test_a_hub_practises_its_group_in_the_sandbox(client: TestClient) -> None:
    assert (await _group(client))["exists"] is False
    status, answer = await _act(client, SAM, "join")
    assert (status, answer["error"]) == (400, "add the bot to the group first")
    status, shown = await _act(client, CASEY, "add")
    assert status == 200 and shown["bot_in"] and shown["members"] == ["Casey"]
    hello = await _bot_says(client, "/link")
    assert (await _group(client))["messages"][0]["note"] == "Casey added the bot to the group"
    await _say(client, SAM, "/link")
    await _bot_says(client, "Only a forum coordinator", after=hello["id"])
    await _say(client, CASEY, "/link")
    question = await _bot_says(client, "Which part of the forum")
    press = {"user_id": CASEY, "message_id": question["id"], "data": "gl:e:0"}
    response = await client.post("/api/group/press", json=press)
    assert response.status == 200
    await _bot_says(client, "linked to <b>the whole forum</b>")
    status, shown = await _act(client, JORDAN, "join")
    welcome = await _bot_says(client, "Welcome!")
    assert welcome["buttons"][0][0]["url"].endswith("?start=join")
    assert [m["sender"] for m in shown["messages"] if m["note"]][-1] == "Jordan"
    assert "Jordan" in shown["members"]
    # The bot made an admin sees every message: crisis words get the line that names nobody.
    status, shown = await _act(client, CASEY, "admin")
    assert shown["admin"] is True
    await _say(client, SAM, "i took all my pills an hour ago")
    line = await _bot_says(client, "116 123")
    assert line["buttons"][0][0]["url"].endswith("?start=help")
    status, shown = await _act(client, CASEY, "kick")
    assert shown["bot_in"] is False
    status, answer = await _act(client, CASEY, "dance")
    assert status == 400 and "action must be one of" in answer["error"]
    response = await client.post("/api/group/send", json={"user_id": SAM, "text": "hello"})
    assert response.status == 400  # the bot is not in the group any more
