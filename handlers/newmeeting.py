"""/newmeeting: a coordinator sets up a meeting step by step, sees what the bot understood,
and confirms; the invitations then go out through the delivery engine.

Steps use handlers/awaiting.py, so the crisis net still answers at any step and "Carry on"
asks again. Bad input gets a kind message and another go; the draft is kept.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery import Audience
from bot.delivery.audience import EVERYONE, HUB, REGION
from bot.recurrence import RULES
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.meetings import (
    MAX_MINUTES,
    MAX_NOTES,
    MAX_PLACE,
    MAX_TITLE,
    MeetingDraft,
)
from bot.texts import Markup
from handlers import awaiting
from handlers.callbacks import decode, pattern
from handlers.common import (
    ForumApp,
    ForumContext,
    answer,
    button,
    keyboard,
    labelled,
    say,
    show_key,
)
from handlers.delivery_reports import audience_words, number
from handlers.meeting_messages import MeetingMessages
from storage.meetings import Meeting

ACTION = "nm"  # nm:<draft id>:<what>[:<arg>]
DRAFT = "meeting_draft"
STEP_TITLE, STEP_WHEN, STEP_LENGTH = "meeting_title", "meeting_when", "meeting_length"
STEP_WHERE, STEP_NOTES, STEP_BUTTONS = "meeting_where", "meeting_notes", "meeting_buttons"
LENGTHS = (60, 90, 120, 180)
ONCE = "once"
REPEATS = (ONCE, *RULES)
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_MINUTES = re.compile(r"^(\d{1,3})\s*(?:m|min|mins|minutes?)?$")
_HOURS = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\s*(?:h|hr|hrs|hours?)$")


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


def _draft(context: ForumContext) -> Draft | None:
    """The coordinator's draft, if any."""
    draft = context.user_data.get(DRAFT)
    return draft if isinstance(draft, Draft) else None


def _keep(context: ForumContext, draft: Draft) -> None:
    """Store the draft."""
    context.user_data[DRAFT] = draft


async def _current(update: Update, context: ForumContext) -> Draft | None:
    """The coordinator's draft; if it is gone (a restart, say), tell them and return None."""
    draft = _draft(context)
    if draft is None:
        await say(update, context, "meetings.new_stale")
    return draft


async def _save_and_continue(update: Update, context: ForumContext, draft: Draft) -> None:
    """Keep the changed draft and ask for the next thing it still needs."""
    _keep(context, draft)
    await _next(update, context, draft)


def _nm(context: ForumContext, key: str, draft: Draft, what: str, *more: object):
    """A draft button with its label from the catalogue."""
    return button(context, key, ACTION, draft.id, what, *more)


def _cancel_row(context: ForumContext, draft: Draft) -> list[InlineKeyboardButton]:
    """The Cancel button."""
    return [_nm(context, "meetings.button_cancel", draft, "cancel")]


async def start(update: Update, context: ForumContext) -> None:
    """/newmeeting: coordinators only; a fresh draft."""
    awaiting.clear(context)
    await context.services.roles.require_coordinator(update.effective_user.id, "create meeting")
    draft = Draft()
    _keep(context, draft)
    await ask_title(update, context)


async def ask_title(update: Update, context: ForumContext) -> None:
    """What is it called?"""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_TITLE)
    await say(update, context, "meetings.new_ask_title", keyboard([_cancel_row(context, draft)]))


async def on_title(update: Update, context: ForumContext, text: str) -> None:
    """Keep the title, then ask when."""
    draft = await _current(update, context)
    if draft is None:
        return
    title = " ".join(text.split())
    if not title or len(title) > MAX_TITLE:
        await say(update, context, "meetings.new_title_bad")
        return
    await _save_and_continue(update, context, draft.with_changes(title=title))


async def ask_when(update: Update, context: ForumContext) -> None:
    """When does it start?"""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_WHEN)
    await say(update, context, "meetings.new_ask_when", keyboard([_cancel_row(context, draft)]))


async def on_when(update: Update, context: ForumContext, text: str) -> None:
    """Read the date and time; explain what is wrong and ask again if it cannot be used."""
    draft = await _current(update, context)
    if draft is None:
        return
    try:
        starts_at = context.services.meetings.read_time(text)
    except ServiceError as error:
        await say(update, context, error.reason, keyboard([_cancel_row(context, draft)]))
        return
    draft = draft.with_changes(starts_at=starts_at)
    await _save_and_continue(update, context, draft)


