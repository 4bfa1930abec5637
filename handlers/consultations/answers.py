"""Answering consultations: answer buttons, Done, the optional comment, what people said,
and "Have your say" (the questions open for a member)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.services.consultations import CLOSED, TextInvalid, Vote
from bot.texts import Markup
from handlers.consultations.messages import COMMENT, DONE, RESULTS, VOTE, ConsultationMessages
from handlers.shared import awaiting
from handlers.shared.callbacks import BadCallback, decode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, say, send, show, show_key
from handlers.shared.keyboards import back_to_menu, button, keyboard, labelled, main_menu, with_help
from handlers.surveys.listing import open_rows

SKIP = "cs"  # cs:<consultation id>  (no comment, thanks)
SHOW = "co"  # co:<consultation id>  (show an open question again)
STEP_COMMENT = "consultation_comment"
_COMMENT_FOR = "consultation_comment_for"
OPEN_LIMIT = 5


def messages(context: ForumContext) -> ConsultationMessages:
    """The consultation renderer for this bot's texts, time zone and forum."""
    services = context.services
    return ConsultationMessages(services.texts, services.settings.zone, services.forum)


def parse_vote(data: object) -> tuple[int, int, bool]:
    """Callback data of an answer button as (consultation id, answer position, chosen);
    anything else raises BadCallback. The ids are still checked again by the service."""
    callback = decode(data, VOTE)
    if len(callback.args) not in (2, 3):
        raise BadCallback("wrong shape")
    chosen = True
    if len(callback.args) == 3:
        if callback.args[2] not in ("0", "1"):
            raise BadCallback("bad choice flag")
        chosen = callback.args[2] == "1"
    return callback.int_arg(0), callback.int_arg(1), chosen


async def on_vote(update: Update, context: ForumContext) -> None:
    """An answer button: saved at once, then the message shows the member's answer."""
    consultation_id, position, chosen = parse_vote(update.callback_query.data)
    services = context.services
    vote = await services.consultations.vote(
        update.effective_user.id, consultation_id, position, chosen
    )
    if not vote.consultation.multiple or vote.answer.answered:
        note = "polls.saved"
    else:
        note = "polls.chosen" if chosen else "polls.unchosen"
    await answer(update, context, note)
    await redraw_answer(update, context, vote)


async def on_done(update: Update, context: ForumContext) -> None:
    """Done (several answers allowed): the chosen answers become the member's answer."""
    consultation_id = decode(update.callback_query.data, DONE).int_arg(0)
    vote = await context.services.consultations.done(update.effective_user.id, consultation_id)
    await answer(update, context, "polls.saved")
    await redraw_answer(update, context, vote)


async def redraw_answer(update: Update, context: ForumContext, vote: Vote) -> None:
    """Show the member's answer in the pressed message. The press is already answered, so the
    redraw waits in the lane (paced under Telegram's limit, one per message). The invitation to
    say more is in that message (a "Tell us more" button), not a message of its own: at a rush
    of answers that would be one more send per person."""
    renderer = messages(context)
    message = update.callback_query.message
    if message is None:  # too old for Telegram to say which message it was: send it afresh
        text, markup = renderer.member_view(vote.consultation, vote.answer)
        await show(update, context, text, markup)
        return
    context.redraws.redraw(
        message.chat.id,
        message.message_id,
        lambda: renderer.member_view(vote.consultation, vote.answer),
    )


async def ask_for_comment(update: Update, context: ForumContext, consultation_id: int) -> None:
    """Invite a comment (optional), with a Skip button."""
    context.user_data[_COMMENT_FOR] = consultation_id
    awaiting.expect(context, STEP_COMMENT)
    await prompt_comment(update, context)


async def prompt_comment(update: Update, context: ForumContext) -> None:
    """Ask for the comment (again, after the crisis net answered, say)."""
    consultation_id = context.user_data.get(_COMMENT_FOR)
    if consultation_id is None:
        awaiting.clear(context)
        return
    markup = keyboard([[button(context, "polls.button_skip", SKIP, consultation_id)]])
    await say(update, context, "polls.ask_comment", markup)


async def on_comment_button(update: Update, context: ForumContext) -> None:
    """ "Tell us more": ask for a comment (checked again when it arrives)."""
    consultation_id = decode(update.callback_query.data, COMMENT).int_arg(0)
    await context.services.consultations.for_member(update.effective_user.id, consultation_id)
    await answer(update, context)
    await ask_for_comment(update, context, consultation_id)


