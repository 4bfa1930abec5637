"""/newpoll's draft and how each of its steps is asked and read: the question, the answers (a
ready set or the coordinator's own), when it opens and closes, who gets the results, and the
note members see. The order, the preview and creating it: handlers/consultations/newpoll.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
    Reader,
    check_note,
    check_option,
    check_question,
)
from bot.services.errors import InvalidChoice, ServiceError
from bot.texts import Markup
from handlers.shared.common import ForumContext, Row, keyboard, labelled, say, show_key
from handlers.shared.conversation import Conversation, Refusal, Step
from handlers.shared.drafts import DraftFields, Press

ACTION = "np"  # np:<draft id>:<what>[:<arg>]
STEP_QUESTION, STEP_OPTION = "newpoll_question", "newpoll_option"
STEP_OPENS, STEP_CLOSES = "newpoll_opens", "newpoll_closes"
STEP_NOTE, STEP_BUTTONS = "newpoll_note", "newpoll_buttons"
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
CLOSE_DAYS = {3: "newpoll.button_3_days", 7: "newpoll.button_1_week", 14: "newpoll.button_2_weeks"}
CLOSE_HOUR = 17  # quick closing buttons close at 5pm local time
VISIBILITY = (AFTER_CLOSE, WHILE_OPEN, NEVER)
CHOSEN_MARK = "✅ "


@dataclass(frozen=True)
class Draft(DraftFields):
    """A consultation being set up (times in UTC)."""

    question: str = ""
    options: tuple[str, ...] = ()
    writing: bool = False  # the coordinator is sending their own answers
    options_done: bool = False
    multiple: bool | None = None
    ask_comment: bool | None = None
    audience: Audience | None = None
    opens_chosen: bool = False
    opens_at: datetime | None = None  # None: as soon as it is sent
    closes_at: datetime | None = None
    readers: tuple[int, ...] = ()
    readers_done: bool = False
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


# When it opens and closes


async def opens_now(update: Update, context: ForumContext, press: Press) -> Draft:
    """It opens as soon as it is sent."""
    return press.draft.with_changes(opens_chosen=True, opens_at=None, closes_at=None)


async def opens_later(update: Update, context: ForumContext, press: Press) -> None:
    """Ask for the opening time."""
    await DRAFTS.ask_step(update, context, press.draft, OPENS_AT)


async def read_opens(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """The opening time, with room left to close it within the furthest closing allowed."""
    service = context.services.consultations
    try:
        opens_at = service.read_time(text)
        service.check_times(opens_at, opens_at + MIN_OPEN)
    except CloseTooFar as error:
        raise Refusal("newpoll.opens_too_far") from error
    return draft.with_changes(opens_chosen=True, opens_at=opens_at, closes_at=None)


OPENS_AT = Step(
    ask=DRAFTS.question("newpoll.ask_opens_time"),
    awaits=STEP_OPENS,
    read=read_opens,
    refused=DRAFTS.only_cancel,
)


def quick_closes(context: ForumContext, draft: Draft) -> list[Row]:
    """Quick closing times."""
    return [[DRAFTS.button(context, key, draft, "close", days)] for days, key in CLOSE_DAYS.items()]


def closes_keyboard(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """Quick closing times and Cancel."""
    return keyboard([*quick_closes(context, draft), DRAFTS.cancel_row(context, draft)])


def days_after(start: datetime, days: int, zone) -> datetime:
    """5pm local time on the day ``days`` after ``start`` (local date), as UTC."""
    day = start.astimezone(zone).date() + timedelta(days=days)
    local = datetime(day.year, day.month, day.day, CLOSE_HOUR, tzinfo=zone)
    return local.astimezone(start.tzinfo)


def _closing(context: ForumContext, draft: Draft, closes_at: datetime) -> Draft:
    """The draft closing then (ServiceError if it cannot close then)."""
    context.services.consultations.check_times(draft.opens_at, closes_at)
    return draft.with_changes(closes_at=closes_at)


async def read_closes(update: Update, context: ForumContext, draft: Draft, text: str) -> Draft:
    """A typed closing time."""
    return _closing(context, draft, context.services.consultations.read_time(text))


async def quick_close(update: Update, context: ForumContext, press: Press) -> Draft | None:
    """A quick closing time: at 5pm some days after it opens."""
    days = press.number()
    if days not in CLOSE_DAYS:
        raise InvalidChoice
    services, draft = context.services, press.draft
    closes_at = days_after(draft.opens_at or services.clock.now(), days, services.settings.zone)
    try:
        return _closing(context, draft, closes_at)
    except ServiceError as error:
        await say(update, context, error.reason, closes_keyboard(context, draft))
        return None


# Who gets the results


def reader_name(context: ForumContext, reader: Reader) -> str:
    """A decision-maker's first name, or their id when they never joined."""
    if reader.first_name:
        return reader.first_name
    return context.services.texts.plain("newpoll.reader_unknown", user_id=reader.telegram_id)


def _readers_keyboard(
    context: ForumContext, draft: Draft, readers: list[Reader]
) -> InlineKeyboardMarkup:
    """One toggle per decision-maker, then All and Done, then Cancel."""
    rows = []
    for reader in readers:
        mark = CHOSEN_MARK if reader.telegram_id in draft.readers else ""
        label = mark + reader_name(context, reader)
        rows.append([labelled(label, ACTION, draft.id, "rd", reader.telegram_id)])
    rows.append(
        [
            DRAFTS.button(context, "newpoll.button_all", draft, "rdall"),
            DRAFTS.button(context, "newpoll.button_readers_done", draft, "rddone"),
        ]
    )
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)


async def ask_readers(update: Update, context: ForumContext, draft: Draft) -> None:
    """Which decision-makers get the results (coordinators always do)."""
    readers = await context.services.consultations.decision_makers(update.effective_user.id)
    if not readers:
        await say(update, context, "newpoll.no_readers")
        await DRAFTS.save_and_continue(
            update, context, draft.with_changes(readers=(), readers_done=True)
        )
        return
    await say(update, context, "newpoll.ask_readers", _readers_keyboard(context, draft, readers))


async def pick_readers(update: Update, context: ForumContext, press: Press) -> Draft | None:
    """Toggle one decision-maker, choose all, or finish; ids are checked again."""
    what, draft = press.what, press.draft
    readers = await context.services.consultations.decision_makers(update.effective_user.id)
    known = [reader.telegram_id for reader in readers]
    chosen = [r for r in draft.readers if r in known]
    if what == "rd":
        reader_id = press.number()
        if reader_id not in known:
            raise InvalidChoice
        chosen = (
            [r for r in chosen if r != reader_id] if reader_id in chosen else [*chosen, reader_id]
        )
    elif what == "rdall":
        chosen = known
    draft = draft.with_changes(readers=tuple(r for r in known if r in chosen))
    if what == "rddone":
        return draft.with_changes(readers_done=True)
    DRAFTS.keep(context, draft)
    await show_key(
        update, context, "newpoll.ask_readers", _readers_keyboard(context, draft, readers)
    )
    return None


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
