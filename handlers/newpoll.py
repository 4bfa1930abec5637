"""/newpoll: a coordinator sets up a consultation (a quick question for members) step by step,
checks a preview, and sends it; it opens now or at a set time, through the delivery engine.

The draft and its steps: see handlers/drafts.py. Bad input is explained kindly and the step is
asked again; the draft is kept.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.delivery import Audience
from bot.services.consultation_errors import CloseTooFar
from bot.services.consultation_rules import (
    MAX_OPTIONS,
    MIN_OPEN,
    MIN_OPTIONS,
    PollDraft,
    Reader,
    check_note,
    check_option,
    check_question,
)
from bot.services.errors import InvalidChoice, ServiceError
from bot.texts import Markup
from handlers import audience_picker, awaiting
from handlers.callbacks import pattern
from handlers.common import ForumApp, ForumContext, keyboard, labelled, say, show_key
from handlers.consultations import messages
from handlers.delivery_reports import audience_words, number
from handlers.drafts import DraftStore
from storage.consultations import AFTER_CLOSE, NEVER, OPEN, SHOW_RESULTS, WHILE_OPEN

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
class Draft:
    """A consultation being set up (times in UTC)."""

    id: str = field(default_factory=lambda: secrets.token_hex(4))
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

    def with_changes(self, **changes: object) -> Draft:
        """A copy with some fields changed (same draft id)."""
        return replace(self, **changes)  # type: ignore[arg-type]


DRAFTS = DraftStore(
    ACTION,
    key="poll_draft",
    kind=Draft,
    texts="newpoll.",
    buttons="newpoll.button_",
    clear_step_when_gone=True,
)


# 1. The question


async def start(update: Update, context: ForumContext) -> None:
    """/newpoll: coordinators only; a fresh draft."""
    awaiting.clear(context)
    await context.services.roles.require_coordinator(
        update.effective_user.id, "create consultation"
    )
    DRAFTS.keep(context, Draft())
    await ask_question(update, context)


async def ask_question(update: Update, context: ForumContext) -> None:
    """What would you like to ask?"""
    draft = await DRAFTS.ask(update, context, STEP_QUESTION)
    if draft is None:
        return
    await say(update, context, "newpoll.ask_question", DRAFTS.only_cancel(context, draft))


async def on_question(update: Update, context: ForumContext, text: str) -> None:
    """Keep the question, then ask for the answers."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    try:
        question = check_question(text)
    except ServiceError as error:
        await say(update, context, error.reason, DRAFTS.only_cancel(context, draft))
        return
    await DRAFTS.save_and_continue(update, context, draft.with_changes(question=question))


# 2. The answers


async def ask_answers(update: Update, context: ForumContext) -> None:
    """A ready set of answers, or write your own."""
    draft = await DRAFTS.ask(update, context, STEP_BUTTONS)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, key, draft, "set", name)] for name, key in READY_SET_BUTTONS.items()
    ]
    rows.append([DRAFTS.button(context, "newpoll.button_own", draft, "own")])
    rows.append(DRAFTS.cancel_row(context, draft))
    await say(update, context, "newpoll.ask_answers", keyboard(rows))


def _option_keyboard(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """That's all (once there are enough answers) and Cancel."""
    rows = []
    if len(draft.options) >= MIN_OPTIONS:
        rows.append([DRAFTS.button(context, "newpoll.button_thats_all", draft, "enough")])
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)


def _answer_lines(context: ForumContext, options: tuple[str, ...]) -> Markup:
    """The answers as a list, safe HTML."""
    texts = context.services.texts
    return Markup("\n".join(texts.get("newpoll.answer_line", answer=o) for o in options))


async def ask_option(update: Update, context: ForumContext) -> None:
    """The first or the next answer of the coordinator's own."""
    draft = await DRAFTS.ask(update, context, STEP_OPTION)
    if draft is None:
        return
    markup = _option_keyboard(context, draft)
    if not draft.options:
        await say(update, context, "newpoll.ask_first_answer", markup)
        return
    key = (
        "newpoll.ask_next_answer_done"
        if len(draft.options) >= MIN_OPTIONS
        else "newpoll.ask_next_answer"
    )
    await say(
        update,
        context,
        key,
        markup,
        count=len(draft.options),
        answers=_answer_lines(context, draft.options),
    )


