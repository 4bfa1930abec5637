"""/newmeeting: a coordinator sets up a meeting step by step, sees what the bot understood,
and confirms; the invitations then go out through the delivery engine.

The draft is kept as handlers/drafts.py describes; bad input gets a kind message and another
go at the same step.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery import Audience
from bot.recurrence import RULES
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.meetings import (
    MAX_MINUTES,
    MAX_NOTES,
    MAX_PLACE,
    MAX_TITLE,
    MeetingDraft,
    read_length,
)
from bot.texts import Markup
from handlers import audience_picker, awaiting
from handlers.callbacks import pattern
from handlers.common import ForumApp, ForumContext, keyboard, say, show_key
from handlers.delivery_reports import audience_words, number
from handlers.drafts import DraftStore
from handlers.meeting_messages import MeetingMessages
from storage.meetings import Meeting

ACTION = "nm"  # nm:<draft id>:<what>[:<arg>]
STEP_TITLE, STEP_WHEN, STEP_LENGTH = "meeting_title", "meeting_when", "meeting_length"
STEP_WHERE, STEP_NOTES, STEP_BUTTONS = "meeting_where", "meeting_notes", "meeting_buttons"
LENGTHS = (60, 90, 120, 180)
ONCE = "once"
REPEATS = (ONCE, *RULES)
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_LINK_END = ".,;:!?)'\""  # marks after a link that end the sentence, not the link


@dataclass(frozen=True)
class Draft:
    """A meeting being set up (times in UTC)."""

    id: str = field(default_factory=lambda: secrets.token_hex(4))
    title: str = ""
    starts_at: datetime | None = None
    minutes: int | None = None
    place: str = ""
    link: str = ""
    audience: Audience | None = None
    notes: str = ""
    repeat: str = ""  # "" not asked yet, "once", or a repeat rule

    def with_changes(self, **changes: object) -> Draft:
        """A copy with some fields changed (same draft id)."""
        return replace(self, **changes)  # type: ignore[arg-type]


DRAFTS = DraftStore(
    ACTION, key="meeting_draft", kind=Draft, texts="meetings.new_", buttons="meetings.button_"
)


async def start(update: Update, context: ForumContext) -> None:
    """/newmeeting: coordinators only; a fresh draft."""
    awaiting.clear(context)
    await context.services.roles.require_coordinator(update.effective_user.id, "create meeting")
    DRAFTS.keep(context, Draft())
    await ask_title(update, context)


async def ask_title(update: Update, context: ForumContext) -> None:
    """What is it called?"""
    draft = await DRAFTS.ask(update, context, STEP_TITLE)
    if draft is None:
        return
    await say(update, context, "meetings.new_ask_title", DRAFTS.only_cancel(context, draft))


async def on_title(update: Update, context: ForumContext, text: str) -> None:
    """Keep the title, then ask when."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    title = " ".join(text.split())
    if not title or len(title) > MAX_TITLE:
        await say(update, context, "meetings.new_title_bad")
        return
    await DRAFTS.save_and_continue(update, context, draft.with_changes(title=title))


async def ask_when(update: Update, context: ForumContext) -> None:
    """When does it start?"""
    draft = await DRAFTS.ask(update, context, STEP_WHEN)
    if draft is None:
        return
    await say(update, context, "meetings.new_ask_when", DRAFTS.only_cancel(context, draft))


