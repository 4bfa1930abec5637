"""A whole PTB Application polling the emulator, as the bot's own tests will run it."""

from __future__ import annotations

import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from emulator import BotApiEmulator

from .conftest import TOKEN, USER


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a button."""
    assert update.effective_message is not None
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Join", callback_data="join")]])
    await update.effective_message.reply_html("<b>Welcome</b> to the forum", reply_markup=markup)


async def join(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Confirm a join by editing the menu."""
    query = update.callback_query
    assert query is not None
    await query.answer("Joined!")
    await query.edit_message_text("You have joined.")


async def test_application_round_trip(emu: BotApiEmulator) -> None:
    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(join, pattern="^join$"))
    emu.add_user(USER, "Ada")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        try:
            await emu.send_text(USER, "/start")
            welcome = await emu.wait_for_message(USER, timeout=5)
            assert welcome.text == "Welcome to the forum"
            assert welcome.html == "<b>Welcome</b> to the forum"
            query_id = await emu.press_button(USER, welcome, "join")
            edited = await emu.wait_for_message(USER, timeout=5)
            assert edited is welcome and edited.text == "You have joined."
            assert (await emu.wait_for_answer(query_id, timeout=5)).text == "Joined!"
        finally:
            started = time.monotonic()
            await app.updater.stop()
            await app.stop()
            assert time.monotonic() - started < 3
