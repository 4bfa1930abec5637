"""Keeping data only as long as needed: noting who is active, the "do you want to stay?"
buttons, and /retention for coordinators (what goes in the next 30 days).

The activity watcher sits in the first group of all. It never handles an update: its check
notes the sender (a set lookup once they are noted for the day) and says no, so every update
goes on exactly as before.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.retention_policy import Duration
from bot.services.errors import InvalidChoice
from bot.services.retention import ActivityTracker, Outlook
from bot.texts import Texts
from handlers import leave
from handlers.shared import awaiting, groups
from handlers.shared.callbacks import decode, encode, pattern
from handlers.shared.common import ForumApp, ForumContext, answer, send, show_key
from handlers.shared.formatting import number
from handlers.shared.keyboards import back_to_menu

ACTION = "rt"  # rt:stay | rt:leave


class RetentionTexts:
    """The question to a member, from the catalogue (``RetentionMessages`` for the service)."""

    def __init__(self, texts: Texts) -> None:
        self._texts = texts

    def ask_to_stay(self, answer_within: Duration) -> tuple[str, InlineKeyboardMarkup]:
        """'Do you want to stay?' with Stay and Leave buttons."""
        texts = self._texts
        text = texts.get("retention.ask", length=duration_words(texts, answer_within))
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.plain("buttons.retention_stay"), callback_data=encode(ACTION, "stay")
                    )
                ],
                [
                    InlineKeyboardButton(
                        texts.plain("buttons.retention_leave"),
                        callback_data=encode(ACTION, "leave"),
                    )
                ],
            ]
        )
        return text, markup


def duration_words(texts: Texts, duration: Duration) -> str:
    """'18 months', '1 year', in the catalogue's words."""
    return texts.plain(f"retention.unit_{duration.unit}", n=duration.amount)


class ActivityWatcher(BaseHandler[Update, ForumContext, None]):
    """Notes that someone sent a message or pressed a button; never handles anything."""

    def __init__(self, tracker: ActivityTracker) -> None:
        super().__init__(_never)
        self._seen = tracker.seen

    def check_update(self, update: object) -> bool:
        """Note the sender of a message or press, then let the update go on."""
        if isinstance(update, Update):
            query = update.callback_query
            if query is not None:
                self._seen(query.from_user.id)
            elif (
                update.message is not None
                and update.message.from_user is not None
                and update.message.chat.type == "private"  # talk in a group is not using the bot
            ):
                self._seen(update.message.from_user.id)
        return False


async def _never(update: Update, context: ForumContext) -> None:
    """Not called: the watcher's check always says no."""


async def retention(update: Update, context: ForumContext) -> None:
    """/retention: for coordinators (checked in the service), how long data is kept and, as
    counts, what goes in the next 30 days."""
    awaiting.clear(context)
    outlook = await context.services.retention.outlook(update.effective_user.id)
    await send(context, update.effective_chat.id, render(context.services.texts, outlook))


def render(texts: Texts, outlook: Outlook) -> str:
    """The policy in plain words, then what goes in the next days."""
    policy = outlook.policy

    def rule(key: str, duration: Duration) -> str:
        return texts.get(key, length=duration_words(texts, duration))

    lines = [
        texts.get("retention.heading"),
        rule("retention.rule_ask", policy.ask_after_no_activity),
        rule("retention.rule_remove", policy.remove_after_no_answer),
        texts.get("retention.rule_roles"),
        rule("retention.rule_notes", policy.contact_notes),
        rule("retention.rule_broadcasts", policy.finished_broadcasts),
        rule("retention.rule_audit", policy.audit_entries),
        rule("retention.rule_surveys", policy.survey_answers),
        "",
        texts.get("retention.ahead_heading", days=outlook.days),
    ]
    counts = (
        ("retention.ahead_ask", outlook.to_ask),
        ("retention.ahead_remove", outlook.to_remove),
        ("retention.ahead_notes", outlook.contact_notes),
        ("retention.ahead_broadcasts", outlook.broadcasts),
        ("retention.ahead_audit", outlook.audit_entries),
        ("retention.ahead_surveys", outlook.surveys),
    )
    lines += [texts.get(key, count=number(count)) for key, count in counts]
    if not any(count for _, count in counts):
        lines.append(texts.get("retention.ahead_nothing"))
    if outlook.role_holders_inactive:
        lines.append(
            texts.get(
                "retention.role_holders",
                count=number(outlook.role_holders_inactive),
                length=duration_words(texts, policy.ask_after_no_activity),
            )
        )
    lines += ["", texts.get("retention.footer")]
    return "\n".join(lines)


async def on_button(update: Update, context: ForumContext) -> None:
    """Stay (active again, asked no more) or Leave (the /leave confirmation); a member who has
    gone already is told the button no longer works and how to join again."""
    await answer(update, context)
    choice = decode(update.callback_query.data, ACTION).arg(0)
    services = context.services
    user_id = update.effective_user.id
    if choice == "stay":
        if await services.retention.stay(user_id):
            await show_key(update, context, "retention.stayed", back_to_menu(context))
        else:
            await show_key(update, context, "retention.gone")
    elif choice == "leave":
        if await services.members.get(user_id) is None:
            await show_key(update, context, "retention.gone")
        else:
            await leave.ask_confirm(update, context)  # the same way out as /leave
    else:
        raise InvalidChoice


def register(app: ForumApp) -> None:
    """Add the activity watcher, /retention and the stay/leave buttons."""
    services = app.bot_data["services"]
    app.add_handler(ActivityWatcher(services.retention.activity), group=groups.ACTIVITY)
    app.add_handler(CommandHandler("retention", retention, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_button, pattern(ACTION)))