async def on_when(update: Update, context: ForumContext, text: str) -> None:
    """Read the date and time; explain what is wrong and ask again if it cannot be used."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    try:
        starts_at = context.services.meetings.read_time(text)
    except ServiceError as error:
        await say(update, context, error.reason, DRAFTS.only_cancel(context, draft))
        return
    draft = draft.with_changes(starts_at=starts_at)
    await DRAFTS.save_and_continue(update, context, draft)


async def ask_length(update: Update, context: ForumContext) -> None:
    """How long is it? Buttons for the usual lengths."""
    draft = await DRAFTS.ask(update, context, STEP_LENGTH)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, f"meetings.button_{m}", draft, "len", m) for m in LENGTHS[:2]],
        [DRAFTS.button(context, f"meetings.button_{m}", draft, "len", m) for m in LENGTHS[2:]],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "meetings.new_ask_length", keyboard(rows))


async def on_length(update: Update, context: ForumContext, text: str) -> None:
    """A typed length; one that cannot be used gets why, an example, and the question again."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    try:
        minutes = read_length(text)
    except ServiceError as error:
        await say(update, context, error.reason, None, hours=MAX_MINUTES // 60)
        await ask_length(update, context)
        return
    draft = draft.with_changes(minutes=minutes)
    await DRAFTS.save_and_continue(update, context, draft)


async def ask_where(update: Update, context: ForumContext) -> None:
    """Where is it?"""
    draft = await DRAFTS.ask(update, context, STEP_WHERE)
    if draft is None:
        return
    await say(update, context, "meetings.new_ask_where", DRAFTS.only_cancel(context, draft))


def split_where(text: str) -> tuple[str, str]:
    """The place exactly as typed (only the spaces around it trimmed), and the first online
    link in it for the calendar file. Nothing typed is moved, cut or reworded: 'M1 1AA &
    online https://meet.example.org/abc' stays just so. A message that is only a link is an
    online meeting with no address."""
    place = text.strip()
    match = _LINK.search(place)
    link = match.group(0).rstrip(_LINK_END) if match else ""
    if link and place == link:
        return "", link
    return place, link


async def on_where(update: Update, context: ForumContext, text: str) -> None:
    """Keep the address and link."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    place, link = split_where(text)
    if not (place or link) or len(place) > MAX_PLACE or len(link) > MAX_PLACE:
        await say(update, context, "meetings.new_where_bad")
        return
    draft = draft.with_changes(place=place, link=link)
    await DRAFTS.save_and_continue(update, context, draft)


async def ask_audience(update: Update, context: ForumContext) -> None:
    """Who is it for: the whole forum, a region or a hub."""
    await audience_picker.ask(update, context, DRAFTS, STEP_BUTTONS)


async def ask_notes(update: Update, context: ForumContext) -> None:
    """Anything people should know?"""
    draft = await DRAFTS.ask(update, context, STEP_NOTES)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, "meetings.button_no_notes", draft, "nonotes")],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "meetings.new_ask_notes", keyboard(rows))


async def on_notes(update: Update, context: ForumContext, text: str) -> None:
    """Keep the notes and show the preview."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    notes = text.strip()
    if len(notes) > MAX_NOTES:
        await say(update, context, "meetings.new_notes_bad")
        return
    draft = draft.with_changes(notes=notes or "-")
    await DRAFTS.save_and_continue(update, context, draft)


async def ask_repeat(update: Update, context: ForumContext) -> None:
    """Does it repeat?"""
    draft = await DRAFTS.ask(update, context, STEP_BUTTONS)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, f"meetings.button_{rule}", draft, "rep", rule)] for rule in REPEATS
    ]
    rows.append(DRAFTS.cancel_row(context, draft))
    await say(update, context, "meetings.new_ask_repeat", keyboard(rows))


@DRAFTS.asks_next
async def _next(update: Update, context: ForumContext, draft: Draft) -> None:
    """Ask for the first thing still missing, or show the preview."""
    if not draft.title:
        await ask_title(update, context)
    elif draft.starts_at is None:
        await ask_when(update, context)
    elif draft.minutes is None:
        await ask_length(update, context)
    elif not (draft.place or draft.link):
        await ask_where(update, context)
    elif draft.audience is None:
        await ask_audience(update, context)
    elif not draft.notes:
        await ask_notes(update, context)
    elif not draft.repeat:
        await ask_repeat(update, context)
    else:
        await show_preview(update, context)


def _as_meeting(draft: Draft) -> Meeting:
    """The draft as a meeting, to show it as members will see it."""
    assert draft.starts_at is not None and draft.minutes is not None
    assert draft.audience is not None
    return Meeting(
        id=0,
        title=draft.title,
        starts_at=draft.starts_at,
        duration_minutes=draft.minutes,
        place=draft.place,
        link=draft.link,
        audience_scope=draft.audience.scope,
        audience_place=draft.audience.place_id,
        notes=_notes(draft),
        state="scheduled",
        series_id=None,
    )


