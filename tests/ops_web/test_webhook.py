"""The bot takes updates by webhook: Telegram's posts with the secret are handled; anything
without it, or with another, is turned away with 403 and never handled."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_application
from bot.lifecycle import polling
from bot.ops.health import updates_seen
from emulator.emulator import BotApiEmulator
from tests.ops_web.conftest import PUBLIC_URL, SECRET, WebhookBot, bot_settings, webhook_bot

ALEX = 700_000_101
SAM = 700_000_102


async def test_a_members_start_through_the_webhook_gets_the_welcome(hooked: WebhookBot) -> None:
    emu = hooked.emu
    assert emu.webhook is not None
    assert (emu.webhook.url, emu.webhook.secret_token) == (PUBLIC_URL, SECRET)
    emu.add_user(ALEX, "Alex")

    await emu.send_text(ALEX, "/start")
    welcome = await emu.wait_for_message(ALEX)
    privacy = await emu.wait_for_message(ALEX)

    assert "National Service User Forum" in welcome.text
    assert "Yes, I agree" in [label for label, _ in privacy.buttons]
    assert emu.webhook_posts and all(status == 200 for _, status in emu.webhook_posts)
    assert emu.pending_updates == 0
    assert emu.count("getUpdates") == 0  # nothing polls while the webhook is set


async def test_button_presses_arrive_by_webhook_too(hooked: WebhookBot) -> None:
    emu = hooked.emu
    emu.add_user(ALEX, "Alex")
    await emu.send_text(ALEX, "/start")
    await emu.wait_for_message(ALEX)
    privacy = await emu.wait_for_message(ALEX)

    query = await emu.press_button(ALEX, privacy, text="Yes, I agree")
    agreed = await emu.wait_for_message(ALEX)
    await emu.wait_for_answer(query)

    assert agreed.text.startswith("Thank you. You joined on")
    member = await hooked.app.bot_data["services"].members.get(ALEX)
    assert member is not None and member.consented_at is not None


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
async def test_a_post_without_the_right_secret_gets_403_and_is_never_handled(
    hooked: WebhookBot, secret: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    emu = hooked.emu
    emu.add_user(SAM, "Sam")
    forged = emu.text_update(SAM, "Good morning from the garden")

    with caplog.at_level(logging.DEBUG):
        status = await emu.post_to_webhook(forged, secret=secret)

    assert status == 403
    # Turned away before anything was read: nothing queued, no update noted, no reply made.
    assert hooked.app.update_queue.qsize() == 0
    assert updates_seen(hooked.app).last_at is None
    assert emu.requests(chat_id=SAM) == []
    assert "from the garden" not in caplog.text and SECRET not in caplog.text
    assert "refused (403)" in caplog.text

    # The very same update with the secret is handled: it was only the secret that stopped it.
    assert await emu.post_to_webhook(forged) == 200
    reply = await emu.wait_for_message(SAM)
    assert reply.text  # an answer, as to any hello


async def test_a_post_that_is_not_json_gets_400_and_the_bot_carries_on(
    hooked: WebhookBot,
) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{hooked.local}/telegram",
            data=b"{not json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        ) as response,
    ):
        assert response.status == 400

    hooked.emu.add_user(ALEX, "Alex")
    await hooked.emu.send_text(ALEX, "/start")
    assert "National Service User Forum" in (await hooked.emu.wait_for_message(ALEX)).text


async def test_an_update_the_library_cannot_read_is_skipped_not_retried(
    hooked: WebhookBot, caplog: pytest.LogCaptureFixture
) -> None:
    emu = hooked.emu
    with caplog.at_level(logging.WARNING):
        status = await emu.post_to_webhook(
            {"update_id": 4242, "message": {"text": "secret words", "chat": "not a chat"}}
        )
    assert status == 200  # taken, so Telegram does not post it again and again
    assert "4242" in caplog.text and "secret words" not in caplog.text

    emu.add_user(ALEX, "Alex")
    await emu.send_text(ALEX, "/start")
    assert "National Service User Forum" in (await emu.wait_for_message(ALEX)).text


async def test_updates_wait_at_telegram_while_the_bots_server_cannot_be_reached(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with webhook_bot(tmp_path, emu) as running:
        emu.route_webhook("http://127.0.0.1:9")  # the proxy points nowhere: refused
        emu.add_user(ALEX, "Alex")
        await emu.send_text(ALEX, "/start")
        await emu.wait_for_webhook_posts(1)
        assert emu.webhook_posts[0][1] == 0
        info = await running.app.bot.get_webhook_info()
        assert info.pending_update_count == 1
        assert info.last_error_message == "Connection refused"

        emu.route_webhook(running.local)  # the proxy is fixed: the update arrives
        welcome = await emu.wait_for_message(ALEX)
        assert "National Service User Forum" in welcome.text


async def test_unsetting_webhook_url_goes_back_to_polling(
    tmp_path: Path, emu: BotApiEmulator
) -> None:
    async with webhook_bot(tmp_path, emu):
        pass
    assert emu.webhook is not None  # kept while the bot is down: Telegram holds updates

    settings = bot_settings(tmp_path, emu)
    app = await build_application(settings)
    async with polling(app, poll_timeout=1):
        assert emu.webhook is None  # removed at start
        emu.add_user(ALEX, "Alex")
        await emu.send_text(ALEX, "/start")
        welcome = await emu.wait_for_message(ALEX)
    assert "National Service User Forum" in welcome.text
    assert emu.count("deleteWebhook", 200) >= 1
