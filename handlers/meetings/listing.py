"""/meetings and the meeting buttons: answers (going, maybe, can't), calendar files, and the
list of upcoming meetings for members and, with answer counts, for coordinators."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.calendar import meeting_ics
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.meetings import CoordinatorMeeting, Meeting
from handlers.meetings import feedback
from handlers.meetings.attendance import report_button
from handlers.meetings.messages import ACTION, ANSWER_CODES, CALENDAR, MeetingMessages
from handlers.meetings.newmeeting import split_where
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import (
    Card,
    ForumApp,
    ForumContext,
    Listing,
    answer,
    coordinator_press,
    say,
    send,
    send_each,
    show,
    show_key,
)
from handlers.shared.keyboards import back_to_menu, button, keyboard, labelled

LIST_LIMIT = 5  # meetings shown one by one, each with its buttons
UPCOMING = Listing("meetings.coordinator_header", "meetings.coordinator_empty", 10)
RECENT = Listing("meetings.recent_header")
MANAGE = "mc"  # mc:<meeting id>:<t|p|x|xy|keep|s>
MARK = "ma"  # ma:<meeting id>:<open|save|member id[:1 came | :0 did not]>
EDITING = "meeting_editing"
STEP_NEW_TIME, STEP_NEW_PLACE = "meeting_new_time", "meeting_new_place"


def _messages(context: ForumContext) -> MeetingMessages:
    """The meeting renderer for this bot's texts and time zone."""
    return MeetingMessages(context.services.texts, context.services.settings.zone)


def _item(context: ForumContext, meeting: Meeting, answer_given: str | None) -> str:
    """One meeting's details with the member's answer."""
    messages = _messages(context)
    return f"{messages.details(meeting)}\n\n{messages.answer_words(answer_given)}"


async def meetings_command(update: Update, context: ForumContext) -> None:
    """/meetings: coordinators see counts; members see their meetings with their answers."""
    awaiting.clear(context)
    user_id = update.effective_user.id
    services = context.services
    is_coordinator = await services.roles.is_coordinator(user_id)
    if is_coordinator:
        await show_coordinator_list(update, context)
        await show_recent_list(update, context)
    if await services.members.get(user_id) is not None:
        await show_member_list(update, context, edit=False)
    elif not is_coordinator:
        await say(update, context, "errors.not_a_member")


async def show_member_list(update: Update, context: ForumContext, edit: bool = True) -> None:
    """The member's upcoming meetings, one message each with answer and calendar buttons."""
    services = context.services
    found = await services.meetings.for_member(update.effective_user.id)
    if not found:
        if edit:
            await show_key(update, context, "meetings.list_empty", back_to_menu(context))
        else:
            await say(update, context, "meetings.list_empty", back_to_menu(context))
        return
    header = services.texts.get("meetings.list_header")
    if edit:
        await show(update, context, header)
    else:
        await send(context, update.effective_chat.id, header)
    messages = _messages(context)
    for item in found[:LIST_LIMIT]:
        await send(
            context,
            update.effective_chat.id,
            _item(context, item.meeting, item.answer),
            messages.rsvp_buttons(item.meeting, calendar=True),
        )
    if len(found) > LIST_LIMIT:
        await say(update, context, "meetings.list_more")


async def show_coordinator_list(update: Update, context: ForumContext) -> None:
    """Upcoming meetings with going, maybe, can't and no-answer counts, each with buttons to
    change its time or place or cancel it."""
    services = context.services
    texts = services.texts
    messages = _messages(context)

    async def card(item: CoordinatorMeeting) -> Card:
        """The meeting with its answer counts and buttons."""
        counts = item.counts
        text = f"{messages.details(item.meeting)}\n\n" + texts.get(
            "meetings.coordinator_counts",
            going=counts.going,
            maybe=counts.maybe,
            no=counts.no,
            silent=counts.no_answer,
        )
        meeting_id = item.meeting.id
        text += "\n" + await feedback.card_line(context, update.effective_user.id, item.meeting)
        markup = keyboard(
            [
                [
                    button(context, "meetings.button_change_time", MANAGE, meeting_id, "t"),
                    button(context, "meetings.button_change_place", MANAGE, meeting_id, "p"),
                ],
                [button(context, "meetings.button_cancel_meeting", MANAGE, meeting_id, "x")],
                [feedback.manage_button(context, meeting_id)],
            ]
        )
        if await services.meetings.repeats(item.meeting):
            markup = keyboard(
                [
                    *markup.inline_keyboard,
                    [button(context, "meetings.button_stop_repeating", MANAGE, meeting_id, "s")],
                ]
            )
        return text, markup

    listed = await services.meetings.upcoming(update.effective_user.id)
    await send_each(update, context, UPCOMING, listed, card)