async def on_option(update: Update, context: ForumContext, text: str) -> None:
    """Keep one answer; at the most answers a question can have, go on by itself."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    if draft.options_done or len(draft.options) >= MAX_OPTIONS:
        await _next(update, context, draft)
        return
    try:
        option = check_option(text, draft.options)
    except ServiceError as error:
        await say(update, context, error.reason, _option_keyboard(context, draft))
        return
    draft = draft.with_changes(options=(*draft.options, option))
    if len(draft.options) >= MAX_OPTIONS:
        await say(update, context, "newpoll.ten_answers")
        draft = draft.with_changes(options_done=True)
    await DRAFTS.save_and_continue(update, context, draft)


# 3 and 4. How people answer


async def ask_multiple(update: Update, context: ForumContext) -> None:
    """One answer or several?"""
    draft = await DRAFTS.ask(update, context, STEP_BUTTONS)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, "newpoll.button_one", draft, "multi", 0)],
        [DRAFTS.button(context, "newpoll.button_several", draft, "multi", 1)],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "newpoll.ask_multiple", keyboard(rows))


async def ask_comment(update: Update, context: ForumContext) -> None:
    """Ask members if they want to tell us more?"""
    draft = await DRAFTS.ask(update, context, STEP_BUTTONS)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, "newpoll.button_comment_yes", draft, "cmt", 1)],
        [DRAFTS.button(context, "newpoll.button_comment_no", draft, "cmt", 0)],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "newpoll.ask_comment", keyboard(rows))


# 5. Who is asked


async def ask_audience(update: Update, context: ForumContext) -> None:
    """The whole forum, a region or a hub."""
    await audience_picker.ask(update, context, DRAFTS, STEP_BUTTONS)


# 6. When it opens


async def ask_opens(update: Update, context: ForumContext) -> None:
    """Now, or at a set time?"""
    draft = await DRAFTS.ask(update, context, STEP_BUTTONS)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, "newpoll.button_now", draft, "now")],
        [DRAFTS.button(context, "newpoll.button_later", draft, "later")],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(update, context, "newpoll.ask_opens", keyboard(rows))


async def ask_opens_time(update: Update, context: ForumContext) -> None:
    """The typed opening time."""
    draft = await DRAFTS.ask(update, context, STEP_OPENS)
    if draft is None:
        return
    await say(update, context, "newpoll.ask_opens_time", DRAFTS.only_cancel(context, draft))


async def on_opens(update: Update, context: ForumContext, text: str) -> None:
    """Read the opening time; explain what is wrong and ask again if it cannot be used."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    service = context.services.consultations
    try:
        opens_at = service.read_time(text)
        # Room must be left to close it within the furthest closing time allowed.
        service.check_times(opens_at, opens_at + MIN_OPEN)
    except CloseTooFar:
        await say(update, context, "newpoll.opens_too_far", DRAFTS.only_cancel(context, draft))
        return
    except ServiceError as error:
        await say(update, context, error.reason, DRAFTS.only_cancel(context, draft))
        return
    draft = draft.with_changes(opens_chosen=True, opens_at=opens_at, closes_at=None)
    await DRAFTS.save_and_continue(update, context, draft)


# 7. When it closes


def _closes_keyboard(context: ForumContext, draft: Draft) -> InlineKeyboardMarkup:
    """Quick closing times and Cancel."""
    rows = [[DRAFTS.button(context, key, draft, "close", days)] for days, key in CLOSE_DAYS.items()]
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)


async def ask_closes(update: Update, context: ForumContext) -> None:
    """When does it close? Quick buttons, or a typed time."""
    draft = await DRAFTS.ask(update, context, STEP_CLOSES)
    if draft is None:
        return
    await say(update, context, "newpoll.ask_closes", _closes_keyboard(context, draft))


def days_after(start: datetime, days: int, zone) -> datetime:
    """5pm local time on the day ``days`` after ``start`` (local date), as UTC."""
    day = start.astimezone(zone).date() + timedelta(days=days)
    local = datetime(day.year, day.month, day.day, CLOSE_HOUR, tzinfo=zone)
    return local.astimezone(start.tzinfo)