async def ask_length(update: Update, context: ForumContext) -> None:
    """How long is it? Buttons for the usual lengths."""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_LENGTH)
    rows = [
        [_nm(context, f"meetings.button_{m}", draft, "len", m) for m in LENGTHS[:2]],
        [_nm(context, f"meetings.button_{m}", draft, "len", m) for m in LENGTHS[2:]],
        _cancel_row(context, draft),
    ]
    await say(update, context, "meetings.new_ask_length", keyboard(rows))


def read_minutes(text: str) -> int | None:
    """'90', '90 minutes', '2 hours', '1.5h' as minutes; None if not understood."""
    cleaned = " ".join(text.lower().split())
    match = _MINUTES.match(cleaned)
    if match:
        minutes = int(match.group(1))
    else:
        match = _HOURS.match(cleaned)
        if not match:
            return None
        minutes = round(float(match.group(1)) * 60)
    return minutes if 1 <= minutes <= MAX_MINUTES else None


async def on_length(update: Update, context: ForumContext, text: str) -> None:
    """A typed length."""
    draft = await _current(update, context)
    if draft is None:
        return
    minutes = read_minutes(text)
    if minutes is None:
        await say(update, context, "meetings.new_length_bad")
        await ask_length(update, context)
        return
    draft = draft.with_changes(minutes=minutes)
    await _save_and_continue(update, context, draft)


async def ask_where(update: Update, context: ForumContext) -> None:
    """Where is it?"""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_WHERE)
    await say(update, context, "meetings.new_ask_where", keyboard([_cancel_row(context, draft)]))


def split_where(text: str) -> tuple[str, str]:
    """An address and an online link from one message (either may be empty)."""
    match = _LINK.search(text)
    link = match.group(0) if match else ""
    rest = text if not match else text[: match.start()] + " " + text[match.end() :]
    place = " ".join(rest.split()).strip(" ,;-")
    for word in ("or online at", "or online", "online at", "online", "and"):
        if link and place.lower().endswith(word):
            place = place[: -len(word)].strip(" ,;-")
    return place, link


async def on_where(update: Update, context: ForumContext, text: str) -> None:
    """Keep the address and link."""
    draft = await _current(update, context)
    if draft is None:
        return
    place, link = split_where(text)
    if not (place or link) or len(place) > MAX_PLACE or len(link) > MAX_PLACE:
        await say(update, context, "meetings.new_where_bad")
        return
    draft = draft.with_changes(place=place, link=link)
    await _save_and_continue(update, context, draft)


async def ask_audience(update: Update, context: ForumContext) -> None:
    """Who is it for: the whole forum, a region or a hub."""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_BUTTONS)
    rows = [
        [_nm(context, "meetings.button_everyone", draft, "all")],
        [_nm(context, "meetings.button_region", draft, "regions")],
        [_nm(context, "meetings.button_hub", draft, "hubs")],
        _cancel_row(context, draft),
    ]
    await say(update, context, "meetings.new_ask_audience", keyboard(rows))


async def ask_notes(update: Update, context: ForumContext) -> None:
    """Anything people should know?"""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_NOTES)
    rows = [
        [_nm(context, "meetings.button_no_notes", draft, "nonotes")],
        _cancel_row(context, draft),
    ]
    await say(update, context, "meetings.new_ask_notes", keyboard(rows))


async def on_notes(update: Update, context: ForumContext, text: str) -> None:
    """Keep the notes and show the preview."""
    draft = await _current(update, context)
    if draft is None:
        return
    notes = text.strip()
    if len(notes) > MAX_NOTES:
        await say(update, context, "meetings.new_notes_bad")
        return
    draft = draft.with_changes(notes=notes or "-")
    await _save_and_continue(update, context, draft)


async def ask_repeat(update: Update, context: ForumContext) -> None:
    """Does it repeat?"""
    draft = await _current(update, context)
    if draft is None:
        return
    awaiting.expect(context, STEP_BUTTONS)
    rows = [[_nm(context, f"meetings.button_{rule}", draft, "rep", rule)] for rule in REPEATS]
    rows.append(_cancel_row(context, draft))
    await say(update, context, "meetings.new_ask_repeat", keyboard(rows))


async def on_buttons_text(update: Update, context: ForumContext, text: str) -> None:
    """Text where a button was expected."""
    await say(update, context, "meetings.new_use_buttons")
    await prompt(update, context)


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