async def show_recent_list(update: Update, context: ForumContext) -> None:
    """Meetings that started lately, each with a button to mark who came."""
    services = context.services
    messages = _messages(context)

    async def card(meeting: Meeting) -> Card:
        """The meeting, with its button."""
        markup = keyboard([[button(context, "meetings.button_mark", MARK, meeting.id, "open")]])
        return str(messages.details(meeting)), markup

    recent = await services.attendance.recent(update.effective_user.id)
    await send_each(update, context, RECENT, recent, card)


async def show_sheet(update: Update, context: ForumContext, meeting_id: int) -> None:
    """The attendance sheet: one button per person (tick for came), then Save."""
    services = context.services
    meeting, lines = await services.attendance.sheet(update.effective_user.id, meeting_id)
    if not lines:
        # Saving an empty sheet records that no one came (reports then say so).
        nobody = button(context, "attendance.button_nobody_came", MARK, meeting_id, "save")
        await show_key(
            update, context, "attendance.sheet_empty", keyboard([[nobody]]), title=meeting.title
        )
        return
    texts = services.texts
    rows = [
        [
            labelled(
                texts.plain(
                    "meetings.came_mark" if line.attended else "meetings.not_came_mark",
                    name=line.first_name,
                ),
                MARK,
                meeting_id,
                line.member_id,
                0 if line.attended else 1,  # what the press sets, so a replay sets it again
            )
        ]
        for line in lines
    ]
    rows.append([button(context, "meetings.button_save_attendance", MARK, meeting_id, "save")])
    await show_key(update, context, "meetings.sheet", keyboard(rows), title=meeting.title)


async def on_mark(update: Update, context: ForumContext) -> None:
    """Open the sheet, flip one person, or save (the role is checked in the service)."""
    await answer(update, context)
    callback = decode(update.callback_query.data, MARK)
    meeting_id, what = callback.int_arg(0), callback.arg(1)
    services = context.services
    user_id = update.effective_user.id
    if what == "open":
        await show_sheet(update, context, meeting_id)
    elif what == "save":
        came = await services.attendance.save_attendance(user_id, meeting_id)
        note = await services.feedback.after_marking(user_id, meeting_id)  # it may open now
        saved = services.texts.get("meetings.attendance_saved", count=came)
        told = feedback.note_text(services.texts, services.settings.zone, note)
        await show(
            update,
            context,
            f"{saved}\n\n{told}" if told else saved,
            keyboard([[report_button(context, meeting_id)]]),
        )
    else:
        came = bool(callback.int_arg(2)) if len(callback.args) > 2 else None
        await services.attendance.toggle_attended(user_id, meeting_id, callback.int_arg(1), came)
        await show_sheet(update, context, meeting_id)


async def on_manage(update: Update, context: ForumContext) -> None:
    """A coordinator's change or cancel button (the role is checked again in the service)."""
    callback = await coordinator_press(update, context, MANAGE, "change meeting")
    meeting_id, what = callback.int_arg(0), callback.arg(1)
    services = context.services
    user_id = update.effective_user.id
    if what == "x":
        markup = keyboard(
            [
                [button(context, "meetings.button_yes_cancel", MANAGE, meeting_id, "xy")],
                [button(context, "meetings.button_keep", MANAGE, meeting_id, "keep")],
            ]
        )
        await say(update, context, "meetings.cancel_confirm", markup)
    elif what == "xy":
        told = await services.meetings.cancel(user_id, meeting_id)
        await show_key(update, context, "meetings.cancelled_done", None, count=told)
    elif what == "s":
        await services.meetings.stop_repeating(user_id, meeting_id)
        await show_key(update, context, "meetings.stopped_repeating")
    elif what == "keep":
        await show_key(update, context, "meetings.kept")
    elif what in ("t", "p"):
        context.user_data[EDITING] = meeting_id
        step = STEP_NEW_TIME if what == "t" else STEP_NEW_PLACE
        awaiting.expect(context, step)
        await _ask_edit(update, context, step)
    else:
        raise InvalidChoice


