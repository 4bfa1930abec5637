"""My journey in Telegram: /journey (and the menu's "My journey"), adding and removing skills
(the list's buttons, or a member's own words typed at a step the crisis net sees first),
hiding and showing parts, and "Make a summary" (a one-page PDF sent as a reply document).

Callback data (all checked again by the service): ``jny:v`` the journey; ``jny:add`` and
``jny:s:<key>`` add a listed skill; ``jny:own`` type one; ``jny:rm`` and ``jny:r:<id>`` remove;
``jny:hide`` and ``jny:h:<code>`` hide; ``jny:shown`` and ``jny:u:<code>`` show again;
``jny:pdf`` the summary. Codes are from ``bot/services/journey/items.py``.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.errors import InvalidChoice
from bot.services.journey import Entry, Journey, OwnWordsRefused
from bot.services.journey.items import code_of, item_of
from bot.services.journey.skills import MOST_SKILLS
from handlers.journey.views import journey_text, label_of, summary_file_name, summary_page
from handlers.shared import awaiting
from handlers.shared.callbacks import BadCallback, decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, send, show
from handlers.shared.keyboards import button, labelled, with_help

ACTION = "jny"
STEP_OWN = "journey_own_words"
BUTTON_LABEL_LIMIT = 48  # characters of a title on a button


async def journey_command(update: Update, context: ForumContext) -> None:
    """/journey: the member's record, with its buttons."""
    awaiting.clear(context)
    journey = await context.services.journey.record(update.effective_user.id)
    await send(context, update.effective_chat.id, *_journey_view(context, journey))


def _journey_view(context: ForumContext, journey: Journey):
    """The journey's text and buttons."""
    texts = context.services.texts
    rows = [
        [
            button(context, "journey.button_add", ACTION, "add"),
            button(context, "journey.button_remove", ACTION, "rm"),
        ],
        [button(context, "journey.button_hide", ACTION, "hide")],
    ]
    if journey.hidden:
        label = texts.plain("journey.button_show_hidden", count=len(journey.hidden))
        rows[1].append(labelled(label, ACTION, "shown"))
    rows.append([button(context, "journey.button_summary", ACTION, "pdf")])
    rows.append([button(context, "buttons.menu", "menu", "home")])
    return journey_text(texts, context.services.settings.zone, journey), with_help(context, rows)


async def on_journey(update: Update, context: ForumContext) -> None:
    """Route a press on a journey button."""
    await answer(update, context)
    callback = decode(update.callback_query.data, ACTION)
    choice = callback.arg(0)
    if choice != "own":
        awaiting.leave_button_step(context)
        if awaiting.current(context) == STEP_OWN:
            awaiting.clear(context)
    if choice == "v":
        await _show_journey(update, context)
    elif choice == "add":
        await _show_add(update, context)
    elif choice == "s":
        await _add_listed(update, context, callback.arg(1))
    elif choice == "own":
        await context.services.journey.skills_to_add(update.effective_user.id)  # members only
        awaiting.expect(context, STEP_OWN)
        await ask_own_words(update, context)
    elif choice == "rm":
        await _show_remove(update, context)
    elif choice == "r":
        await _remove(update, context, callback.int_arg(1))
    elif choice == "hide":
        await _show_hide(update, context)
    elif choice == "h":
        await _hide(update, context, _item(callback.arg(1)))
    elif choice == "shown":
        await _show_hidden(update, context)
    elif choice == "u":
        await _unhide(update, context, _item(callback.arg(1)))
    elif choice == "pdf":
        await _send_summary(update, context)
    else:
        raise BadCallback("unknown journey choice")


def _item(code: str) -> str:
    """The stored item a button's code names; a code that is not one is a stale choice."""
    item = item_of(code)
    if item is None:
        raise InvalidChoice()
    return item


async def _show_journey(update: Update, context: ForumContext) -> None:
    """Redraw the pressed message as the journey."""
    journey = await context.services.journey.record(update.effective_user.id)
    await show(update, context, *_journey_view(context, journey))


def _back(context: ForumContext) -> list[InlineKeyboardButton]:
    """The row that goes back to the journey."""
    return [button(context, "journey.button_back", ACTION, "v")]


async def _show_add(update: Update, context: ForumContext, note: str = "") -> None:
    """The skills not held yet, and "In my own words" (``note`` said above them)."""
    texts = context.services.texts
    choices = await context.services.journey.skills_to_add(update.effective_user.id)
    rows = [[labelled(skill.name, ACTION, "s", skill.key)] for skill in choices]
    rows.append([button(context, "journey.button_own", ACTION, "own")])
    rows.append(_back(context))
    ask = texts.get("journey.add_ask" if choices else "journey.add_all_listed")
    await show(update, context, f"{note}\n\n{ask}" if note else ask, with_help(context, rows))


async def _add_listed(update: Update, context: ForumContext, key: str) -> None:
    """Add a listed skill and show the list again with what happened."""
    service = context.services.journey
    outcome = await service.add_listed(update.effective_user.id, key)
    name = service.skill_list.name_of(key) or key
    await _show_add(update, context, _added_note(context, outcome, name))


def _added_note(context: ForumContext, outcome: str, name: str) -> str:
    """'Added: X.', 'X is on your list already.' or 'Your list is full'."""
    key = {"added": "journey.added", "already": "journey.already"}.get(outcome, "journey.full")
    return context.services.texts.get(key, text=name, limit=MOST_SKILLS)


