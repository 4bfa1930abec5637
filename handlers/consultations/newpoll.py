"""/newpoll: a coordinator sets up a consultation (a quick question for members) step by step,
checks a preview, and sends it; it opens now or at a set time, through the delivery engine.

The steps are a list (handlers/shared/conversation.py asks the first missing one, then the preview).
Bad input is explained kindly and the step is asked again; the draft is kept.
"""

from __future__ import annotations

from functools import partial

from telegram import Update

from bot.services.consultations import OPEN, ConsultationDraft
from bot.services.consultations.errors import CloseTooFar, CloseTooSoon
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.times import TimeRefused
from handlers.consultations.answers import messages
from handlers.consultations.newpoll_steps import (
    DRAFTS,
    OWN_ANSWERS,
    READERS,
    REPEAT,
    STEP_BUTTONS,
    STEP_NOTE,
    STEP_QUESTION,
    TIMES,
    VISIBILITY,
    Draft,
    answer_lines,
    ask_note,
    own_answers,
    read_note,
    read_question,
    ready_set,
    ready_sets,
    use_note,
)
from handlers.group_chats.words import preview_line as group_preview_line
from handlers.series.create import store_once_or_series
from handlers.shared import audience_picker
from handlers.shared.common import ForumContext, say, show_key
from handlers.shared.conversation import Change, Step
from handlers.shared.formatting import audience_words, number

# The draft and its steps (tests and tools reach them here too).
__all__ = ["DRAFTS", "STEP_BUTTONS", "Draft", "register"]

# Check and send


async def show_preview(update: Update, context: ForumContext, draft: Draft) -> None:
    """What the bot understood, who it goes to and how many, and confirm."""
    assert draft.audience is not None and draft.closes_at is not None
    services = context.services
    texts = services.texts
    actor = update.effective_user.id
    count = await services.consultations.audience_size(actor, draft.audience)
    readers = texts.plain("newpoll.readers_coordinators")
    if chosen := await READERS.chosen_names(update, context, draft):
        readers = texts.plain("newpoll.readers_and", name=", ".join(chosen))
    when = messages(context).when
    opens = when(draft.opens_at) if draft.opens_at else texts.plain("newpoll.opens_now")
    markup = DRAFTS.confirm_keyboard(
        context, draft, "newpoll.button_send", "newpoll.button_start_again"
    )
    await say(
        update,
        context,
        "newpoll.preview",
        markup,
        question=draft.question,
        answers=answer_lines(context, draft.options),
        how=texts.plain("newpoll.preview_several" if draft.multiple else "newpoll.preview_one"),
        comment=texts.plain(
            "newpoll.preview_comment_yes" if draft.ask_comment else "newpoll.preview_comment_no"
        ),
        audience=audience_words(services, draft.audience.label),
        count=number(count),
        groups=await group_preview_line(context, draft.audience),
        opens=opens,
        closes=when(draft.closes_at),
        readers=readers,
        repeat=REPEAT.words(context, draft),
        visibility=texts.plain(f"newpoll.visibility_{draft.show_results}"),
        note=draft.note,
    )


def _without_refused(draft: Draft, error: ServiceError) -> Draft:
    """The draft without the part that needs another go after a refusal."""
    if isinstance(error, CloseTooSoon | CloseTooFar | TimeRefused):
        return draft.with_changes(closes_at=None)
    if isinstance(error, InvalidChoice):
        return draft.with_changes(readers=(), readers_done=False)
    return draft


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Store the consultation (it opens now or at its time), once."""
    assert draft.audience is not None and draft.closes_at is not None
    assert draft.multiple is not None and draft.ask_comment is not None
    consultation = draft.build(ConsultationDraft, member_note=draft.note)
    service = context.services.consultations
    actor = update.effective_user.id
    create = partial(service.create, actor, consultation)
    created = await store_once_or_series(
        update, context, DRAFTS, draft, _without_refused, consultation, create
    )
    if created is None:
        return
    when = messages(context).when
    values = {"closes": when(created.closes_at)}
    if created.state == OPEN:
        key = "newpoll.created_now"
        current = await service.current(actor)
        count = next((p.invited for p in current if p.consultation.id == created.id), 0)
        if reaches := service.reaches_at():  # at night the question waits for the morning
            key, values["reaches"] = "newpoll.created_now_night", when(reaches)
    else:
        key = "newpoll.created_later"
        count = await service.audience_size(actor, draft.audience)
        values["opens"] = when(created.opens_at)
    await show_key(update, context, key, None, count=number(count), **values)


# The steps, in the order they are asked

DRAFTS.define(
    [
        Step(
            missing=lambda d: not d.question,
            ask=DRAFTS.question("newpoll.ask_question"),
            awaits=STEP_QUESTION,
            read=read_question,
            refused=DRAFTS.only_cancel,
        ),
        Step(
            missing=lambda d: not (d.options_done or d.writing),
            ask=DRAFTS.question("newpoll.ask_answers", ready_sets),
            presses={"set": ready_set, "own": own_answers},
        ),
        OWN_ANSWERS,
        DRAFTS.choice(
            "newpoll.ask_multiple",
            "multi",
            [("newpoll.button_one", 0), ("newpoll.button_several", 1)],
            lambda d, value: d.with_changes(multiple=value == "1"),
            missing=lambda d: d.multiple is None,
        ),
        DRAFTS.choice(
            "newpoll.ask_comment",
            "cmt",
            [("newpoll.button_comment_yes", 1), ("newpoll.button_comment_no", 0)],
            lambda d, value: d.with_changes(ask_comment=value == "1"),
            missing=lambda d: d.ask_comment is None,
        ),
        audience_picker.step(DRAFTS),
        REPEAT.step,
        TIMES.opens,
        TIMES.closes,
        READERS.step,
        DRAFTS.choice(
            "newpoll.ask_visibility",
            "vis",
            [(f"newpoll.button_{v}", v) for v in VISIBILITY],
            lambda d, value: d.with_changes(show_results=value),
            missing=lambda d: not d.show_results,
        ),
        Step(
            missing=lambda d: not d.note,
            ask=ask_note,
            awaits=STEP_NOTE,
            read=read_note,
            again=True,
            presses={"usenote": use_note},
        ),
    ],
    extra=[TIMES.opens_at, REPEAT.typed],
    preview=show_preview,
    finish=_create,
    fresh=Draft,
    command="newpoll",
    changes=[
        Change("newpoll.button_change_question", "xq", lambda d: d.with_changes(question="")),
        Change(
            "newpoll.button_change_answers",
            "xo",
            lambda d: d.with_changes(options=(), writing=False, options_done=False),
        ),
        Change("newpoll.button_change_how", "xm", lambda d: d.with_changes(multiple=None)),
        Change("newpoll.button_change_comment", "xc", lambda d: d.with_changes(ask_comment=None)),
        Change("newpoll.button_change_who", "xa", lambda d: d.with_changes(audience=None)),
        Change("series.button_change_repeat", "xp", REPEAT.cleared),
        Change("newpoll.button_change_times", "xt", REPEAT.times_cleared(TIMES)),
        Change("newpoll.button_change_readers", "xr", lambda d: d.with_changes(readers_done=False)),
        Change("newpoll.button_change_visibility", "xv", lambda d: d.with_changes(show_results="")),
        Change("newpoll.button_change_note", "xn", lambda d: d.with_changes(note="")),
    ],
)

register = DRAFTS.register  # /newpoll, its steps and its buttons
