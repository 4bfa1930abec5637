"""Answering a survey: Start (or carry on), consent, one question at a time with buttons or a
typed answer, Back, Skip, Stop for now, and "Withdraw my answers".

Where the member is lives in the database (the survey service), so a member carries on from the
same question after a restart. Typed answers go through handlers/shared/awaiting.py, so the
crisis net sees every one first and its "Carry on" asks the same question again; after a
restart the typed step is found again from the database (`recover_with`).
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.services.errors import ServiceError
from bot.services.surveys.definition import NUMBER, TEXT
from bot.services.surveys.flow import AnswerRefused
from bot.services.surveys.records import CONSENT, FINISHED, QUESTION, Position
from bot.texts import Markup
from bot.textsplit import TELEGRAM_LIMIT, visible_units
from handlers.shared import awaiting
from handlers.shared.callbacks import BadCallback, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, patiently, send, show
from handlers.shared.keyboards import back_to_menu
from handlers.surveys import codes
from handlers.surveys.codes import (
    MEMBER_ACTIONS,
    SurveyPress,
    read_press,
    read_scale,
    read_withdraw,
)
from handlers.surveys.views import SurveyViews

STEP_TYPED = "survey_typed"  # a number or text question: typed text is the answer
STEP_BUTTONS = "survey_buttons"  # the consent screen or a button question
AT = "survey_at"  # user_data: (survey id, question id or "") of what the member was shown
TYPED_KINDS = (NUMBER, TEXT)


def views(context: ForumContext) -> SurveyViews:
    """The survey views for this bot's texts and time zone."""
    services = context.services
    return SurveyViews(services.texts, services.settings.zone, services.surveys.answers_kept)


# Where the member is


def remember(context: ForumContext, position: Position) -> None:
    """Keep the member's step: typed text answers a number or text question; at the consent
    screen or a button question it gets "please use the buttons"; anywhere else no step."""
    question = position.question
    if position.state == QUESTION and question is not None:
        context.user_data[AT] = (position.survey_id, question.id)
        awaiting.expect(context, STEP_TYPED if question.kind in TYPED_KINDS else STEP_BUTTONS)
    elif position.state == CONSENT:
        context.user_data[AT] = (position.survey_id, "")
        awaiting.expect(context, STEP_BUTTONS)
    else:
        forget(context, position.survey_id)


def forget(context: ForumContext, survey_id: int | None = None) -> None:
    """The member is in no survey step now: only a survey step is cleared (another step is
    left alone), and with ``survey_id`` only when it is that survey's."""
    at = _at(context)
    if survey_id is not None and at is not None and at[0] != survey_id:
        return  # they are answering another survey: that step stays
    if awaiting.current(context) in (STEP_TYPED, STEP_BUTTONS):
        awaiting.clear(context)
    context.user_data.pop(AT, None)


async def send_position(
    update: Update, context: ForumContext, position: Position, above: str = ""
) -> None:
    """Show where the member is as a new message (``above``: a line said first, safe HTML)."""
    remember(context, position)
    text, markup = views(context).position(position)
    if above:
        text = Markup(above + "\n\n" + text)
    await send(context, update.effective_chat.id, text, markup)


async def redraw_position(update: Update, context: ForumContext, position: Position) -> None:
    """Show where the member is in the pressed message. The press is answered already; the
    new look waits in the redraw lane (paced within Telegram's limits, one per message), so
    a rush of presses never waits on Telegram's "slow down". A question is drawn when its
    turn comes (a newer look replaces one not drawn yet); another screen (consent, thanks)
    too long for one message is shown now instead, split."""
    remember(context, position)
    view = views(context)
    key = update.callback_query.message.chat.id, update.callback_query.message.message_id
    if position.state == QUESTION:
        context.redraws.redraw(*key, lambda: view.position(position))  # drawn in its turn
        return
    text, markup = view.position(position)
    if len(text) > TELEGRAM_LIMIT and visible_units(text) > TELEGRAM_LIMIT:
        await show(update, context, text, markup)
        return
    context.redraws.redraw(*key, lambda: (text, markup))


# Buttons


async def on_press(update: Update, context: ForumContext) -> None:
    """Every answering button: Start, I agree, an answer, a tick, Done, Skip, Back, Stop."""
    press = read_press(update.callback_query.data)
    service = context.services.surveys
    member = update.effective_user.id
    if press.action == codes.START:
        await answer(update, context)
        position = await with_withdraw(
            context, member, await service.begin(member, press.survey_id)
        )
        await send_position(update, context, position)
        return
    if press.action == codes.STOP:
        await answer(update, context)
        await stop(update, context, press)
        return
    try:
        position = await _move(context, member, press)
    except AnswerRefused as refusal:  # nothing changed
        await refuse(update, context, refusal)
        return
    await answer(update, context)  # the next question is the answer; a stale press changed nothing
    await redraw_position(update, context, position)


async def with_withdraw(context: ForumContext, member: int, position: Position) -> Position:
    """A survey with names, finished earlier and still open: its "Withdraw my answers" button
    again (an anonymous one keeps no link, so only the thank-you message has it)."""
    if position.state != FINISHED or position.anonymous or position.withdraw_token is not None:
        return position
    token = await context.services.surveys.withdraw_token(member, position.survey_id)
    return position if token is None else replace(position, withdraw_token=token)


