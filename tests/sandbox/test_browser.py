"""The sandbox in a real browser: Debian's headless Chromium, driven by Playwright's Python package.

Playwright's own browser download cannot work here, so it is pointed at /usr/bin/chromium.
Without that executable or without the playwright package these tests are skipped, with the
reason, never passed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sandbox.runtime import Sandbox
from tests.sandbox.conftest import CASEY, SAM

pytestmark = pytest.mark.timeout(90)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The README's picture is refreshed only on request (SANDBOX_SCREENSHOT=1), so a test run
# does not leave the working tree changed.
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "sandbox.png"
BOT_BUTTON = ".msg.bot .buttons button"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing: install Debian's chromium (make test does, as root)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is missing: pip install -e '.[dev]'"
    return None


@pytest.fixture
async def page(client: TestClient) -> AsyncIterator[Any]:
    """The sandbox page open in headless Chromium."""
    reason = missing()
    if reason is not None:
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as driver:
        browser = await driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            tab = await browser.new_page(viewport={"width": 1280, "height": 820})
            tab.set_default_timeout(10_000)
            await tab.goto(str(client.make_url("/")))
            yield tab
        finally:
            await browser.close()


async def be(page: Any, user_id: int) -> None:
    """Pick a person in the sidebar."""
    await page.click(f'.people button[data-user-id="{user_id}"]')
    await page.wait_for_selector(f'.people button[data-user-id="{user_id}"][aria-pressed="true"]')


async def write(page: Any, text: str) -> None:
    """Type a message and send it with Enter."""
    await page.fill("#text", text)
    await page.press("#text", "Enter")


async def press(page: Any, label: str) -> None:
    """Press the latest bot button with this label."""
    await page.locator(BOT_BUTTON, has_text=label).last.click()


async def see(page: Any, text: str) -> None:
    """Wait until a bot message in the open chat shows this text."""
    await page.locator(".msg.bot .text", has_text=text).last.wait_for()


async def joined(sandbox: Sandbox, user_id: int) -> None:
    """Wait until the person has finished joining."""
    for _ in range(200):
        member = await sandbox.services.members.get(user_id)
        if member is not None and member.hub_id is not None:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the person did not finish joining")


async def test_join_crisis_and_a_broadcast_in_the_browser(
    page: Any, sandbox: Sandbox, tmp_path: Path
) -> None:
    await be(page, SAM)
    await write(page, "/start")
    await press(page, "Yes, I agree")
    await press(page, "North West")
    await press(page, "North West hub 1")
    await press(page, "Done")
    await joined(sandbox, SAM)

    await write(page, "I want to kill myself")
    await see(page, "Samaritans")

    await be(page, CASEY)
    await page.locator(".msg").first.wait_for(state="detached")  # Casey's chat is empty
    await write(page, "/broadcast")
    await press(page, "Everyone")
    await see(page, "write your message")
    await write(page, "The North West hub meets on Friday at 2pm. All welcome!")
    await press(page, "Send now")

    await be(page, SAM)
    await see(page, "The North West hub meets on Friday at 2pm")
    await see(page, "Samaritans")  # switching person kept Sam's chat
    shot = DOCS_SCREENSHOT if os.environ.get("SANDBOX_SCREENSHOT") else tmp_path / "sandbox.png"
    await page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


async def test_text_keys_and_fast_forward_from_the_page(page: Any) -> None:
    await be(page, SAM)
    await page.check("#show-keys")
    await write(page, "/help")
    await see(page, "[help.")
    before = await page.text_content("#clock")
    await page.click("button.ff[data-seconds='86400']")
    await page.wait_for_function(
        "before => document.getElementById('clock').textContent !== before", arg=before
    )


async def test_the_bots_html_is_rebuilt_from_an_allow_list(page: Any) -> None:
    rendered = await page.evaluate(
        """() => {
            const box = document.createElement("div");
            box.appendChild(safeHtml('<b>bold</b><img src=x onerror="window.bad=1">'
                + '<script>window.bad=2</script><a href="javascript:alert(1)">link</a>'
                + '<i onclick="x()">it</i>&lt;tag&gt;'));
            return box.innerHTML;
        }"""
    )
    assert "<b>bold</b>" in rendered
    assert "<img" not in rendered and "<script" not in rendered
    assert "javascript:" not in rendered and "onclick" not in rendered
    assert "&lt;tag&gt;" in rendered
    assert await page.evaluate("() => window.bad === undefined")
