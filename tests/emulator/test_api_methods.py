"""Bot API methods through PTB's own client: shapes PTB parses, and Telegram's rules as errors."""

from __future__ import annotations

import aiohttp
import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken

from emulator import BotApiEmulator, ManualClock

from .conftest import BOT_ID, GROUP, OTHER, TOKEN, USER, png_bytes

pytestmark = pytest.mark.usefixtures("user")

KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Yes", callback_data="vote:yes")],
        [InlineKeyboardButton("Read more", url="https://example.org/more")],
    ]
)


async def test_get_me(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert me.id == BOT_ID
    assert me.is_bot
    assert me.username == "forum_test_bot"
    assert me.first_name == "Forum bot"
    assert me.can_join_groups


async def test_send_message_returns_full_message(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_message(
        USER,
        "<b>Hello</b> &amp; welcome 😀 <i>Ada</i>",
        parse_mode=ParseMode.HTML,
        reply_markup=KEYBOARD,
    )
    assert sent.text == "Hello & welcome 😀 Ada"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("italic", 19, 3),
    ]
    assert sent.from_user.id == BOT_ID and sent.from_user.is_bot
    assert sent.chat.id == USER and sent.chat.type == "private"
    assert sent.chat.first_name == "Ada"
    assert sent.reply_markup == KEYBOARD
    assert sent.date.timestamp() > 0
    record = emu.chat(USER).message(sent.message_id)
    assert record.from_bot
    assert record.html == "<b>Hello</b> &amp; welcome 😀 <i>Ada</i>"
    assert record.buttons == [("Yes", "vote:yes"), ("Read more", "https://example.org/more")]


async def test_message_ids_increase_per_chat_across_both_sides(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    first = await bot.send_message(USER, "one")
    said = await emu.send_text(USER, "hello")
    second = await bot.send_message(USER, "two")
    assert first.message_id < said.message_id < second.message_id
    emu.add_group(GROUP, "Forum")
    in_group = await bot.send_message(GROUP, "group hello")
    assert in_group.message_id == 1
    assert in_group.chat.type == "group" and in_group.chat.title == "Forum"


async def test_plain_text_keeps_markup_characters(bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "<b>not bold</b> & fine")
    assert sent.text == "<b>not bold</b> & fine"
    assert sent.entities == ()


async def test_text_is_trimmed_like_telegram(bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "\n  <b>hi</b>  \n", parse_mode="HTML")
    assert sent.text == "hi"
    assert sent.entities[0].offset == 0


async def test_reply_keyboard_is_recorded_but_not_echoed(
    emu: BotApiEmulator, bot: telegram.Bot
) -> None:
    markup = ReplyKeyboardMarkup([[KeyboardButton("Share", request_contact=True)], ["Cancel"]])
    sent = await bot.send_message(USER, "Pick", reply_markup=markup)
    assert sent.reply_markup is None
    assert emu.chat(USER).message(sent.message_id).keyboard == [["Share"], ["Cancel"]]


async def test_reply_to_message(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    said = await emu.send_text(USER, "question")
    sent = await bot.send_message(USER, "answer", reply_parameters=ReplyParameters(said.message_id))
    assert sent.reply_to_message.text == "question"
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(999))
    loose = await bot.send_message(
        USER, "x", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert loose.reply_to_message is None


async def test_edit_message_text_and_history(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "draft", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text(
        "<i>final</i>", USER, sent.message_id, parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert edited.text == "final"
    assert edited.edit_date is not None
    assert edited.reply_markup == KEYBOARD
    record = emu.chat(USER).message(sent.message_id)
    assert [v.text for v in record.history] == ["draft"]
    assert record.edit_count == 1
    # Telegram drops the inline keyboard when an edit omits reply_markup.
    bare = await bot.edit_message_text("final", USER, sent.message_id, parse_mode="HTML")
    assert bare.reply_markup is None
    assert record.buttons == []


async def test_edit_not_modified(bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "same", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified: specified new message"):
        await bot.edit_message_text("same", USER, sent.message_id, reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=KEYBOARD)


async def test_edit_unknown_or_foreign_message(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    said = await emu.send_text(USER, "mine")
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", USER, said.message_id)
    photo = await bot.send_photo(USER, png_bytes())
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await bot.edit_message_text("x", USER, photo.message_id)


async def test_edit_reply_markup_and_caption(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "menu", reply_markup=KEYBOARD)
    new = InlineKeyboardMarkup([[InlineKeyboardButton("No", callback_data="vote:no")]])
    edited = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=new)
    assert edited.reply_markup == new
    removed = await bot.edit_message_reply_markup(USER, sent.message_id)
    assert removed.reply_markup is None
    doc = await bot.send_document(USER, b"data", filename="a.txt", caption="old")
    recaptioned = await bot.edit_message_caption(
        USER, doc.message_id, caption="<b>new</b>", parse_mode="HTML"
    )
    assert recaptioned.caption == "new"
    assert recaptioned.caption_entities[0].type == "bold"
    assert emu.chat(USER).message(doc.message_id).caption_html == "<b>new</b>"
    with pytest.raises(BadRequest, match="There is no caption in the message to edit"):
        await bot.edit_message_caption(USER, sent.message_id, caption="x")


async def test_delete_message(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_message(USER, "bye")
    assert await bot.delete_message(USER, sent.message_id) is True
    assert emu.chat(USER).message(sent.message_id).deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", USER, sent.message_id)


async def test_delete_window_is_48_hours() -> None:
    async with BotApiEmulator(clock=ManualClock()) as emu:
        emu.add_user(USER, "Ada")
        await emu.send_text(USER, "/start")
        async with telegram.Bot(TOKEN, base_url=emu.base_url) as other_bot:
            first = await other_bot.send_message(USER, "old")
            sent = await other_bot.send_message(USER, "older")
            emu.advance_clock(47 * 3600)
            assert await other_bot.delete_message(USER, first.message_id)
            emu.advance_clock(3600 + 1)
            with pytest.raises(BadRequest, match="Message can't be deleted for everyone"):
                await other_bot.delete_message(USER, sent.message_id)


async def test_send_document_and_download(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    sent = await bot.send_document(
        USER,
        b"%PDF-1.4 fake",
        filename="minutes.pdf",
        caption="Minutes <b>May</b>",
        parse_mode="HTML",
    )
    assert sent.document.file_name == "minutes.pdf"
    assert sent.document.mime_type == "application/pdf"
    assert sent.document.file_size == 13
    assert sent.caption == "Minutes May"
    record = emu.chat(USER).message(sent.message_id)
    assert record.document.data == b"%PDF-1.4 fake"
    assert record.document.filename == "minutes.pdf"
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 fake"
    again = await bot.send_document(USER, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    with pytest.raises(BadRequest, match="Wrong file identifier/http url specified"):
        await bot.send_document(USER, "no-such-file-id")
    with pytest.raises(BadRequest, match="File must be non-empty"):
        await bot.send_document(USER, b"", filename="empty.txt")


async def test_send_photo(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    picture = png_bytes(200, 100)
    sent = await bot.send_photo(USER, picture, caption="A picture")
    sizes = sent.photo
    assert [(s.width, s.height) for s in sizes] == [(90, 45), (200, 100)]
    assert sent.caption == "A picture"
    assert emu.chat(USER).message(sent.message_id).photo.data == picture
    downloaded = await (await bot.get_file(sizes[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == picture
    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(USER, b"not an image at all")


async def test_caption_too_long(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(USER, b"x", filename="a.txt", caption="c" * 1025)
    ok = await bot.send_document(USER, b"x", filename="a.txt", caption="c" * 1024)
    assert len(ok.caption) == 1024


async def test_copy_message(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_user(OTHER, "Bob")
    await emu.send_text(OTHER, "/start")
    sent = await bot.send_message(USER, "<b>notice</b>", parse_mode="HTML")
    copied = await bot.copy_message(OTHER, USER, sent.message_id)
    record = emu.chat(OTHER).message(copied.message_id)
    assert record.text == "notice"
    assert record.entities == [{"type": "bold", "offset": 0, "length": 6}]


async def test_chat_action_get_chat_and_menu(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    assert await bot.send_chat_action(USER, ChatAction.TYPING)
    assert emu.chat(USER).actions[-1][0] == "typing"
    with pytest.raises(BadRequest, match="Wrong parameter action in request"):
        await bot.send_chat_action(USER, "dancing")
    chat = await bot.get_chat(USER)
    assert chat.id == USER and chat.username == "ada" and chat.last_name == "Lovelace"
    assert await bot.set_chat_menu_button(USER, MenuButtonCommands())
    assert await bot.set_chat_menu_button()
    assert isinstance(await bot.get_chat_menu_button(USER), MenuButtonCommands)


async def test_commands_per_scope_and_language(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    assert await bot.set_my_commands(
        [BotCommand("admin", "Admin tools")], scope=BotCommandScopeChat(USER)
    )
    assert await bot.set_my_commands([BotCommand("start", "Dechrau")], language_code="cy")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(USER))
    assert [c.command for c in scoped] == ["admin"]
    assert emu.commands_for() == ["start", "help"]
    assert emu.commands_for(f"chat:{USER}") == ["admin"]
    assert emu.commands[("default", "cy")][0]["description"] == "Dechrau"
    assert await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_webhook_methods_and_close(bot: telegram.Bot) -> None:
    info = await bot.get_webhook_info()
    assert info.url == ""
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.close()
    assert await bot.log_out()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<foo>hi</foo>", 'Can\'t parse entities: unsupported start tag "foo" at byte offset 0'),
        ("<b>hi", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
        ("1 < 2", "Can't parse entities: unsupported start tag"),
        ("Tom & Jerry", 'Can\'t parse entities: character "&" at byte offset 4'),
    ],
)
async def test_bad_html_is_rejected(bot: telegram.Bot, text: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(USER, text, parse_mode="HTML")
    assert caught.value.message.startswith(message)


async def test_markdown_is_refused_clearly(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)markdownv2 is not supported by the emulator"):
        await bot.send_message(USER, "*hi*", parse_mode=ParseMode.MARKDOWN_V2)


async def test_text_length_rules(bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "<b></b>  ", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "x" * 4097)
    assert len((await bot.send_message(USER, "x" * 4096)).text) == 4096
    # Markup does not count: 4096 characters inside tags are fine.
    long_html = await bot.send_message(USER, "<b>" + "y" * 4096 + "</b>", parse_mode="HTML")
    assert len(long_html.text) == 4096
    # Length is counted in UTF-16 code units: 2049 emoji are 4098 units.
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "😀" * 2049)


@pytest.mark.parametrize(
    ("button", "message"),
    [
        ({"text": "x", "callback_data": "d" * 65}, "Button_data_invalid"),
        ({"text": "x", "callback_data": "é" * 33}, "Button_data_invalid"),
        ({"text": "x", "callback_data": ""}, "Button_data_invalid"),
        ({"text": "x"}, "Text buttons are unallowed in the inline keyboard"),
        (
            {"text": "x", "callback_data": "a", "url": "https://e.org"},
            "Can't parse inline keyboard button: exactly one of the optional fields",
        ),
        ({"text": "x", "url": "ftp://e.org"}, "is invalid: unsupported url protocol"),
        ({"text": "x", "url": "javascript:alert(1)"}, "is invalid: unsupported url protocol"),
        ({"text": "x", "url": "not a url"}, "is invalid: wrong http url"),
    ],
)
async def test_inline_keyboard_rules(bot: telegram.Bot, button: dict, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(USER, "menu", reply_markup={"inline_keyboard": [[button]]})
    assert message.lower() in caught.value.message.lower()


async def test_valid_button_kinds(bot: telegram.Bot) -> None:
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("d", callback_data="x" * 64)],
            [InlineKeyboardButton("tg", url="tg://resolve?domain=forum")],
            [InlineKeyboardButton("http", url="http://example.org")],
        ]
    )
    sent = await bot.send_message(USER, "ok", reply_markup=markup)
    assert sent.reply_markup == markup


async def test_raw_bodies_json_query_and_bad_markup(emu: BotApiEmulator) -> None:
    url = f"{emu.base_url}{TOKEN}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={"chat_id": USER, "text": "json"}) as r:
            assert r.status == 200
            assert (await r.json())["result"]["text"] == "json"
        async with http.get(f"{url}/sendMessage", params={"chat_id": USER, "text": "q"}) as r:
            assert (await r.json())["result"]["text"] == "q"
        form = {"chat_id": str(USER), "text": "x", "reply_markup": "{not json"}
        async with http.post(f"{url}/sendMessage", data=form) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: can't parse reply keyboard markup JSON object",
            }
        async with http.post(f"{url}/sendTelepathy") as r:
            assert r.status == 404
            assert await r.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found: method not found",
            }


async def test_chat_not_found(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hello?")
    emu.add_user(OTHER, "Bob")  # known to Telegram, but never wrote to the bot
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(OTHER, "hello?")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(OTHER)


async def test_blocked_and_deactivated_users(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.block_user(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "hello?")
    emu.unblock_user(USER)
    assert (await bot.send_message(USER, "welcome back")).text == "welcome back"
    emu.deactivate_user(USER)
    with pytest.raises(Forbidden, match="user is deactivated"):
        await bot.send_message(USER, "hello?")


async def test_bot_removed_from_group(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    emu.add_group(GROUP, "Forum")
    emu.remove_bot_from_group(GROUP)
    with pytest.raises(Forbidden, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "hello?")


async def test_unknown_method_and_bad_token(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", {"chat_id": USER})
    assert emu.requests(method="sendTelepathy")[0].status == 404
    with pytest.raises(InvalidToken):
        async with telegram.Bot("not-a-token", base_url=emu.base_url):
            pass


async def test_method_names_are_case_insensitive(emu: BotApiEmulator, bot: telegram.Bot) -> None:
    result = await bot.do_api_request("SENDmessagE", {"chat_id": USER, "text": "shouty"})
    assert result["text"] == "shouty"
    assert emu.requests(method="sendMessage")[-1].status == 200


async def test_only_configured_token_accepted() -> None:
    async with BotApiEmulator(token=TOKEN) as emu:
        async with telegram.Bot(TOKEN, base_url=emu.base_url) as good:
            assert (await good.get_me()).id == BOT_ID
        with pytest.raises(InvalidToken):
            async with telegram.Bot("5:other", base_url=emu.base_url):
                pass


async def test_seeded_files_sent_by_id_in_json_bodies(emu: BotApiEmulator) -> None:
    doc_id = emu.add_file(b"agenda", "agenda.pdf", "application/pdf")
    photo_id = emu.add_file(png_bytes(), photo=True)
    url = f"{emu.base_url}{TOKEN}"
    markup = {"inline_keyboard": [[{"text": "Got it", "callback_data": "ack:1"}]]}
    async with aiohttp.ClientSession() as http:
        body = {
            "chat_id": USER,
            "document": doc_id,
            "caption": "<b>Agenda</b>",
            "parse_mode": "HTML",
        }
        async with http.post(f"{url}/sendDocument", json=body) as r:
            result = (await r.json())["result"]
            assert result["document"]["file_name"] == "agenda.pdf"
            assert result["caption_entities"] == [{"type": "bold", "offset": 0, "length": 6}]
        body = {"chat_id": USER, "photo": photo_id, "reply_markup": markup}
        async with http.post(f"{url}/sendPhoto", json=body) as r:
            result = (await r.json())["result"]
            assert result["photo"][-1]["file_id"] == photo_id
            assert result["reply_markup"] == markup
        body = {"chat_id": USER, "photo": doc_id}
        async with http.post(f"{url}/sendPhoto", json=body) as r:
            assert (await r.json())["description"] == "Bad Request: type of file mismatch"
