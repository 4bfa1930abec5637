"""/attendance: coordinators see who came to one past meeting, or a summary over a period with
a CSV file. The role is checked in the service; figures come already protected. The list of
reports is a button step (handlers/shared/awaiting.py) until one is shown."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.attendance import PERIODS
from bot.services.errors import InvalidChoice
from handlers.meetings.attendance_messages import AttendanceMessages
from handlers.shared import awaiting
from handlers.shared.callbacks import decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, send
from handlers.shared.keyboards import button, keyboard, labelled

REPORT = "at"  # at:m:<meeting id> (one meeting) | at:p:<months> (a period)
MEETING, PERIOD = "m", "p"
STEP_PICK = "attendance_pick"


def _messages(context: ForumContext) -> AttendanceMessages:
    """The attendance renderer for this bot's texts, time zone and forum."""
    services = context.services
    return AttendanceMessages(services.texts, services.settings.zone, services.forum)


def report_button(context: ForumContext, meeting_id: int):
    """A button that opens one meeting's attendance report (used by /meetings too)."""
    return button(context, "attendance.button_report", REPORT, MEETING, meeting_id)


async def attendance_command(update: Update, context: ForumContext) -> None:
    """/attendance: period buttons, then the latest meetings held, one button each."""
    awaiting.clear(context)
    await ask_report(update, context)


async def ask_report(update: Update, context: ForumContext) -> None:
    """Which report? (as a new message; the service checks the role first)"""
    meetings = await context.services.attendance.meetings(update.effective_user.id)
    messages = _messages(context)
    rows = [[button(context, f"attendance.button_{m}", REPORT, PERIOD, m) for m in PERIODS]]
    rows += [
        [labelled(messages.meeting_button(meeting), REPORT, MEETING, meeting.id)]
        for meeting in meetings
    ]
    key = "attendance.intro" if meetings else "attendance.intro_none"
    awaiting.expect(context, STEP_PICK)
    await say(update, context, key, keyboard(rows))


async def on_report(update: Update, context: ForumContext) -> None:
    """A report button: the meeting's report, or the period's summary and its CSV file."""
    await answer(update, context)
    callback = decode(update.callback_query.data, REPORT)
    what, number = callback.arg(0), callback.int_arg(1)
    services = context.services
    user_id, chat_id = update.effective_user.id, update.effective_chat.id
    messages = _messages(context)
    awaiting.leave_button_step(context, STEP_PICK)
    if what == MEETING:
        report = await services.attendance.meeting_report(user_id, number)
        await send(context, chat_id, messages.meeting(report))
    elif what == PERIOD:
        summary = await services.attendance.period_report(user_id, number)
        await send(context, chat_id, messages.period(summary))
        await context.bot.send_document(
            chat_id,
            InputFile(messages.period_csv(summary), filename=messages.csv_filename(summary)),
            caption=services.texts.get("attendance.csv_caption"),
        )
    else:
        raise InvalidChoice


def register(app: ForumApp) -> None:
    """Add /attendance, its report step and its buttons."""
    awaiting.define_buttons(STEP_PICK, ask_report, "setup.use_buttons")
    app.add_handler(CommandHandler("attendance", attendance_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_report, pattern(REPORT)))