async def prompt(update: Update, context: ForumContext) -> None:
    """Ask again for the step the coordinator is in (after a crisis reply, say)."""
    draft = await _current(update, context)
    if draft is None:
        return
    await _next(update, context, draft)


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
    draft = await _current(update, context)
    if draft is None:
        return
    if None in (draft.starts_at, draft.minutes, draft.audience) or not draft.repeat:
        await _next(update, context, draft)
        return
    services = context.services
    awaiting.expect(context, STEP_BUTTONS)
    assert draft.audience is not None
    count = await services.meetings.count(update.effective_user.id, draft.audience)
    details = MeetingMessages(services.texts, services.settings.zone).details(_as_meeting(draft))
    rows = [
        [_nm(context, "meetings.button_confirm", draft, "go")],
        [_nm(context, "meetings.button_start_again", draft, "again")],
        _cancel_row(context, draft),
    ]
    await say(
        update,
        context,
        "meetings.new_preview",
        keyboard(rows),
        details=Markup(details),
        audience=audience_words(services, draft.audience.label),
        repeat=services.texts.plain(f"meetings.repeat_{draft.repeat}"),
        count=number(count),
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """Every draft button; the draft id must match and the role is checked again."""
    await answer(update, context)
    callback = decode(update.callback_query.data, ACTION)
    draft_id, what = callback.arg(0), callback.arg(1)
    services = context.services
    await services.roles.require_coordinator(update.effective_user.id, "create meeting")
    draft = _draft(context)
    if draft is None or draft.id != draft_id:
        await show_key(update, context, "meetings.new_stale")
        return
    arg = callback.args[2] if len(callback.args) > 2 else ""
    forum = services.forum
    if what == "cancel":
        context.user_data.pop(DRAFT, None)
        awaiting.clear(context)
        await show_key(update, context, "meetings.new_cancelled")
    elif what == "len":
        minutes = callback.int_arg(2)
        if minutes not in LENGTHS:
            raise InvalidChoice
        await _save_and_continue(update, context, draft.with_changes(minutes=minutes))
    elif what == "all":
        await _set_audience(update, context, draft, Audience(EVERYONE))
    elif what == "regions":
        rows = [[labelled(r.name, ACTION, draft.id, "r", r.id)] for r in forum.regions]
        rows.append(_cancel_row(context, draft))
        await show_key(update, context, "meetings.new_pick_region", keyboard(rows))
    elif what == "hubs":
        rows = [
            [
                labelled(
                    services.texts.plain("broadcast.hub_in_region", hub=h.name, region=r.name),
                    ACTION,
                    draft.id,
                    "h",
                    h.id,
                )
            ]
            for r in forum.regions
            for h in r.hubs
        ]
        rows.append(_cancel_row(context, draft))
        await show_key(update, context, "meetings.new_pick_hub", keyboard(rows))
    elif what == "r" and forum.region(arg) is not None:
        await _set_audience(update, context, draft, Audience(REGION, arg))
    elif what == "h" and forum.hub(arg) is not None:
        await _set_audience(update, context, draft, Audience(HUB, arg))
    elif what == "nonotes":
        await _save_and_continue(update, context, draft.with_changes(notes="-"))
    elif what == "rep" and arg in REPEATS:
        await _save_and_continue(update, context, draft.with_changes(repeat=arg))
    elif what == "again":
        draft = Draft()
        _keep(context, draft)
        await ask_title(update, context)
    elif what == "go":
        await _create(update, context, draft)
    else:
        raise InvalidChoice


async def _set_audience(
    update: Update, context: ForumContext, draft: Draft, audience: Audience
) -> None:
    """Keep the audience and go on."""
    draft = draft.with_changes(audience=audience)
    await _save_and_continue(update, context, draft)


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Store the meeting and send invitations; the draft is taken first so a double tap
    cannot make two meetings."""
    if context.user_data.pop(DRAFT, None) is None:
        await show_key(update, context, "meetings.new_stale")
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
        _keep(context, draft)  # nothing was stored: keep the draft for another go
        await say(update, context, error.reason)
        if error.reason.startswith("meetings.time"):
            _keep(context, draft.with_changes(starts_at=None))
        await prompt(update, context)
        return
    except BaseException:
        _keep(context, draft)
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
    awaiting.define(STEP_BUTTONS, on_buttons_text, prompt)
    app.add_handler(CommandHandler("newmeeting", start, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
