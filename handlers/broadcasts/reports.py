"""Showing coordinators how a broadcast goes: a progress message, then the delivery report."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.delivery import BroadcastStatus, DeliveryListener
from bot.delivery.reach import NOT_CONFIRMED, Missed
from bot.delivery.status import Broadcast
from bot.services.registry import Services
from handlers.reach_messages import ReachTexts
from handlers.shared.common import ForumApp
from handlers.shared.formatting import duration_words, local_time, number
from handlers.shared.keyboards import keyboard, labelled

logger = logging.getLogger(__name__)

# Failure reasons with their own words in the catalogue; any other reads "other".
KNOWN_REASONS = (
    "deactivated",
    "chat_not_found",
    "chat_moved",
    "refused",
    "server_error",
    "no_connection",
)
KNOWN_SKIPS = ("paused", "unreachable", "opted_out")
MISSED_READ = 500  # people read for a report's names (it shows a few and counts the rest)
# The /broadcasts buttons (handlers/broadcasts/listing.py): bcl:again:<id> resends.
LIST_ACTION = "bcl"


def kind_words(services: Services, broadcast: Broadcast) -> str:
    """What a broadcast is, in words: "Message" for a coordinator's, else the notice's kind
    ("Meeting reminder", "Results pack" ...)."""
    texts = services.texts
    if broadcast.by_coordinator:
        return texts.plain("broadcast.kind_broadcast")
    try:
        return texts.plain(f"broadcast.kind_{broadcast.kind}")
    except KeyError:  # a kind with no words of its own yet
        return texts.plain("broadcast.kind_other")


def missed_total(status: BroadcastStatus, missed: Sequence[Missed]) -> int:
    """How many people a broadcast did not reach, or may not have (all of them, even past
    the names read)."""
    if len(missed) < MISSED_READ:
        return len(missed)
    counts = status.counts
    return (
        counts.blocked
        + counts.failed_total
        + counts.uncertain
        + counts.skipped.get("unreachable", 0)
    )


def not_sure_left(missed: Sequence[Missed]) -> int:
    """People counted "not sure" who have not been sent it again yet."""
    return sum(1 for person in missed if person.why == NOT_CONFIRMED and not person.sent_again)


def resend_button(services: Services, status: BroadcastStatus, missed: Sequence[Missed]):
    """The one button to send it again to those "not sure", or None."""
    left = not_sure_left(missed)
    if not left or not status.finished:
        return None
    label = services.texts.plain("reach.resend_button", n=number(left))
    return labelled(label, LIST_ACTION, "again", status.id)


def progress_text(services: Services, status: BroadcastStatus) -> str:
    """'Sending broadcast 12: 1,200 of 5,000 done', or what it is waiting for."""
    texts = services.texts
    counts = status.counts
    if status.waiting_until is not None:
        return texts.get(
            "broadcast.progress_waiting",
            id=status.broadcast.number,
            done=number(counts.settled),
            total=number(counts.total),
            time=local_time(services, status.waiting_until),
        )
    key = "broadcast.progress_done" if status.finished else "broadcast.progress"
    return texts.get(
        key, id=status.broadcast.number, done=number(counts.settled), total=number(counts.total)
    )


def report_text(
    services: Services, status: BroadcastStatus, missed: Sequence[Missed] = (), total: int = 0
) -> str:
    """The delivery report: delivered, blocked, failed with reasons, uncertain, time taken;
    then who did not get it, by name and why, and what to do next."""
    texts = services.texts
    counts = status.counts
    broadcast = status.broadcast
    if broadcast.resend_of is not None:
        heading = texts.get(
            "broadcast.report_heading_again",
            kind=kind_words(services, broadcast),
            id=broadcast.number,
        )
    else:
        key = (
            "broadcast.report_stopped"
            if status.state == "cancelled"
            else "broadcast.report_heading"
        )
        heading = texts.get(key, id=broadcast.number)
    lines = [
        heading,
        texts.get("broadcast.report_delivered", n=number(counts.delivered)),
        texts.get("broadcast.report_blocked", n=number(counts.blocked)),
        texts.get("broadcast.report_failed", n=number(counts.failed_total)),
    ]
    for reason, count in sorted(counts.failed.items()):
        name = reason if reason in KNOWN_REASONS else "other"
        lines.append(texts.get(f"broadcast.reason_{name}", n=number(count)))
    lines.append(texts.get("broadcast.report_uncertain", n=number(counts.uncertain)))
    if counts.skipped_total:
        lines.append(texts.get("broadcast.report_skipped", n=number(counts.skipped_total)))
    if counts.cancelled:
        lines.append(texts.get("broadcast.report_cancelled", n=number(counts.cancelled)))
    if status.duration is not None:
        lines.append(
            texts.get("broadcast.report_duration", time=duration_words(services, status.duration))
        )
    if counts.uncertain:
        lines += ["", texts.get("broadcast.report_uncertain_note")]
    block = ReachTexts(texts).missed_block(missed, total)
    if block:
        lines += ["", block]
    return "\n".join(lines)


async def full_report(services: Services, status: BroadcastStatus):
    """The report's text with the names of who did not get it, and its button (or None)."""
    missed = await services.delivery.missed(status.id, MISSED_READ)
    text = report_text(services, status, missed, missed_total(status, missed))
    button = resend_button(services, status, missed)
    return text, keyboard([[button]]) if button else None


class CoordinatorUpdates(DeliveryListener):
    """Sends and edits progress messages, and sends the report, through the Application's bot."""

    def __init__(self, app: ForumApp) -> None:
        self._app = app

    @property
    def _services(self) -> Services:
        """The services built by the composition root."""
        return self._app.bot_data["services"]

    async def progress(self, status: BroadcastStatus) -> int | None:
        """Show progress in one message, edited as it goes."""
        chat_id = status.broadcast.report_chat_id
        if chat_id is None:
            return None
        text = progress_text(self._services, status)
        try:
            return await self._edit_or_send(chat_id, status.broadcast.progress_message_id, text)
        except (BadRequest, Forbidden) as exc:
            logger.info("progress for %d not shown: %s", status.id, type(exc).__name__)
            return None

    async def finished(self, status: BroadcastStatus) -> None:
        """Bring the progress message to its end and send the report."""
        chat_id = status.broadcast.report_chat_id
        if chat_id is None:
            return
        message_id = status.broadcast.progress_message_id
        if message_id is not None:
            try:
                await self._edit_or_send(chat_id, message_id, progress_text(self._services, status))
            except (BadRequest, Forbidden):
                logger.info("progress message for %d not updated", status.id)
        text, markup = await full_report(self._services, status)
        try:
            await self._app.bot.send_message(
                chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
            )
        except (BadRequest, Forbidden) as exc:
            # The coordinator cannot be reached (no chat, blocked): trying again will not help.
            logger.info("report for %d not delivered: %s", status.id, type(exc).__name__)

    async def _edit_or_send(self, chat_id: int, message_id: int | None, text: str) -> int:
        """Edit the message if there is one (and it can be edited), else send a new one."""
        bot = self._app.bot
        if message_id is not None:
            try:
                await bot.edit_message_text(
                    text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
                )
                return message_id
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return message_id
        message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        return message.message_id


def register(app: ForumApp) -> None:
    """Tell the delivery engine to keep coordinators informed through this bot."""
    services: Services = app.bot_data["services"]
    services.delivery.add_listener(CoordinatorUpdates(app))