async def _ask_edit(update: Update, context: ForumContext, step: str) -> None:
    """Ask for the new time or place."""
    key = "meetings.ask_new_time" if step == STEP_NEW_TIME else "meetings.ask_new_place"
    await say(update, context, key)


async def ask_new_time(update: Update, context: ForumContext) -> None:
    """Ask again for the new time."""
    await _ask_edit(update, context, STEP_NEW_TIME)


async def ask_new_place(update: Update, context: ForumContext) -> None:
    """Ask again for the new place."""
    await _ask_edit(update, context, STEP_NEW_PLACE)


async def _editing(update: Update, context: ForumContext) -> int | None:
    """The meeting being changed; None (and said so) when it is gone (a restart, say)."""
    meeting_id = context.user_data.get(EDITING)
    if isinstance(meeting_id, int):
        return meeting_id
    awaiting.clear(context)
    await say(update, context, "errors.stale_choice")
    return None


async def _change(update: Update, context: ForumContext, meeting_id: int, **change) -> None:
    """Make the change (going/maybe are told), end the step and say it is done."""
    await context.services.meetings.change(update.effective_user.id, meeting_id, **change)
    _done_editing(context)
    await say(update, context, "meetings.changed_done")


async def on_new_time(update: Update, context: ForumContext, text: str) -> None:
    """Move the meeting: reminders move and going/maybe are told; bad times get another go."""
    meeting_id = await _editing(update, context)
    if meeting_id is None:
        return
    try:
        starts_at = context.services.meetings.read_time(text)
    except ServiceError as error:
        await say(update, context, error.reason)
        return
    await _change(update, context, meeting_id, starts_at=starts_at)


async def on_new_place(update: Update, context: ForumContext, text: str) -> None:
    """Change where the meeting is; going/maybe are told."""
    meeting_id = await _editing(update, context)
    if meeting_id is None:
        return
    place, link = split_where(text)
    if not (place or link):
        await say(update, context, "meetings.new_where_bad")
        return
    await _change(update, context, meeting_id, place=place, link=link)


def _done_editing(context: ForumContext) -> None:
    """Forget the meeting being edited."""
    context.user_data.pop(EDITING, None)
    awaiting.clear(context)


async def on_button(update: Update, context: ForumContext) -> None:
    """An answer button (saved, and the message shows it) or the calendar button."""
    callback = decode(update.callback_query.data, ACTION)
    meeting_id, what = callback.int_arg(0), callback.arg(1)
    services = context.services
    user_id = update.effective_user.id
    if what == CALENDAR:
        await answer(update, context)
        await send_calendar(update, context, meeting_id)
        return
    if what not in ANSWER_CODES:
        raise InvalidChoice
    chosen = ANSWER_CODES[what]
    meeting = await services.meetings.rsvp(user_id, meeting_id, chosen)
    await answer(update, context, "meetings.answered")
    await show(
        update,
        context,
        _item(context, meeting, chosen),
        _messages(context).rsvp_buttons(meeting, calendar=True),
    )


async def send_calendar(update: Update, context: ForumContext, meeting_id: int) -> None:
    """Send the meeting as an .ics file in local time."""
    services = context.services
    item = await services.meetings.one_for_member(update.effective_user.id, meeting_id)
    data = meeting_ics(item.meeting, services.settings.zone)
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(data, filename=f"meeting-{meeting_id}.ics"),
        caption=services.texts.get("meetings.calendar_caption"),
    )


def register(app: ForumApp) -> None:
    """Add /meetings and the meeting buttons."""
    app.add_handler(CommandHandler("meetings", meetings_command, filters.ChatType.PRIVATE))
    awaiting.define(STEP_NEW_TIME, on_new_time, ask_new_time)
    awaiting.define(STEP_NEW_PLACE, on_new_place, ask_new_place)
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
    app.add_handler(CallbackQueryHandler(on_manage, pattern(MANAGE)))
    app.add_handler(CallbackQueryHandler(on_mark, pattern(MARK)))
