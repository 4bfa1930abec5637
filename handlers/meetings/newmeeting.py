"""/newmeeting: a coordinator sets up a meeting step by step, sees what the bot understood,
and confirms; the invitations then go out through the delivery engine.

The steps are a list (handlers/shared/conversation.py asks the first missing one, then the preview);
bad input gets a kind message and another go at the same step, and the draft is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from telegram import Update

from bot.delivery import Audience
from bot.recurrence import RULES
from bot.services.errors import ServiceError
from bot.services.meetings import (
    MAX_MINUTES,
    MAX_NOTES,
    MAX_PLACE,
    MAX_TITLE,
    Meeting,
    MeetingDraft,
    TimeRefused,
    read_length,
)
from bot.texts import Markup
from handlers.group_chats.words import preview_line as group_preview_line
from handlers.meetings import feedback
from handlers.meetings.messages import MeetingMessages
from handlers.shared import audience_picker
from handlers.shared.common import ForumContext, say, show_key
from handlers.shared.conversation import Change, Conversation, Refusal, Step
from handlers.shared.drafts import DraftFields, Press
from handlers.shared.formatting import audience_words, number

ACTION = "nm"  # nm:<draft id>:<what>[:<arg>]
STEP_TITLE, STEP_WHEN, STEP_LENGTH = "meeting_title", "meeting_when", "meeting_length"
STEP_WHERE, STEP_NOTES, STEP_BUTTONS = "meeting_where", "meeting_notes", "meeting_buttons"
LENGTHS = (60, 90, 120, 180)
ONCE = "once"
REPEATS = (ONCE, *RULES)
_LINK = re.compile(r"https?://\S+", re.IGNORECASE)
_LINK_END = ".,;:!?)'\""  # marks after a link that end the sentence, not the link


@dataclass(frozen=True)
class Draft(DraftFields):
    """A meeting being set up (times in UTC)."""

    title: str = ""
    starts_at: datetime | None = None
    minutes: int | None = None
    place: str = ""
    link: str = ""
    audience: Audience | None = None
    notes: str = ""
    repeat: str = ""  # "" not asked yet, "once", or a repeat rule
    feedback: str = ""  # "" not asked yet, "-" none, or a survey file for those who came
    feedback_title: str = ""  # that file's title, for the preview


DRAFTS: Conversation[Draft] = Conversation(
    ACTION,
    permission="create meeting",
    button_step=STEP_BUTTONS,
    key="meeting_draft",
    kind=Draft,
    texts="meetings.new_",
    buttons="meetings.button_",
)


# How each typed answer is read (a Refusal or ServiceError says why; the draft is kept)


async def read_title(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The title, spaces folded."""
    title = " ".join(text.split())
    if not title or len(title) > MAX_TITLE:
        raise Refusal("meetings.new_title_bad")
    return draft.with_changes(title=title)


