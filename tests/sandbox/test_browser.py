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
from tests.sandbox.conftest import CASEY, PRIYA, SAM, Person, join, tiny_png

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
# The browser runs far from the UK, so a time taken from the browser's clock would show.
BROWSER_ZONE = "Pacific/Auckland"


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
            tab = await browser.new_page(
                viewport={"width": 1280, "height": 820}, timezone_id=BROWSER_ZONE
            )
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
    shown = await page.locator(".msg.bot .text").last.text_content()
    assert shown.startswith("[help.")  # the key comes first, on the line of its own text
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


async def test_message_times_are_the_bots_clock_not_the_browsers(page: Any) -> None:
    assert await page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == (
        BROWSER_ZONE
    )
    await be(page, PRIYA)
    await write(page, "/help")
    await see(page, "/help")
    # The bot's clock starts at 14:30 UK time on Thursday 10 December 2026 (in New Zealand it
    # is then 03:30 on Friday), and it stands still in tests unless moved on.
    assert set(await page.locator(".msg .meta").all_text_contents()) == {"14:30"}
    assert await page.locator(".messages .day").all_text_contents() == ["Thursday 10 December 2026"]

    await page.click("button.ff[data-seconds='3600']")
    await page.wait_for_function(
        "() => document.getElementById('clock').textContent.includes('15:30')"
    )
    await write(page, "/help")
    await page.locator(".msg.me .meta", has_text="15:30").wait_for()
    await page.locator(".msg.bot .meta", has_text="15:30").wait_for()
    await page.click("button.ff[data-seconds='86400']")
    await page.wait_for_function(
        "() => document.getElementById('clock').textContent.includes('Fri')"
    )
    await write(page, "/help")
    await page.locator(".messages .day", has_text="Friday 11 December 2026").wait_for()
    days = await page.locator(".messages .day").all_text_contents()
    assert days == ["Thursday 10 December 2026", "Friday 11 December 2026"]
    last = page.locator(".messages > *").last
    assert await last.locator(".meta").text_content() == "15:30"


async def test_the_chosen_person_stays_chosen_after_a_reload(page: Any) -> None:
    await be(page, CASEY)
    await write(page, "/help")
    await see(page, "Coordinator commands")
    await page.reload()
    await page.wait_for_selector(f'.people button[data-user-id="{CASEY}"][aria-pressed="true"]')
    assert await page.text_content("#who") == "You are Casey (coordinator)"
    await see(page, "Coordinator commands")  # Casey's chat, not the first person's
    assert await page.locator('.people button[aria-pressed="true"]').count() == 1

    await be(page, SAM)
    await page.reload()
    await page.wait_for_selector(f'.people button[data-user-id="{SAM}"][aria-pressed="true"]')


async def test_the_fast_forward_note_is_in_plain_words(page: Any) -> None:
    await be(page, SAM)
    await page.click("button.ff[data-seconds='86400']")
    toast = page.locator("#toast")
    await toast.wait_for(state="visible")
    assert await toast.text_content() == (
        "Moved the bot's clock on by 1 day. It is now Friday 11 December, 14:30. "
        "Anything the bot was due to do by then, like reminders, is being done now."
    )
    assert await page.text_content("#clock") == "Friday 11 December 2026, 14:30"
    await page.click("button.ff[data-seconds='604800']")
    await page.locator("#toast", has_text="by 1 week. It is now Friday 18 December").wait_for()


async def test_a_person_added_in_the_page_sends_a_photo_for_a_broadcast(
    page: Any, client: TestClient
) -> None:
    await join(Person(client, SAM), "North West")  # someone to receive it
    await page.fill("#new-name", "Alex")
    await page.press("#new-name", "Enter")
    alex = page.locator(".people button", has_text="Alex (visitor)")
    await alex.and_(page.locator('[aria-pressed="true"]')).wait_for()  # chosen at once
    alex_id = int(await alex.get_attribute("data-user-id"))
    assert f"Telegram id: {alex_id}" in await alex.text_content()
    await write(page, "/start")
    await press(page, "Yes, I agree")  # opens the chat; joining is not needed to broadcast

    await be(page, CASEY)
    await write(page, f"/grant {alex_id} coordinator")
    await see(page, f"{alex_id} is now a coordinator")

    await alex.click()
    await write(page, "/broadcast")
    await press(page, "Everyone")
    await see(page, "write your message")
    await page.fill("#text", "Our new hub room")  # goes with the picture, as its caption
    async with page.expect_file_chooser() as chosen:
        await page.click("#attach")
    chooser = await chosen.value
    await chooser.set_files({"name": "room.png", "mimeType": "image/png", "buffer": tiny_png()})
    await page.locator(".msg.me img").wait_for()  # Alex's own picture in the chat
    assert await page.locator(".msg.me .text").last.text_content() == "Our new hub room"
    await press(page, "Send now")
    await see(page, "on its way")

    await be(page, SAM)
    picture = page.locator(".msg.bot img").last
    await picture.wait_for()
    assert (
        await page.locator(".msg.bot", has=page.locator("img")).last.locator(".text").text_content()
        == "Our new hub room"
    )
    await page.wait_for_function(
        "img => img.complete && img.naturalWidth === 4", arg=await picture.element_handle()
    )


async def test_the_page_has_an_icon_and_nothing_it_asks_for_is_missing(page: Any) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    await page.reload()
    await page.wait_for_selector(".people button")
    icon = await page.evaluate(
        """async () => {
            const link = document.querySelector("link[rel~='icon']");
            if (!link) return null;
            const img = new Image();
            img.src = link.href;
            await img.decode();
            const fallback = await fetch("/favicon.ico");
            return { href: link.getAttribute("href"), width: img.naturalWidth,
                     fallback: fallback.status, type: fallback.headers.get("content-type") };
        }"""
    )
    assert icon is not None, "the page names no icon, so browsers ask for /favicon.ico"
    assert icon["width"] > 0  # the icon is a picture the browser can draw
    assert icon["fallback"] == 200 and icon["type"].startswith("image/")
    assert failed == []


async def test_the_practice_group_in_the_browser(page: Any) -> None:
    await be(page, CASEY)
    await page.click(".group-act[data-action='add']")
    await see(page, "send /link here")
    assert (await page.text_content("#bot-name")) == "Hub group (practice)"
    assert "You write here as Casey" in (await page.text_content("#who"))
    await write(page, "/link")
    await press(page, "North West")
    await press(page, "All of North West")
    await see(page, "linked to North West")
    await be(page, SAM)
    await page.click(".group-act[data-action='join']")
    await page.locator(".day", has_text="Sam joined the group").wait_for()
    await write(page, "see you all on Tuesday")
    await page.locator(".msg.me .text", has_text="see you all on Tuesday").wait_for()
    # Casey sees Sam's message with Sam's name on it
    await be(page, CASEY)
    await page.locator(".msg.them .sender", has_text="Sam").wait_for()
    await page.click("#group-open")
    assert (await page.text_content("#group-open")) == "Open the practice group"
    assert (await page.text_content("#who")) == "You are Casey (coordinator)"