async def _set_closes(update: Update, context: ForumContext, draft: Draft, closes_at) -> None:
    """Check the closing time against the opening; keep it and go on, or ask again."""
    try:
        context.services.consultations.check_times(draft.opens_at, closes_at)
    except ServiceError as error:
        await say(update, context, error.reason, _closes_keyboard(context, draft))
        return
    await DRAFTS.save_and_continue(update, context, draft.with_changes(closes_at=closes_at))


async def on_closes(update: Update, context: ForumContext, text: str) -> None:
    """A typed closing time."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    try:
        closes_at = context.services.consultations.read_time(text)
    except ServiceError as error:
        await say(update, context, error.reason, _closes_keyboard(context, draft))
        return
    await _set_closes(update, context, draft, closes_at)


# 8. Who gets the results


def _reader_name(context: ForumContext, reader: Reader) -> str:
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
        label = mark + _reader_name(context, reader)
        rows.append([labelled(label, ACTION, draft.id, "rd", reader.telegram_id)])
    rows.append(
        [
            DRAFTS.button(context, "newpoll.button_all", draft, "rdall"),
            DRAFTS.button(context, "newpoll.button_readers_done", draft, "rddone"),
        ]
    )
    rows.append(DRAFTS.cancel_row(context, draft))
    return keyboard(rows)


async def ask_readers(update: Update, context: ForumContext) -> None:
    """Which decision-makers get the results (coordinators always do)."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    readers = await context.services.consultations.decision_makers(update.effective_user.id)
    if not readers:
        await say(update, context, "newpoll.no_readers")
        await DRAFTS.save_and_continue(
            update, context, draft.with_changes(readers=(), readers_done=True)
        )
        return
    awaiting.expect(context, STEP_BUTTONS)
    await say(update, context, "newpoll.ask_readers", _readers_keyboard(context, draft, readers))


async def _pick_readers(
    update: Update, context: ForumContext, draft: Draft, what: str, reader_id: int | None
) -> None:
    """Toggle one decision-maker, choose all, or finish; ids are checked again."""
    readers = await context.services.consultations.decision_makers(update.effective_user.id)
    known = [reader.telegram_id for reader in readers]
    chosen = [r for r in draft.readers if r in known]
    if what == "rd":
        if reader_id not in known:
            raise InvalidChoice
        chosen = (
            [r for r in chosen if r != reader_id] if reader_id in chosen else [*chosen, reader_id]
        )
    elif what == "rdall":
        chosen = known
    draft = draft.with_changes(readers=tuple(r for r in known if r in chosen))
    if what == "rddone":
        await DRAFTS.save_and_continue(update, context, draft.with_changes(readers_done=True))
        return
    DRAFTS.keep(context, draft)
    await show_key(
        update, context, "newpoll.ask_readers", _readers_keyboard(context, draft, readers)
    )


# 9. What members see


async def ask_visibility(update: Update, context: ForumContext) -> None:
    """When members may see what people said."""
    draft = await DRAFTS.ask(update, context, STEP_BUTTONS)
    if draft is None:
        return
    rows = [[DRAFTS.button(context, f"newpoll.button_{v}", draft, "vis", v)] for v in VISIBILITY]
    rows.append(DRAFTS.cancel_row(context, draft))
    await say(update, context, "newpoll.ask_visibility", keyboard(rows))


# 10. The note members see


def _default_note(context: ForumContext, draft: Draft) -> str:
    """The suggested note: who reads the results, and that answers carry no names."""
    key = "newpoll.note_default_readers" if draft.readers else "newpoll.note_default"
    return context.services.texts.plain(key)


async def ask_note(update: Update, context: ForumContext) -> None:
    """Use the suggested note, or send your own."""
    draft = await DRAFTS.ask(update, context, STEP_NOTE)
    if draft is None:
        return
    rows = [
        [DRAFTS.button(context, "newpoll.button_use_note", draft, "usenote")],
        DRAFTS.cancel_row(context, draft),
    ]
    await say(
        update, context, "newpoll.ask_note", keyboard(rows), note=_default_note(context, draft)
    )