async def on_comment_text(update: Update, context: ForumContext, text: str) -> None:
    """Keep the comment; a too-long one is asked for again, nothing lost but the message."""
    consultation_id = context.user_data.get(_COMMENT_FOR)
    if consultation_id is None:
        awaiting.clear(context)
        return
    try:
        await context.services.consultations.comment(
            update.effective_user.id, consultation_id, text
        )
    except TextInvalid:
        await say(update, context, "polls.comment_too_long")
        return
    awaiting.clear(context)
    context.user_data.pop(_COMMENT_FOR, None)
    await say(update, context, "polls.comment_saved", back_to_menu(context))


async def on_skip(update: Update, context: ForumContext) -> None:
    """No comment: that is fine."""
    decode(update.callback_query.data, SKIP).int_arg(0)
    await answer(update, context)
    if awaiting.current(context) == STEP_COMMENT:
        awaiting.clear(context)
    context.user_data.pop(_COMMENT_FOR, None)
    await show_key(update, context, "polls.comment_skipped", back_to_menu(context))


async def on_results(update: Update, context: ForumContext) -> None:
    """What people said (national figures, never a count under 5)."""
    consultation_id = decode(update.callback_query.data, RESULTS).int_arg(0)
    services = context.services
    results = await services.consultations.results_for_member(
        update.effective_user.id, consultation_id
    )
    consultation = await services.consultations.get(consultation_id)
    await answer(update, context)
    closed = consultation.state == CLOSED
    text = services.texts.get(
        "polls.results_closed" if closed else "polls.results_now",
        question=consultation.question,
        lines=Markup(messages(context).answer_lines(results)),
    )
    if closed:  # and what came of it, linked to the question
        for followup in await services.consultations.followups_for_member(
            update.effective_user.id, consultation_id
        ):
            text += "\n\n" + services.texts.get("polls.followup_item", text=followup)
    await send(context, update.effective_chat.id, text, back_to_menu(context))


async def on_show(update: Update, context: ForumContext) -> None:
    """Show an open question again, with the member's answer and the buttons."""
    consultation_id = decode(update.callback_query.data, SHOW).int_arg(0)
    vote = await context.services.consultations.for_member(
        update.effective_user.id, consultation_id
    )
    await answer(update, context)
    text, markup = messages(context).member_view(vote.consultation, vote.answer)
    await send(context, update.effective_chat.id, text, markup)


async def show_have_your_say(update: Update, context: ForumContext) -> None:
    """The questions open for this member, and recent results they may see."""
    services = context.services
    user_id = update.effective_user.id
    if await services.members.get(user_id) is None:
        await show_key(update, context, "menu.join_first", main_menu(context, is_member=False))
        return
    renderer = messages(context)
    open_votes = await services.consultations.open_for(user_id)
    closed = await services.consultations.closed_for(user_id)
    questions = [
        [
            labelled(
                services.texts.plain(
                    "polls.say_open_item",
                    question=_short(vote.consultation.question),
                    closes=renderer.closes(vote.consultation),
                ),
                SHOW,
                vote.consultation.id,
            )
        ]
        for vote in open_votes[:OPEN_LIMIT]
    ]
    surveys = await open_rows(context, user_id)  # surveys to start or carry on
    results = [
        [
            labelled(
                services.texts.plain("polls.say_closed_item", question=_short(c.question)),
                RESULTS,
                c.id,
            )
        ]
        for c in closed[:OPEN_LIMIT]
    ]
    rows = questions + surveys + results
    key = "polls.say_intro" if questions or surveys else "polls.say_none"
    rows.append([button(context, "buttons.menu", "menu", "home")])
    await show_key(update, context, key, with_help(context, rows))


def _short(text: str, limit: int = 40) -> str:
    """A question cut to fit on a button (the full text is one tap away)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def register(app: ForumApp) -> None:
    """Add the consultation buttons and the comment step."""
    awaiting.define(STEP_COMMENT, on_comment_text, prompt_comment)
    app.add_handler(CallbackQueryHandler(on_vote, pattern(VOTE)))
    app.add_handler(CallbackQueryHandler(on_done, pattern(DONE)))
    app.add_handler(CallbackQueryHandler(on_comment_button, pattern(COMMENT)))
    app.add_handler(CallbackQueryHandler(on_skip, pattern(SKIP)))
    app.add_handler(CallbackQueryHandler(on_results, pattern(RESULTS)))
    app.add_handler(CallbackQueryHandler(on_show, pattern(SHOW)))