async def read_when(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The date and time it starts."""
    return draft.with_changes(starts_at=context.services.meetings.read_time(text))


async def read_minutes(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """A typed length; one that cannot be used says why, with an example."""
    try:
        minutes = read_length(text)
    except ServiceError as error:
        raise Refusal(error.reason, hours=MAX_MINUTES // 60) from error
    return draft.with_changes(minutes=minutes)


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


async def read_where(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The address and link."""
    place, link = split_where(text)
    if not (place or link) or len(place) > MAX_PLACE or len(link) > MAX_PLACE:
        raise Refusal("meetings.new_where_bad")
    return draft.with_changes(place=place, link=link)


async def read_notes(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The notes ('-' when the coordinator typed none)."""
    notes = text.strip()
    if len(notes) > MAX_NOTES:
        raise Refusal("meetings.new_notes_bad")
    return draft.with_changes(notes=notes or "-")


async def no_notes(update: Update, context: ForumContext, press: Press) -> Draft:
    """No notes."""
    return press.draft.with_changes(notes="-")


# The preview and creating it


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


async def show_preview(update: Update, context: ForumContext, draft: Draft) -> None:
    """What the bot understood, who it goes to and how many, and confirm."""
    services = context.services
    assert draft.audience is not None
    count = await services.meetings.audience_size(update.effective_user.id, draft.audience)
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
        feedback=Markup(feedback.preview_line(services.texts, draft)),
        groups=await group_preview_line(context, draft.audience),
        count=number(count),
    )


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Store the meeting and send its invitations, once."""
    assert draft.starts_at is not None and draft.minutes is not None
    assert draft.audience is not None
    meeting = draft.build(
        MeetingDraft,
        duration_minutes=draft.minutes,
        notes=_notes(draft),
        repeat=None if draft.repeat == ONCE else draft.repeat,
        feedback=feedback.chosen_file(draft),
    )
    services, actor = context.services, update.effective_user.id
    created = await DRAFTS.store(
        update, context, draft, lambda: services.meetings.create(actor, meeting), _without_refused
    )
    if created is not None:
        await show_key(update, context, "meetings.new_created", None, count=number(created.invited))


def _without_refused(draft: Draft, error: ServiceError) -> Draft:
    """The draft for another go after a refusal: a refused time, or a feedback survey file
    that no longer reads or fits, is asked again."""
    if isinstance(error, feedback.REFUSED_FILE):
        return feedback.without_unfit(draft)
    return draft.with_changes(starts_at=None) if isinstance(error, TimeRefused) else draft


# The steps, in the order they are asked

DRAFTS.define(
    [
        Step(
            missing=lambda d: not d.title,
            ask=DRAFTS.question("meetings.new_ask_title"),
            awaits=STEP_TITLE,
            read=read_title,
        ),
        Step(
            missing=lambda d: d.starts_at is None,
            ask=DRAFTS.question("meetings.new_ask_when"),
            awaits=STEP_WHEN,
            read=read_when,
            refused=DRAFTS.only_cancel,
        ),
        DRAFTS.choice(
            "meetings.new_ask_length",
            "len",
            [(f"meetings.button_{m}", m) for m in LENGTHS],
            lambda d, minutes: d.with_changes(minutes=int(minutes)),
            per_row=2,
            missing=lambda d: d.minutes is None,
            awaits=STEP_LENGTH,
            read=read_minutes,
            again=True,
        ),
        Step(
            missing=lambda d: not (d.place or d.link),
            ask=DRAFTS.question("meetings.new_ask_where"),
            awaits=STEP_WHERE,
            read=read_where,
        ),
        audience_picker.step(DRAFTS),
        Step(
            missing=lambda d: not d.notes,
            ask=DRAFTS.question(
                "meetings.new_ask_notes",
                lambda c, d: [[DRAFTS.button(c, "meetings.button_no_notes", d, "nonotes")]],
            ),
            awaits=STEP_NOTES,
            read=read_notes,
            presses={"nonotes": no_notes},
        ),
        DRAFTS.choice(
            "meetings.new_ask_repeat",
            "rep",
            [(f"meetings.button_{rule}", rule) for rule in REPEATS],
            lambda d, rule: d.with_changes(repeat=rule),
            missing=lambda d: not d.repeat,
        ),
        feedback.feedback_step(DRAFTS),
    ],
    preview=show_preview,
    finish=_create,
    fresh=Draft,
    command="newmeeting",
    changes=[
        Change("meetings.button_change_title", "xt", lambda d: d.with_changes(title="")),
        Change("meetings.button_change_when", "xw", lambda d: d.with_changes(starts_at=None)),
        Change("meetings.button_change_length", "xl", lambda d: d.with_changes(minutes=None)),
        Change("meetings.button_change_where", "xp", lambda d: d.with_changes(place="", link="")),
        Change("meetings.button_change_who", "xa", lambda d: d.with_changes(audience=None)),
        Change("meetings.button_change_notes", "xn", lambda d: d.with_changes(notes="")),
        Change("meetings.button_change_repeat", "xr", lambda d: d.with_changes(repeat="")),
        Change("meeting_feedback.button_change", "xf", feedback.without_unfit),
    ],
)

register = DRAFTS.register  # /newmeeting, its steps and its buttons
