"""Meetings' feedback surveys in Telegram: /newmeeting's step "Send a short feedback survey to
those who came?" and its line in the preview, what a coordinator is told after saving who came,
turning it on or off from /meetings, and the survey's name (the renderer the service uses)."""

from __future__ import annotations

from typing import Any, Protocol
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.delivery import Audience
from bot.localtime import local_date, local_when
from bot.services.errors import InvalidChoice
from bot.services.feedback import BROKEN, FeedbackFileGone, FeedbackFileUnfit, FeedbackNote
from bot.services.meetings import Meeting
from bot.texts import Texts
from handlers.shared.callbacks import pattern
from handlers.shared.common import ForumApp, ForumContext, coordinator_press, say, show_key
from handlers.shared.conversation import Conversation, Step
from handlers.shared.drafts import Press
from handlers.shared.keyboards import button, keyboard, labelled

NONE = "-"  # the draft's and the buttons' "no feedback survey"; "" in a draft: not asked yet
WHAT = "fb"  # nm:<draft id>:fb:<file key | ->
MANAGE = "mf"  # mf:<meeting id>[:<file key | ->]


class FeedbackTitles:
    """Names a feedback survey after its file and its meeting, from the catalogue."""

    def __init__(self, texts: Texts, zone: ZoneInfo) -> None:
        self._texts = texts
        self._zone = zone

    def survey_title(self, title: str, meeting: Meeting) -> str:
        """Like 'How was the meeting? (North West hub meeting, Thursday 10 December 2026)'."""
        return self._texts.plain(
            "meeting_feedback.survey_title",
            title=title,
            meeting=meeting.title,
            day=local_date(meeting.starts_at, self._zone),
        )


class FeedbackDraft(Protocol):
    """The fields of /newmeeting's draft this step reads and fills."""

    id: str
    audience: Audience | None
    feedback: str
    feedback_title: str

    def with_changes(self, **changes: object) -> Any:
        """The draft with some fields changed."""
        ...


def feedback_step(drafts: Conversation[Any]) -> Step[Any]:
    """The step before the preview: the survey files that fit the meeting, each a button,
    and "No feedback survey". With no file to offer it is not asked (none is chosen)."""

    async def ask(update: Update, context: ForumContext, draft: FeedbackDraft) -> None:
        """The files, one button each, then No feedback survey."""
        assert draft.audience is not None
        files = await context.services.feedback.choices(draft.audience)
        if not files:
            await drafts.save_and_continue(update, context, draft.with_changes(feedback=NONE))
            return
        plain = context.services.texts.plain
        # "No feedback survey", the default, first; then each file.
        rows = [[drafts.button(context, "meeting_feedback.button_none", draft, WHAT, NONE)]]
        rows += [
            [
                labelled(
                    plain("meeting_feedback.button_file", title=file.title),
                    drafts.action,
                    draft.id,
                    WHAT,
                    file.key,
                )
            ]
            for file in files
        ]
        await say(
            update,
            context,
            "meeting_feedback.ask",
            keyboard([*rows, drafts.cancel_row(context, draft)]),
        )

    async def chosen(update: Update, context: ForumContext, press: Press) -> Any:
        """A file (read and checked again now) or none."""
        draft: FeedbackDraft = press.draft
        if press.arg == NONE:
            return draft.with_changes(feedback=NONE, feedback_title="")
        assert draft.audience is not None
        files = await context.services.feedback.choices(draft.audience)
        found = next((file for file in files if file.key == press.arg), None)
        if found is None:
            await say(update, context, FeedbackFileGone.reason)
            await drafts.ask_step(update, context, draft, step)
            return None
        return draft.with_changes(feedback=found.key, feedback_title=found.title)

    step: Step[Any] = Step(missing=lambda d: not d.feedback, ask=ask, presses={WHAT: chosen})
    return step


def chosen_file(draft: FeedbackDraft) -> str | None:
    """The file the meeting will send, or None."""
    return None if draft.feedback in ("", NONE) else draft.feedback


def without_unfit(draft: FeedbackDraft) -> Any:
    """The draft after the service refused its file: the feedback step is asked again."""
    return draft.with_changes(feedback="", feedback_title="")


REFUSED_FILE = (FeedbackFileGone, FeedbackFileUnfit)


def preview_line(texts: Texts, draft: FeedbackDraft) -> str:
    """The preview's line about the feedback survey."""
    if chosen_file(draft) is None:
        return texts.get("meeting_feedback.preview_off")
    return texts.get("meeting_feedback.preview_on", title=draft.feedback_title)


def note_text(texts: Texts, zone: ZoneInfo, note: FeedbackNote | None) -> str:
    """What a coordinator who saved who came is told about the feedback survey ('' for a
    meeting that sends none)."""
    if note is None:
        return ""
    if note.kind == BROKEN or note.at is None:
        return texts.get(f"meeting_feedback.{note.kind}")
    return texts.get(
        f"meeting_feedback.{note.kind}",
        count=note.count,
        when=local_when(note.at, zone, texts),
    )


# /meetings: turning it on or off for a meeting not yet ended


def manage_button(context: ForumContext, meeting_id: int):
    """The coordinator card's "Feedback survey" button."""
    return button(context, "meeting_feedback.button_manage", MANAGE, meeting_id)


async def card_line(context: ForumContext, actor_id: int, meeting: Meeting) -> str:
    """The coordinator card's line: which feedback survey goes, or none."""
    services = context.services
    texts = services.texts
    key = await services.feedback.chosen(actor_id, meeting.id)
    if key is None:
        return texts.get("meeting_feedback.card_off")
    title = await services.feedback.title_of(key)
    return texts.get("meeting_feedback.card_on", title=title or key)


async def on_manage(update: Update, context: ForumContext) -> None:
    """The list of files for one meeting, or a file (or none) chosen; checked in the service."""
    callback = await coordinator_press(update, context, MANAGE, "change meeting")
    meeting_id = callback.int_arg(0)
    services = context.services
    user_id = update.effective_user.id
    if len(callback.args) < 2:
        files = await services.feedback.options(user_id, meeting_id)
        rows = [[button(context, "meeting_feedback.button_none", MANAGE, meeting_id, NONE)]]
        rows += [
            [
                labelled(
                    services.texts.plain("meeting_feedback.button_file", title=file.title),
                    MANAGE,
                    meeting_id,
                    file.key,
                )
            ]
            for file in files
        ]
        await say(update, context, "meeting_feedback.ask_manage", keyboard(rows))
        return
    chosen = callback.arg(1)
    if chosen != NONE and not chosen:
        raise InvalidChoice
    try:
        await services.feedback.choose(user_id, meeting_id, None if chosen == NONE else chosen)
    except InvalidChoice:
        await show_key(update, context, "meeting_feedback.not_changeable")
        return
    if chosen == NONE:
        await show_key(update, context, "meeting_feedback.chosen_off")
        return
    title = await services.feedback.title_of(chosen)
    await show_key(update, context, "meeting_feedback.chosen_on", title=title or chosen)


def register(app: ForumApp) -> None:
    """Add the /meetings "Feedback survey" buttons."""
    app.add_handler(CallbackQueryHandler(on_manage, pattern(MANAGE)))