async def refuse(update: Update, context: ForumContext, refusal: AnswerRefused) -> None:
    """Say on the press why it changed nothing (a pop-up to tap OK); the question stays."""
    text = context.services.texts.plain(refusal.key, **refusal.values)
    with contextlib.suppress(BadRequest):
        await patiently(lambda: update.callback_query.answer(text, show_alert=True))


async def _move(context: ForumContext, member: int, press: SurveyPress) -> Position:
    """The service call a press stands for; the member's new position."""
    service = context.services.surveys
    survey_id, question_id = press.survey_id, press.question_id
    if press.action == codes.AGREE:
        return await service.agree(member, survey_id)
    if press.action == codes.PRESS:
        scale = read_scale(press.value)
        value = press.value if scale is None else scale
        return await service.press(member, survey_id, question_id, value)
    if press.action == codes.TICK:
        return await service.tick(member, survey_id, question_id, press.value)
    if press.action == codes.DONE:
        return await service.done(member, survey_id, question_id)
    if press.action == codes.SKIP:
        return await service.skip(member, survey_id, question_id)
    if press.action == codes.BACK:
        return await service.back(member, survey_id)
    raise BadCallback("not an answering press")


async def _show_pressed(update: Update, context: ForumContext, position: Position) -> None:
    """Show the position in the pressed message now (split into a new one when too long)."""
    remember(context, position)
    text, markup = views(context).position(position)
    await show(update, context, text, markup)


async def stop(update: Update, context: ForumContext, press: SurveyPress) -> None:
    """Stop for now: answers so far are kept, and typed text goes to the ordinary handlers
    until they carry on (kept in the database, so after a restart too); at the consent
    screen, "Not now"."""
    position = await context.services.surveys.stop(update.effective_user.id, press.survey_id)
    forget(context, press.survey_id)
    if position.state == CONSENT:
        await show(update, context, context.services.texts.get("surveys.not_now"), None)
        return
    if position.state != QUESTION:
        await _show_pressed(update, context, position)
        return
    text, markup = views(context).stopped(press.survey_id)
    await show(update, context, text, markup)


# Typed answers


def _at(context: ForumContext) -> tuple[int, str] | None:
    """The survey and question the member was last shown, if any."""
    at = context.user_data.get(AT)
    if isinstance(at, tuple) and len(at) == 2:
        return at
    return None


async def on_typed(update: Update, context: ForumContext, text: str) -> None:
    """A typed answer to a number or text question: saved and the next question shown, or
    why it cannot be used with the same question again (nothing is lost)."""
    at = _at(context)
    if at is None:
        awaiting.clear(context)
        return
    survey_id, question_id = at
    service = context.services.surveys
    member = update.effective_user.id
    try:
        position = await service.typed(member, survey_id, question_id, text)
    except AnswerRefused as refusal:
        reason = context.services.texts.get(refusal.key, **refusal.values)
        await send_position(update, context, await service.current(member, survey_id), reason)
        return
    except ServiceError:
        forget(context, survey_id)  # gone: typed text is no longer an answer
        raise
    await send_position(update, context, position)


async def prompt(update: Update, context: ForumContext) -> None:
    """Show the member's question again as a new message ("Carry on" after a crisis reply)."""
    at = _at(context)
    if at is None:
        awaiting.clear(context)
        return
    try:
        position = await context.services.surveys.current(update.effective_user.id, at[0])
    except ServiceError:
        forget(context, at[0])
        raise
    await send_position(update, context, position)


async def recover(context: ForumContext, user_id: int) -> str | None:
    """After a restart: the question this member is on, found in the database. Typed text
    answers a number or text question; at a button question it gets the survey's "please use
    the buttons" and the question again, as before the restart."""
    position = await context.services.surveys.answering(user_id, any_kind=True)
    if position is None or position.question is None:
        return None
    context.user_data[AT] = (position.survey_id, position.question.id)
    return STEP_TYPED if position.question.kind in TYPED_KINDS else STEP_BUTTONS


# Withdraw


async def on_withdraw(update: Update, context: ForumContext) -> None:
    """ "Withdraw my answers": asked first; then deleted, or kept with the button still there."""
    token, step = read_withdraw(update.callback_query.data)
    await answer(update, context)
    view = views(context)
    texts = context.services.texts
    if step == codes.WITHDRAW_KEEP:
        await show(
            update, context, texts.get("surveys.withdraw_kept"), view.withdraw_buttons(token)
        )
        return
    if step != codes.WITHDRAW_YES:
        text, markup = view.withdraw_ask(token)
        await show(update, context, text, markup)
        return
    done = await context.services.surveys.withdraw(update.effective_user.id, token)
    key = "surveys.withdraw_done" if done else "surveys.withdraw_gone"
    await show(update, context, texts.get(key), back_to_menu(context))


def register(app: ForumApp) -> None:
    """Add the answering buttons, the typed-answer steps and the restart recoverer."""
    awaiting.define(STEP_TYPED, on_typed, prompt)
    awaiting.define_buttons(STEP_BUTTONS, prompt, "surveys.use_buttons")
    awaiting.recover_with("surveys", recover)
    members = "|".join(MEMBER_ACTIONS)
    app.add_handler(CallbackQueryHandler(on_press, rf"^({members}):"))
    app.add_handler(CallbackQueryHandler(on_withdraw, pattern(codes.WITHDRAW)))