async def ask_own_words(update: Update, context: ForumContext) -> None:
    """Ask for a skill in the member's own words (a new message; "Carry on" asks it again)."""
    markup = with_help(context, [_back(context)])
    await say(update, context, "journey.own_ask", markup)


async def on_own_words(update: Update, context: ForumContext, text: str) -> None:
    """Keep typed words as a skill, or say kindly what to change and keep the step."""
    try:
        outcome, words = await context.services.journey.add_own(update.effective_user.id, text)
    except OwnWordsRefused as refused:
        await say(update, context, refused.reason, with_help(context, [_back(context)]))
        return
    awaiting.clear(context)
    note = _added_note(context, outcome, words)
    journey = await context.services.journey.record(update.effective_user.id)
    body, markup = _journey_view(context, journey)
    await send(context, update.effective_chat.id, f"{note}\n\n{body}", markup)


async def _show_remove(update: Update, context: ForumContext, note: str = "") -> None:
    """The member's skills, each a button that takes it off."""
    texts = context.services.texts
    held = await context.services.journey.skills_held(update.effective_user.id)
    rows = [[labelled(_short(s.name), ACTION, "r", s.id)] for s in held]
    rows.append(_back(context))
    ask = texts.get("journey.remove_ask" if held else "journey.remove_none")
    await show(update, context, f"{note}\n\n{ask}" if note else ask, with_help(context, rows))


async def _remove(update: Update, context: ForumContext, skill_id: int) -> None:
    """Take a skill off and show the rest."""
    service = context.services.journey
    held = {s.id: s.name for s in await service.skills_held(update.effective_user.id)}
    if not await service.remove_skill(update.effective_user.id, skill_id):
        raise InvalidChoice()
    note = context.services.texts.get("journey.removed", text=held.get(skill_id, ""))
    await _show_remove(update, context, note)


async def _show_hide(update: Update, context: ForumContext, note: str = "") -> None:
    """Everything that can be hidden, each a button."""
    texts = context.services.texts
    journey = await context.services.journey.record(update.effective_user.id)
    entries = journey.hideable()
    rows = [[_entry_button(context, entry, "h")] for entry in entries]
    rows.append(_back(context))
    ask = texts.get("journey.hide_ask" if entries else "journey.hide_nothing")
    await show(update, context, f"{note}\n\n{ask}" if note else ask, with_help(context, rows))


def _entry_button(context: ForumContext, entry: Entry, choice: str) -> InlineKeyboardButton:
    """A button naming one part of the journey."""
    label = _short(label_of(context.services.texts, context.services.settings.zone, entry))
    return labelled(label, ACTION, choice, code_of(entry.item))


def _short(label: str) -> str:
    """A label cut to fit a button."""
    if len(label) <= BUTTON_LABEL_LIMIT:
        return label
    return label[: BUTTON_LABEL_LIMIT - 1].rstrip() + "…"


async def _hide(update: Update, context: ForumContext, item: str) -> None:
    """Hide one part and show the list again."""
    user_id = update.effective_user.id
    before = await context.services.journey.record(user_id)
    entry = next((e for e in before.hideable() if e.item == item), None)
    await context.services.journey.hide(user_id, item)
    texts = context.services.texts
    zone = context.services.settings.zone
    name = label_of(texts, zone, entry) if entry is not None else ""
    await _show_hide(update, context, texts.get("journey.hidden_done", text=name))


async def _show_hidden(update: Update, context: ForumContext, note: str = "") -> None:
    """What the member hid, each a button that shows it again."""
    texts = context.services.texts
    journey = await context.services.journey.record(update.effective_user.id)
    rows = [[_entry_button(context, entry, "u")] for entry in journey.hidden]
    rows.append(_back(context))
    ask = texts.get("journey.hidden_list" if journey.hidden else "journey.hidden_none")
    await show(update, context, f"{note}\n\n{ask}" if note else ask, with_help(context, rows))


async def _unhide(update: Update, context: ForumContext, item: str) -> None:
    """Show one part again and list the rest."""
    user_id = update.effective_user.id
    before = await context.services.journey.record(user_id)
    entry = next((e for e in before.hidden if e.item == item), None)
    await context.services.journey.unhide(user_id, item)
    texts = context.services.texts
    name = label_of(texts, context.services.settings.zone, entry) if entry is not None else ""
    await _show_hidden(update, context, texts.get("journey.shown_again", text=name))


async def _send_summary(update: Update, context: ForumContext) -> None:
    """Make the one-page PDF off the event loop and send it as a reply document.

    A direct reply, not the delivery engine: it is one person's own file, asked for now; the
    engine would keep a copy of it in broadcast_uploads (more personal data to erase) and
    queue it behind broadcasts."""
    services = context.services
    summary = await services.journey.summary(update.effective_user.id)
    chat_id = update.effective_chat.id
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    page = summary_page(services.texts, services.settings.zone, summary)
    payload = await services.journey.summary_pdf(page)
    name = summary_file_name(summary, services.settings.zone)
    await context.bot.send_document(
        chat_id,
        InputFile(payload, filename=name),
        caption=services.texts.get("journey.summary_caption"),
        reply_markup=with_help(context, [_back(context)]),
    )


def register(app: ForumApp) -> None:
    """Add /journey, its buttons and the own-words step."""
    awaiting.define(STEP_OWN, on_own_words, ask_own_words)
    app.add_handler(CommandHandler("journey", journey_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_journey, pattern(ACTION)))
