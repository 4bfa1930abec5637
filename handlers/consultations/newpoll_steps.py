"""/newpoll's draft and how each of its steps is asked and read: the question, the answers (a
ready set or the coordinator's own), when it opens and closes, who gets the results, and the
note members see. The order, the preview and creating it: handlers/consultations/newpoll.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update

from bot.delivery import Audience
from bot.services.consultations import (
    AFTER_CLOSE,
    MAX_OPTIONS,
    MIN_OPEN,
    MIN_OPTIONS,
    NEVER,
    WHILE_OPEN,
    CloseTooFar,
    check_note,
    check_option,
    check_question,
)
from bot.services.errors import InvalidChoice
from bot.texts import Markup
from handlers.series.repeat_step import RepeatFields, RepeatStep
from handlers.shared.common import ForumContext, say
from handlers.shared.conversation import Conversation, Step
from handlers.shared.drafts import DraftFields, Press
from handlers.shared.keyboards import Row, keyboard
from handlers.shared.opening import OpenClose, OpeningFields
from handlers.shared.readers_picker import ReaderFields, ReadersPicker

ACTION = "np"  # np:<draft id>:<what>[:<arg>]
STEP_QUESTION, STEP_OPTION = "newpoll_question", "newpoll_option"
STEP_OPENS, STEP_CLOSES = "newpoll_opens", "newpoll_closes"
STEP_NOTE, STEP_BUTTONS = "newpoll_note", "newpoll_buttons"
STEP_RULE = "newpoll_repeat_rule"  # a typed repeat rule (handlers/series/repeat_step.py)
READY_SETS = {
    "yn": ("newpoll.set_yes", "newpoll.set_no", "newpoll.set_not_sure"),
    "agree": (
        "newpoll.set_strongly_agree",
        "newpoll.set_agree",
        "newpoll.set_neither",
        "newpoll.set_disagree",
        "newpoll.set_strongly_disagree",
    ),
}
READY_SET_BUTTONS = {"yn": "newpoll.button_yes_no", "agree": "newpoll.button_agree"}
VISIBILITY = (AFTER_CLOSE, WHILE_OPEN, NEVER)


@dataclass(frozen=True)
class Draft(DraftFields, OpeningFields, ReaderFields, RepeatFields):
    """A consultation being set up (times in UTC)."""

    question: str = ""
    options: tuple[str, ...] = ()
    writing: bool = False  # the coordinator is sending their own answers
    options_done: bool = False
    multiple: bool | None = None
    ask_comment: bool | None = None
    audience: Audience | None = None
    show_results: str = ""
    note: str = ""


DRAFTS: Conversation[Draft] = Conversation(
    ACTION,
    permission="create consultation",
    button_step=STEP_BUTTONS,
    key="consultation_draft",
    kind=Draft,
    texts="newpoll.",
    buttons="newpoll.button_",
    clear_step_when_gone=True,
)


async def read_question(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The question."""
    return draft.with_changes(question=check_question(text))


# The answers: a ready set, or the coordinator's own one by one


def ready_sets(context: ForumContext, draft: Draft) -> list[Row]:
    """A button per ready set of answers, then "write your own"."""
    rows = [
        [DRAFTS.button(context, key, draft, "set", name)] for name, key in READY_SET_BUTTONS.items()
    ]
    return [*rows, [DRAFTS.button(context, "newpoll.button_own", draft, "own")]]


async def ready_set(update: Update, context: ForumContext, press: Press) -> Draft:
    """A ready set of answers."""
    if press.arg not in READY_SETS:
        raise InvalidChoice
    options = tuple(context.services.texts.plain(key) for key in READY_SETS[press.arg])
    return press.draft.with_changes(options=options, writing=False, options_done=True)


async def own_answers(update: Update, context: ForumContext, press: Press) -> Draft:
    """The coordinator writes their own answers."""
    return press.draft.with_changes(options=(), writing=True, options_done=False)


def option_keyboard(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """That's all (once there are enough answers) and Cancel."""
    rows = []
    if len(draft.options) >= MIN_OPTIONS:
        rows.append([DRAFTS.button(context, "newpoll.button_thats_all", draft, "enough")])
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)


def answer_lines(context: ForumContext, options: tuple[str, ...]) -> Markup:
    """The answers as a list, safe HTML."""
    texts = context.services.texts
    return Markup("\n".join(texts.get("newpoll.answer_line", answer=o) for o in options))


async def ask_option(update: Update, context: ForumContext, draft: Draft) -> None:
    """The first or the next answer of the coordinator's own."""
    markup = option_keyboard(context, draft)
    if not draft.options:
        await say(update, context, "newpoll.ask_first_answer", markup)
        return
    enough = len(draft.options) >= MIN_OPTIONS
    key = "newpoll.ask_next_answer_done" if enough else "newpoll.ask_next_answer"
    answers = answer_lines(context, draft.options)
    await say(update, context, key, markup, count=len(draft.options), answers=answers)


async def read_option(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """Keep one answer; at the most answers a question can have, go on by itself."""
    if draft.options_done or len(draft.options) >= MAX_OPTIONS:
        return draft
    draft = draft.with_changes(options=(*draft.options, check_option(text, draft.options)))
    if len(draft.options) >= MAX_OPTIONS:
        await say(update, context, "newpoll.ten_answers")
        draft = draft.with_changes(options_done=True)
    return draft


async def enough_answers(update: Update, context: ForumContext, press: Press) -> Draft | None:
    """That's all: on to how people answer, once there are enough answers."""
    if len(press.draft.options) < MIN_OPTIONS:
        await say(update, context, "polls.option_count")
        await DRAFTS.ask_step(update, context, press.draft, OWN_ANSWERS)
        return None
    return press.draft.with_changes(options_done=True)


OWN_ANSWERS = Step(
    missing=lambda d: not d.options_done,
    ask=ask_option,
    awaits=STEP_OPTION,
    read=read_option,
    refused=option_keyboard,
    presses={"enough": enough_answers},
)


# When it opens and closes (handlers/shared/opening.py)

TIMES = OpenClose(
    DRAFTS,
    times=lambda context: context.services.consultations,
    min_open=MIN_OPEN,
    too_far=CloseTooFar,
    awaits_opens=STEP_OPENS,
    awaits_closes=STEP_CLOSES,
)
REPEAT = RepeatStep(DRAFTS, awaits=STEP_RULE)  # just once, or a series (before the times)


# Who gets the results (handlers/shared/readers_picker.py)

READERS = ReadersPicker(DRAFTS, service=lambda context: context.services.consultations)


# The note members see


def default_note(context: ForumContext, draft: Draft) -> str:
    """The suggested note: who reads the results, and that answers carry no names."""
    key = "newpoll.note_default_readers" if draft.readers else "newpoll.note_default"
    return context.services.texts.plain(key)


async def ask_note(update: Update, context: ForumContext, draft: Draft) -> None:
    """Use the suggested note, or send your own."""
    rows = [
        [DRAFTS.button(context, "newpoll.button_use_note", draft, "usenote")],
        DRAFTS.cancel_row(context, draft),
    ]
    note = default_note(context, draft)
    await say(update, context, "newpoll.ask_note", keyboard(rows), note=note)


async def read_note(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The coordinator's own note."""
    return draft.with_changes(note=check_note(text))


async def use_note(update: Update, context: ForumContext, press: Press) -> Draft:
    """The suggested note."""
    return press.draft.with_changes(note=default_note(context, press.draft))