def _notes(draft: Draft) -> str:
    """The notes ('-' means none were given)."""
    return "" if draft.notes == "-" else draft.notes


async def show_preview(update: Update, context: ForumContext) -> None:
    """What the bot understood, who it goes to and how many, and confirm."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    if None in (draft.starts_at, draft.minutes, draft.audience) or not draft.repeat:
        await _next(update, context, draft)
        return
    services = context.services
    awaiting.expect(context, STEP_BUTTONS)
    assert draft.audience is not None
    count = await services.meetings.count(update.effective_user.id, draft.audience)
    messages = MeetingMessages(services.texts, services.settings.zone)
    details = messages.details(_as_meeting(draft))
    markup = DRAFTS.confirm_keyboard(
        context, draft, "meetings.button_confirm", "meetings.button_start_again"
    )
    await say(
        update,
        context,
        "meetings.new_preview",
        markup,
        details=Markup(details),
        audience=audience_words(services, draft.audience.label),
        repeat=messages.repeats(draft.repeat, draft.starts_at),
        count=number(count),
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """Every draft button; the draft id must match and the role is checked again."""
    press = await DRAFTS.pressed(update, context, "create meeting")
    if press is None:
        return
    draft, what, arg = press.draft, press.what, press.arg
    if what == "cancel":
        await DRAFTS.cancel_pressed(update, context)
    elif what == "len":
        minutes = press.number()
        if minutes not in LENGTHS:
            raise InvalidChoice
        await DRAFTS.save_and_continue(update, context, draft.with_changes(minutes=minutes))
    elif what in audience_picker.PRESSES:
        audience = await audience_picker.on_press(update, context, DRAFTS, press)
        if audience is not None:
            await DRAFTS.save_and_continue(update, context, draft.with_changes(audience=audience))
    elif what == "nonotes":
        await DRAFTS.save_and_continue(update, context, draft.with_changes(notes="-"))
    elif what == "rep" and arg in REPEATS:
        await DRAFTS.save_and_continue(update, context, draft.with_changes(repeat=arg))
    elif what == "again":
        DRAFTS.keep(context, Draft())
        await ask_title(update, context)
    elif what == "go":
        await _create(update, context, draft)
    else:
        raise InvalidChoice


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Store the meeting and send invitations; the draft is taken first so a double tap
    cannot make two meetings."""
    if not await DRAFTS.claim(update, context):
        return
    assert draft.starts_at is not None and draft.minutes is not None
    assert draft.audience is not None
    meeting = MeetingDraft(
        title=draft.title,
        starts_at=draft.starts_at,
        duration_minutes=draft.minutes,
        audience=draft.audience,
        place=draft.place,
        link=draft.link,
        notes=_notes(draft),
        repeat=None if draft.repeat == ONCE else draft.repeat,
    )
    try:
        created = await context.services.meetings.create(update.effective_user.id, meeting)
    except ServiceError as error:
        # Nothing was stored: keep the draft for another go (a refused time asked again).
        if error.reason.startswith("meetings.time"):
            draft = draft.with_changes(starts_at=None)
        await DRAFTS.give_back(update, context, draft, error.reason)
        return
    except BaseException:
        DRAFTS.keep(context, draft)
        raise
    awaiting.clear(context)
    await show_key(update, context, "meetings.new_created", None, count=number(created.invited))


def register(app: ForumApp) -> None:
    """Add /newmeeting, its steps and its buttons."""
    awaiting.define(STEP_TITLE, on_title, ask_title)
    awaiting.define(STEP_WHEN, on_when, ask_when)
    awaiting.define(STEP_LENGTH, on_length, ask_length)
    awaiting.define(STEP_WHERE, on_where, ask_where)
    awaiting.define(STEP_NOTES, on_notes, ask_notes)
    awaiting.define(STEP_BUTTONS, DRAFTS.on_buttons_text, DRAFTS.prompt)
    app.add_handler(CommandHandler("newmeeting", start, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