async def on_note(update: Update, context: ForumContext, text: str) -> None:
    """Keep the coordinator's own note, then show the preview."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    try:
        note = check_note(text)
    except ServiceError as error:
        await say(update, context, error.reason)
        await ask_note(update, context)
        return
    await DRAFTS.save_and_continue(update, context, draft.with_changes(note=note))


# Moving on


@DRAFTS.asks_next
async def _next(update: Update, context: ForumContext, draft: Draft) -> None:
    """Ask for the first thing still missing, or show the preview."""
    if not draft.question:
        await ask_question(update, context)
    elif not draft.options_done:
        await (ask_option if draft.writing else ask_answers)(update, context)
    elif draft.multiple is None:
        await ask_multiple(update, context)
    elif draft.ask_comment is None:
        await ask_comment(update, context)
    elif draft.audience is None:
        await ask_audience(update, context)
    elif not draft.opens_chosen:
        await ask_opens(update, context)
    elif draft.closes_at is None:
        await ask_closes(update, context)
    elif not draft.readers_done:
        await ask_readers(update, context)
    elif not draft.show_results:
        await ask_visibility(update, context)
    elif not draft.note:
        await ask_note(update, context)
    else:
        await show_preview(update, context)


# 11. Check and send


def _complete(draft: Draft) -> bool:
    """Everything the preview needs is there."""
    return (
        bool(draft.question and draft.options_done and draft.show_results and draft.note)
        and None not in (draft.multiple, draft.ask_comment, draft.audience, draft.closes_at)
        and draft.opens_chosen
        and draft.readers_done
    )


async def show_preview(update: Update, context: ForumContext) -> None:
    """What the bot understood, who it goes to and how many, and confirm."""
    draft = await DRAFTS.current(update, context)
    if draft is None:
        return
    if not _complete(draft):
        await _next(update, context, draft)
        return
    assert draft.audience is not None and draft.closes_at is not None
    services = context.services
    texts = services.texts
    actor = update.effective_user.id
    awaiting.expect(context, STEP_BUTTONS)
    count = await services.consultations.audience_size(actor, draft.audience)
    readers = texts.plain("newpoll.readers_coordinators")
    if draft.readers:
        names = {r.telegram_id: r for r in await services.consultations.decision_makers(actor)}
        chosen = [_reader_name(context, names[r]) for r in draft.readers if r in names]
        if chosen:
            readers = texts.plain("newpoll.readers_and", name=", ".join(chosen))
    opens = (
        messages(context).when(draft.opens_at)
        if draft.opens_at
        else texts.plain("newpoll.opens_now")
    )
    markup = DRAFTS.confirm_keyboard(
        context, draft, "newpoll.button_send", "newpoll.button_start_again"
    )
    await say(
        update,
        context,
        "newpoll.preview",
        markup,
        question=draft.question,
        answers=_answer_lines(context, draft.options),
        how=texts.plain("newpoll.preview_several" if draft.multiple else "newpoll.preview_one"),
        comment=texts.plain(
            "newpoll.preview_comment_yes" if draft.ask_comment else "newpoll.preview_comment_no"
        ),
        audience=audience_words(services, draft.audience.label),
        count=number(count),
        opens=opens,
        closes=messages(context).when(draft.closes_at),
        readers=readers,
        visibility=texts.plain(f"newpoll.visibility_{draft.show_results}"),
        note=draft.note,
    )


async def on_button(update: Update, context: ForumContext) -> None:
    """Every draft button; the draft id must match and the role is checked again."""
    press = await DRAFTS.pressed(update, context, "create consultation")
    if press is None:
        return
    draft, what, arg = press.draft, press.what, press.arg
    services = context.services
    if what == "cancel":
        await DRAFTS.cancel_pressed(update, context)
    elif what == "set" and arg in READY_SETS:
        options = tuple(services.texts.plain(key) for key in READY_SETS[arg])
        draft = draft.with_changes(options=options, writing=False, options_done=True)
        await DRAFTS.save_and_continue(update, context, draft)
    elif what == "own":
        draft = draft.with_changes(options=(), writing=True, options_done=False)
        await DRAFTS.save_and_continue(update, context, draft)
    elif what == "enough":
        if len(draft.options) < MIN_OPTIONS:
            await say(update, context, "polls.option_count")
            await ask_option(update, context)
            return
        await DRAFTS.save_and_continue(update, context, draft.with_changes(options_done=True))
    elif what == "multi" and arg in ("0", "1"):
        await DRAFTS.save_and_continue(update, context, draft.with_changes(multiple=arg == "1"))
    elif what == "cmt" and arg in ("0", "1"):
        await DRAFTS.save_and_continue(update, context, draft.with_changes(ask_comment=arg == "1"))
    elif what in audience_picker.PRESSES:
        audience = await audience_picker.on_press(update, context, DRAFTS, press)
        if audience is not None:
            await DRAFTS.save_and_continue(update, context, draft.with_changes(audience=audience))
    elif what == "now":
        draft = draft.with_changes(opens_chosen=True, opens_at=None, closes_at=None)
        await DRAFTS.save_and_continue(update, context, draft)
    elif what == "later":
        await ask_opens_time(update, context)
    elif what == "close":
        days = press.number()
        if days not in CLOSE_DAYS:
            raise InvalidChoice
        start_at = draft.opens_at or services.clock.now()
        await _set_closes(
            update, context, draft, days_after(start_at, days, services.settings.zone)
        )
    elif what in ("rd", "rdall", "rddone"):
        reader_id = press.number() if what == "rd" else None
        await _pick_readers(update, context, draft, what, reader_id)
    elif what == "vis" and arg in SHOW_RESULTS:
        await DRAFTS.save_and_continue(update, context, draft.with_changes(show_results=arg))
    elif what == "usenote":
        note = _default_note(context, draft)
        await DRAFTS.save_and_continue(update, context, draft.with_changes(note=note))
    elif what == "again":
        DRAFTS.keep(context, Draft())
        await ask_question(update, context)
    elif what == "go" and _complete(draft):
        await _create(update, context, draft)
    else:
        raise InvalidChoice


async def _create(update: Update, context: ForumContext, draft: Draft) -> None:
    """Store the consultation (it opens now or at its time); the draft is taken first so a
    double tap cannot make two."""
    if not await DRAFTS.claim(update, context):
        return
    assert draft.audience is not None and draft.closes_at is not None
    assert draft.multiple is not None and draft.ask_comment is not None
    poll = PollDraft(
        question=draft.question,
        options=draft.options,
        multiple=draft.multiple,
        ask_comment=draft.ask_comment,
        audience=draft.audience,
        closes_at=draft.closes_at,
        member_note=draft.note,
        opens_at=draft.opens_at,
        readers=draft.readers,
        show_results=draft.show_results,
    )
    service = context.services.consultations
    actor = update.effective_user.id
    try:
        created = await service.create(actor, poll)
    except ServiceError as error:
        # Nothing was stored: keep the draft, without the part that needs another go.
        if error.reason.startswith(("polls.close", "meetings.time")):
            draft = draft.with_changes(closes_at=None)
        elif isinstance(error, InvalidChoice):
            draft = draft.with_changes(readers=(), readers_done=False)
        await DRAFTS.give_back(update, context, draft, error.reason)
        return
    except BaseException:
        DRAFTS.keep(context, draft)
        raise
    awaiting.clear(context)
    closes = messages(context).when(created.closes_at)
    if created.state == OPEN:
        invited = next(
            (p.invited for p in await service.current(actor) if p.consultation.id == created.id),
            0,
        )
        await show_key(
            update, context, "newpoll.created_now", None, count=number(invited), closes=closes
        )
        return
    count = await service.audience_size(actor, draft.audience)
    await show_key(
        update,
        context,
        "newpoll.created_later",
        None,
        count=number(count),
        opens=messages(context).when(created.opens_at),
        closes=closes,
    )


def register(app: ForumApp) -> None:
    """Add /newpoll, its steps and its buttons."""
    awaiting.define(STEP_QUESTION, on_question, ask_question)
    awaiting.define(STEP_OPTION, on_option, ask_option)
    awaiting.define(STEP_OPENS, on_opens, ask_opens_time)
    awaiting.define(STEP_CLOSES, on_closes, ask_closes)
    awaiting.define(STEP_NOTE, on_note, ask_note)
    awaiting.define(STEP_BUTTONS, DRAFTS.on_buttons_text, DRAFTS.prompt)
    app.add_handler(CommandHandler("newpoll", start, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
