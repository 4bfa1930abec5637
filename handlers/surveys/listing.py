"""/surveys: a member's open surveys, to start or carry on where they left off; for
coordinators also the surveys running or planned, with counts, and buttons to close one early
or call it off (each asked first; the survey service checks the role, id and state again)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot.services.surveys import SCHEDULED, SurveyGone, SurveyRecord
from handlers.shared import awaiting, common
from handlers.shared.callbacks import pattern
from handlers.shared.common import (
    ForumApp,
    ForumContext,
    coordinator_press,
    say,
    send_each,
    show,
    show_key,
)
from handlers.shared.formatting import audience_words, number
from handlers.shared.keyboards import Row, button, keyboard, labelled, main_menu, with_help
from handlers.surveys.answering import views
from handlers.surveys.codes import MANAGE, START, read_manage

LIST_LIMIT = 10
BUTTON_ROOM = 40  # characters of a title shown on a button
ASK_CLOSE, CLOSE, ASK_CANCEL, CANCEL, KEEP = "c", "cy", "x", "xy", "k"
RUNNING = common.Listing(
    "surveyadmin.running_header",
    empty="surveyadmin.running_none",
    limit=LIST_LIMIT,
    more="surveyadmin.running_more",
)


def short(title: str, limit: int = BUTTON_ROOM) -> str:
    """A title cut to fit on a button."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


async def list_command(update: Update, context: ForumContext) -> None:
    """/surveys: what the member can answer now; for coordinators, what is running too."""
    awaiting.clear(context)
    services = context.services
    person = update.effective_user.id
    coordinator = await services.roles.is_coordinator(person)
    member = await services.members.get(person)
    if member is not None and member.setup_done:
        await show_open(update, context)
    elif not coordinator:  # not joined (or not finished joining): how to join
        await show_key(update, context, "surveys.list_join", main_menu(context, is_member=False))
    if coordinator:
        await show_running(update, context)


async def open_rows(context: ForumContext, member_id: int) -> list[Row]:
    """A button for each open survey the member has not finished (start or carry on); also
    listed under "Have your say"."""
    services = context.services
    zone = services.settings.zone
    surveys = await services.surveys.for_member(member_id)
    return [
        [
            labelled(
                services.texts.plain(
                    "surveys.list_item", title=short(s.title), closes=_day(s, zone)
                ),
                START,
                s.id,
            )
        ]
        for s in surveys[:LIST_LIMIT]
    ]


async def show_open(update: Update, context: ForumContext) -> None:
    """The member's open surveys they have not finished, one button each."""
    rows = await open_rows(context, update.effective_user.id)
    if not rows:
        await say(update, context, "surveys.list_none")
        return
    rows.append([button(context, "buttons.menu", "menu", "home")])
    await say(update, context, "surveys.list_intro", with_help(context, rows))


def _day(survey: SurveyRecord, zone) -> str:
    """Its closing day, short: '10 Dec'."""
    local = survey.closes_at.astimezone(zone)
    return f"{local.day} {local:%b}"


# Coordinators


async def show_running(update: Update, context: ForumContext) -> None:
    """One message per survey running or planned, with counts and its buttons."""
    running = await context.services.surveys.running(update.effective_user.id)

    async def card(survey: SurveyRecord) -> common.Card:
        """The survey's facts and its buttons."""
        return survey_card(context, survey)

    await send_each(update, context, RUNNING, running, card)


def survey_card(context: ForumContext, survey: SurveyRecord) -> common.Card:
    """A running or planned survey in words, with Close now (once open) and Call it off."""
    row = [button(context, "surveyadmin.button_cancel", MANAGE, survey.id, ASK_CANCEL)]
    if survey.state != SCHEDULED:  # nothing to close before it opens
        row.insert(0, button(context, "surveyadmin.button_close", MANAGE, survey.id, ASK_CLOSE))
    return describe(context, survey), keyboard([row])


def describe(context: ForumContext, survey: SurveyRecord) -> str:
    """A running or planned survey in words, with its counts."""
    services = context.services
    when = views(context).when
    key = "surveyadmin.item_scheduled" if survey.state == SCHEDULED else "surveyadmin.item_open"
    return services.texts.get(
        key,
        title=survey.title,
        audience=services.texts.plain("survey_results.audience_came")
        if survey.listed
        else audience_words(services, survey.audience_label),
        opens=when(survey.opens_at),
        closes=when(survey.closes_at),
        invited=number(survey.invited),
        finished=number(survey.finished),
    )


async def on_manage(update: Update, context: ForumContext) -> None:
    """Close now or call off: asked first, then done; "keep it" changes nothing."""
    await coordinator_press(update, context, MANAGE, "manage survey")
    survey_id, step = read_manage(update.callback_query.data)
    service = context.services.surveys
    actor = update.effective_user.id
    if step == CLOSE:
        closed = await service.close_now(actor, survey_id)
        await show_key(update, context, "surveyadmin.closed", None, title=closed.title)
        return
    if step == CANCEL:
        cancelled = await service.cancel(actor, survey_id)
        await show_key(update, context, "surveyadmin.cancelled", None, title=cancelled.title)
        return
    survey = next((s for s in await service.running(actor) if s.id == survey_id), None)
    if survey is None:
        raise SurveyGone
    if step == KEEP:  # the survey as it was, with its buttons again
        await show(update, context, *survey_card(context, survey))
        return
    yes, key = (CLOSE, "close") if step == ASK_CLOSE else (CANCEL, "cancel")
    markup = keyboard(
        [
            [button(context, f"surveyadmin.button_yes_{key}", MANAGE, survey_id, yes)],
            [button(context, "surveyadmin.button_keep", MANAGE, survey_id, KEEP)],
        ]
    )
    await show_key(update, context, f"surveyadmin.ask_{key}", markup, title=survey.title)


def register(app: ForumApp) -> None:
    """Add /surveys and the coordinators' close and call-off buttons."""
    app.add_handler(CommandHandler("surveys", list_command, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_manage, pattern(MANAGE)))
