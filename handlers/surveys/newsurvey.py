"""/newsurvey: a coordinator opens a survey from a file in config/surveys/: the file, the region
or hub when the file is for one, when it opens and closes, which decision-makers get the
results, then a preview as a member sees it (the consent screen and the first question, whose
buttons do nothing there) and Open.

The steps are a list (handlers/shared/conversation.py asks the first missing one, then the
preview); how each is asked and read is in handlers/surveys/newsurvey_steps.py. Bad input is
explained kindly and the step is asked again; the draft is kept.
"""

from __future__ import annotations

from functools import partial

from telegram import Update

from bot.services.errors import InvalidChoice, ServiceError
from bot.services.surveys import (
    OPEN,
    QUESTION,
    CloseTooFar,
    CloseTooSoon,
    Position,
    SurveyDraft,
    SurveyFileBroken,
    WrongAudience,
)
from bot.services.surveys.flow import count_left, next_question, section_of
from bot.services.times import TimeRefused
from handlers.group_chats.words import preview_line as group_preview_line
from handlers.retention import duration_words
from handlers.series.create import store_once_or_series
from handlers.shared.callbacks import encode
from handlers.shared.common import ForumContext, say, send, show_key
from handlers.shared.conversation import Change
from handlers.shared.drafts import Press
from handlers.shared.formatting import audience_words, number
from handlers.surveys.newsurvey_steps import (
    ACTION,
    DRAFTS,
    FILE,
    PLACE,
    READERS,
    REPEAT,
    TIMES,
    Draft,
    place_of,
    read_file,
)
from handlers.surveys.views import SurveyViews

PREVIEW = "pv"  # the `what` of every button in the preview: it does nothing
# The draft and its steps (tests and tools reach them here too).
__all__ = ["DRAFTS", "Draft", "register"]


# 6. The preview and opening it


def _preview_data(draft: Draft):
    """Callback data for the preview's member buttons: all the same harmless press."""

    def data(*_: object) -> str:
        return encode(ACTION, draft.id, PREVIEW)

    return data


async def show_preview(update: Update, context: ForumContext, draft: Draft) -> None:
    """The consent screen and first question as a member sees them, then the facts and Open."""
    assert draft.audience is not None and draft.closes_at is not None
    try:
        survey = await read_file(context, draft.file_key)
    except SurveyFileBroken as error:  # the file broke since it was chosen: choose again
        await say(update, context, "newsurvey.file_changed", error=error.detail)
        await DRAFTS.save_and_continue(update, context, draft.with_changes(file_key=""))
        return
    services = context.services
    texts = services.texts
    chat = update.effective_chat.id
    views = SurveyViews(texts, services.settings.zone, services.surveys.answers_kept)
    data = _preview_data(draft)
    await say(update, context, "newsurvey.preview_intro")
    await send(context, chat, *views.consent(0, survey.title, survey, data))
    first = next_question(survey, {}, None)
    if first is not None:
        position = Position.preview(
            survey,
            QUESTION,
            question=first,
            section=section_of(survey, first.id),
            number=1,
            about_total=count_left(survey, {}, None),  # as a member sees it at the start
        )
        await send(context, chat, *views.question(position, data))
    actor = update.effective_user.id
    count = await services.surveys.audience_size(actor, draft.audience)
    readers = texts.plain("newsurvey.readers_coordinators")
    if chosen := await READERS.chosen_names(update, context, draft):
        readers = texts.plain("newsurvey.readers_and", names=", ".join(chosen))
    markup = DRAFTS.confirm_keyboard(
        context, draft, "newsurvey.button_open", "newsurvey.button_start_again"
    )
    await say(
        update,
        context,
        "newsurvey.preview",
        markup,
        title=survey.title,
        file=survey.key,
        questions=len(survey.answerable),
        anonymity=texts.plain("newsurvey.anonymous" if survey.anonymous else "newsurvey.named"),
        audience=audience_words(services, draft.audience.label),
        count=number(count),
        groups=await group_preview_line(context, draft.audience),
        opens=views.when(draft.opens_at) if draft.opens_at else texts.plain("newsurvey.opens_now"),
        closes=views.when(draft.closes_at),
        readers=readers,
        repeat=REPEAT.words(context, draft),
        answers_kept=duration_words(texts, services.surveys.answers_kept),
    )


async def preview_press(update: Update, context: ForumContext, press: Press) -> None:
    """A member's button in the preview: it only shows how it looks."""
    return None


def _without_refused(draft: Draft, error: ServiceError) -> Draft:
    """The draft without the part that needs another go after a refusal."""
    if isinstance(error, CloseTooSoon | CloseTooFar | TimeRefused):
        return draft.with_changes(closes_at=None)
    if isinstance(error, SurveyFileBroken | WrongAudience):  # the file changed: pick again
        return draft.with_changes(file_key="", audience=None)
    if isinstance(error, InvalidChoice):
        return draft.with_changes(readers=(), readers_done=False)
    return draft


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Open the survey (now or at its time), once."""
    assert draft.audience is not None and draft.closes_at is not None
    service = context.services.surveys
    actor = update.effective_user.id
    wanted = draft.build(SurveyDraft)
    create = partial(service.create, actor, wanted)
    created = await store_once_or_series(
        update, context, DRAFTS, draft, _without_refused, wanted, create
    )
    if created is None:
        return
    when = SurveyViews(context.services.texts, context.services.settings.zone).when
    if created.state == OPEN:
        night = {}
        if reaches := service.reaches_at():  # at night the invitations wait for the morning
            night["reaches"] = when(reaches)
        await show_key(
            update,
            context,
            "newsurvey.created_now_night" if night else "newsurvey.created_now",
            None,
            title=created.title,
            count=number(created.invited),
            closes=when(created.closes_at),
            **night,
        )
        return
    count = await context.services.surveys.audience_size(actor, draft.audience)
    await show_key(
        update,
        context,
        "newsurvey.created_later",
        None,
        title=created.title,
        count=number(count),
        opens=when(created.opens_at),
        closes=when(created.closes_at),
    )


# The steps, in the order they are asked

DRAFTS.define(
    [
        FILE,
        PLACE,
        REPEAT.step,
        TIMES.opens,
        TIMES.closes,
        READERS.step,
    ],
    extra=[TIMES.opens_at, REPEAT.typed],
    preview=show_preview,
    finish=_create,
    fresh=Draft,
    presses={PREVIEW: preview_press},
    command="newsurvey",
    changes=[
        Change(
            "newsurvey.button_change_file",
            "xf",
            lambda d: d.with_changes(file_key="", title="", scope="", audience=None),
        ),
        Change(
            "newsurvey.button_change_place", "xa", lambda d: d.with_changes(audience=place_of(d))
        ),
        Change("series.button_change_repeat", "xp", REPEAT.cleared),
        Change("newsurvey.button_change_times", "xt", REPEAT.times_cleared(TIMES)),
        Change(
            "newsurvey.button_change_readers", "xr", lambda d: d.with_changes(readers_done=False)
        ),
    ],
)

register = DRAFTS.register  # /newsurvey, its steps and its buttons
