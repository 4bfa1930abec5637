"""The emulator keeps Telegram's webhook rules: setWebhook's checks, getWebhookInfo, 409 from
getUpdates while a webhook is set, and posts that carry the secret and wait for a 2xx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import telegram
from aiohttp import web
from telegram.error import BadRequest, Conflict

from emulator.emulator import BotApiEmulator

TOKEN = "123456789:TEST-token_abc"
USER = 1001


@pytest.fixture
async def bot(emu: BotApiEmulator) -> AsyncIterator[telegram.Bot]:
    """A plain PTB bot talking to the emulator."""
    async with telegram.Bot(TOKEN, base_url=emu.base_url) as ptb_bot:
        yield ptb_bot


class Receiver:
    """A stand-in for the bot's web server: records each post, answers with ``status``."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str | None, dict]] = []
        self.status = 200

    async def handle(self, request: web.Request) -> web.Response:
        """Record the path, the secret header and the update."""
        self.posts.append(
            (
                request.path_qs,
                request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                await request.json(),
            )
        )
        return web.Response(status=self.status)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    """A receiver listening on loopback; yields it and its base URL."""
    found = Receiver()
    app = web.Application()
    app.router.add_post("/{tail:.*}", found.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield found, f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://example.org/hook", "(?i)an https url must be provided"),
        ("https://example.org:9000/hook", "(?i)only on ports 80, 88, 443 or 8443"),
        ("https:///hook", "(?i)an https url must be provided"),
    ],
)
async def test_set_webhook_refuses_what_telegram_refuses(
    bot: telegram.Bot, url: str, error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await bot.set_webhook(url)
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize("secret", ["has space", "ümlaut", "x" * 257, "semi;colon"])
async def test_a_secret_token_telegram_would_not_take_is_refused(
    bot: telegram.Bot, secret: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)secret token contains unallowed characters"):
        await bot.set_webhook("https://example.org/hook", secret_token=secret)


async def test_webhook_info_tells_what_was_set(bot: telegram.Bot) -> None:
    assert await bot.set_webhook(
        "https://example.org:8443/hook",
        secret_token="abc_DEF-123",
        allowed_updates=["message", "callback_query"],
        max_connections=10,
    )
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org:8443/hook"
    assert info.max_connections == 10
    assert set(info.allowed_updates) == {"message", "callback_query"}
    assert info.last_error_date is None
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await bot.get_updates()

    assert await bot.set_webhook("")  # an empty url removes it, as deleteWebhook does
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.get_updates() == ()


async def test_updates_are_posted_in_order_with_the_secret_once_taken(
    emu: BotApiEmulator, bot: telegram.Bot, receiver: tuple[Receiver, str]
) -> None:
    found, base = receiver
    emu.add_user(USER, "Ada")
    await bot.set_webhook("https://example.org/tg/hook?x=1", secret_token="s3cret")
    await emu.send_text(USER, "one")
    await emu.send_text(USER, "two")
    assert found.posts == []  # no route yet: they wait, as at Telegram

    emu.route_webhook(base)
    await emu.wait_for_webhook_posts(2)

    assert [(path, secret) for path, secret, _ in found.posts] == [
        ("/tg/hook?x=1", "s3cret"),
        ("/tg/hook?x=1", "s3cret"),
    ]
    assert [body["message"]["text"] for _, _, body in found.posts] == ["one", "two"]
    assert emu.pending_updates == 0


async def test_a_refused_post_is_kept_and_tried_again(
    emu: BotApiEmulator, bot: telegram.Bot, receiver: tuple[Receiver, str]
) -> None:
    found, base = receiver
    found.status = 500
    emu.add_user(USER, "Ada")
    await bot.set_webhook("https://example.org/hook")
    emu.route_webhook(base)
    await emu.send_text(USER, "hello")
    await emu.wait_for_webhook_posts(1)

    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 500"
    assert found.posts[0][1] is None  # no secret was set, so none is sent

    found.status = 200
    while emu.webhook_posts[-1][1] != 200:  # Telegram tries again; the next try is taken
        await emu.wait_for_webhook_posts(len(emu.webhook_posts) + 1)
    assert {status for _, status in emu.webhook_posts[:-1]} == {500}
    assert emu.pending_updates == 0


async def test_kinds_the_bot_did_not_ask_for_are_dropped(
    emu: BotApiEmulator, bot: telegram.Bot, receiver: tuple[Receiver, str]
) -> None:
    found, base = receiver
    emu.add_user(USER, "Ada")
    await bot.set_webhook("https://example.org/hook", allowed_updates=["callback_query"])
    await emu.send_text(USER, "hi")  # a message: not asked for
    button = telegram.InlineKeyboardButton("Go", callback_data="go")
    keyboard = telegram.InlineKeyboardMarkup([[button]])
    sent = await bot.send_message(USER, "Press", reply_markup=keyboard)
    await emu.press_button(USER, sent.message_id, "go")
    emu.route_webhook(base)
    await emu.wait_for_webhook_posts(1)

    assert [body["callback_query"]["data"] for _, _, body in found.posts] == ["go"]
    assert emu.pending_updates == 0


async def test_post_to_webhook_sends_any_secret_and_returns_the_status(
    emu: BotApiEmulator, bot: telegram.Bot, receiver: tuple[Receiver, str]
) -> None:
    found, base = receiver
    emu.add_user(USER, "Ada")
    await bot.set_webhook("https://example.org/hook", secret_token="right")
    emu.route_webhook(base)
    found.status = 403

    assert await emu.post_to_webhook(emu.text_update(USER, "a"), secret=None) == 403
    assert await emu.post_to_webhook(emu.text_update(USER, "b"), secret="wrong") == 403
    assert await emu.post_to_webhook(emu.text_update(USER, "c")) == 403
    assert [secret for _, secret, _ in found.posts] == [None, "wrong", "right"]
    assert emu.webhook_posts == []  # these are not Telegram's own posts
