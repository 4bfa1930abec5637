"""Fixtures for the sandbox: the sandbox on a temporary database and its web app on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from sandbox.runtime import Sandbox
from sandbox.web import build_web_app
from tests.conftest import START

SAM, PRIYA, JORDAN, CASEY, DANA = 700_000_001, 700_000_002, 700_000_003, 700_000_004, 700_000_005


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A running sandbox whose clock starts on a weekday afternoon (outside quiet hours)."""
    running = Sandbox(tmp_path / "sandbox.db", clock_start=START)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[TestClient]:
    """An HTTP client for the sandbox's web app, served on 127.0.0.1."""
    async with TestClient(TestServer(build_web_app(sandbox), host="127.0.0.1")) as http:
        yield http


Message = dict[str, Any]


class Person:
    """Acts as one person through the sandbox's JSON API, as the page does."""

    def __init__(self, http: TestClient, user_id: int) -> None:
        self.http = http
        self.user_id = user_id

    async def chat(self) -> list[Message]:
        """The person's chat, both sides."""
        response = await self.http.get(f"/api/chat/{self.user_id}")
        assert response.status == 200, await response.text()
        return (await response.json())["messages"]

    async def wait_for(
        self,
        check: Callable[[Message], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> Message:
        """The latest bot message that passes ``check`` (and is newer than message ``after``)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for message in reversed(await self.chat()):
                if message["from_bot"] and message["id"] > after and check(message):
                    return message
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no such message; chat: {await self.chat()}")
            await asyncio.sleep(0.05)

    async def wait_text(
        self,
        wanted: str,
        timeout: float = 10.0,  # noqa: ASYNC109
        *,
        after: int = 0,
    ) -> Message:
        """The latest bot message containing ``wanted`` (and newer than message ``after``)."""
        return await self.wait_for(
            lambda m: wanted in m["html"] + m["caption"], timeout, after=after
        )

    async def last_id(self) -> int:
        """The id of the latest message in the chat (0 when empty)."""
        return max((message["id"] for message in await self.chat()), default=0)

    async def say(self, text: str) -> None:
        """Send text."""
        response = await self.http.post("/api/send", json={"user_id": self.user_id, "text": text})
        assert response.status == 200, await response.text()

    async def send_file(
        self, name: str, data: bytes, mime_type: str, caption: str = "", *, photo: bool
    ) -> dict[str, Any]:
        """Send a picture or a file from the page, as its paper-clip button does."""
        body = {
            "user_id": self.user_id,
            "name": name,
            "mime_type": mime_type,
            "caption": caption,
            "photo": photo,
            "data": base64.b64encode(data).decode("ascii"),
        }
        response = await self.http.post("/api/send_file", json=body)
        assert response.status == 200, await response.text()
        return await response.json()

    async def press(self, message: Message, label: str) -> dict[str, Any]:
        """Press the button with this label on a message."""
        data = next(b["data"] for row in message["buttons"] for b in row if label in b["text"])
        body = {"user_id": self.user_id, "message_id": message["id"], "data": data}
        response = await self.http.post("/api/press", json=body)
        assert response.status == 200, await response.text()
        return await response.json()


def tiny_png(width: int = 4, height: int = 3) -> bytes:
    """A real PNG picture (grey), small enough to send in a test."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def labels(message: Message) -> list[str]:
    """The button labels on a message."""
    return [button["text"] for row in message["buttons"] for button in row]


async def join(person: Person, region: str) -> None:
    """Take a person through joining: consent, region, the first hub, done."""
    await person.say("/start")
    consent = await person.wait_for(lambda m: "Yes, I agree" in labels(m))
    await person.press(consent, "Yes, I agree")
    regions = await person.wait_for(lambda m: region in labels(m))
    await person.press(regions, region)
    hubs = await person.wait_for(lambda m: any(f"{region} hub" in b for b in labels(m)))
    await person.press(hubs, next(b for b in labels(hubs) if f"{region} hub" in b))
    done = await person.wait_for(lambda m: "Done" in labels(m))
    await person.press(done, "Done")
