"""The delivery engine's public face: queue a message for many people, follow it, cancel it.

Meeting invitations and reminders, consultation invitations, nudges and results, and
coordinators' broadcasts all go through ``enqueue``; there is one way to send to many people.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.clock import Clock
from bot.delivery.content import Media, markup_json, plan
from bot.delivery.monitor import DeliveryListener, DeliveryMonitor
from bot.delivery.status import BroadcastStatus
from bot.delivery.worker import DeliveryWorker
from storage.broadcasts import BroadcastRepository, NewBroadcast, StoredUpload
from storage.db import Session
from storage.members import PREFERENCE_COLUMNS


class DeliveryService:
    """Queues broadcasts in the outbox and runs the worker and monitor that send them."""

    def __init__(
        self,
        broadcasts: BroadcastRepository,
        worker: DeliveryWorker,
        monitor: DeliveryMonitor,
        clock: Clock,
    ) -> None:
        self._broadcasts = broadcasts
        self._worker = worker
        self._monitor = monitor
        self._clock = clock
        monitor.on_finished(worker.forget)

    @property
    def in_flight_limit(self) -> int:
        """The most sends in the air at once (and so the most a crash can leave uncertain)."""
        return self._worker.in_flight_limit

    async def enqueue(
        self,
        kind: str,
        text_html: str,
        recipients: Iterable[int],
        *,
        created_by: int | None = None,
        reply_markup: object = None,
        urgent: bool = False,
        not_before: datetime | None = None,
        media: Media | None = None,
        preference: str | None = None,
        audience: str = "",
        report_to: int | None = None,
        tx: Session | None = None,
    ) -> int:
        """Store a message and one delivery row per distinct recipient; return its id.

        ``text_html`` is Telegram HTML (long texts are split into parts, never cut);
        ``reply_markup`` is Bot API JSON as a dict, or python-telegram-bot's markup object;
        ``urgent`` messages go out in quiet hours; ``not_before`` delays the start;
        ``preference`` ('news', 'meetings', 'consultations') is checked again at send time,
        so members who opt out, pause or block the bot meanwhile are skipped;
        ``report_to`` is the chat that sees progress and the delivery report;
        ``media`` is a photo or file by file_id, or bytes the bot made (``FileUpload``): those
        are stored with the broadcast, uploaded once, then sent to the rest by file_id;
        ``tx``: write in the caller's transaction, so the message is queued if and only if the
        caller's own change is kept (a meeting reminder taken); the worker is not woken then,
        so call ``wake()`` once it has committed.
        """
        if not kind:
            raise ValueError("every broadcast needs a kind")
        if preference is not None and preference not in PREFERENCE_COLUMNS:
            raise ValueError(f"unknown preference {preference!r}")
        if not_before is not None and not_before.tzinfo is None:
            raise ValueError("not_before must be timezone-aware")
        markup = markup_json(reply_markup)
        plan(text_html, media, markup)  # refuse now what could never be sent
        upload = media.upload if media else None
        new = NewBroadcast(
            kind=kind,
            text_html=text_html,
            created_by=created_by,
            media_kind=media.kind if media else None,
            media_file_id=media.file_id if media else None,
            reply_markup=markup,
            urgent=urgent,
            preference=preference,
            audience=audience,
            not_before=not_before,
            report_chat_id=report_to,
            upload=StoredUpload(upload.filename, upload.data) if upload else None,
        )
        broadcast_id = await self._broadcasts.create(new, recipients, self._clock.now(), tx)
        if tx is None:
            self.wake()
        return broadcast_id

    async def cancel(self, broadcast_id: int) -> int | None:
        """Cancel the rows not sent yet; return how many, or None if it had already ended."""
        cancelled = await self._broadcasts.cancel(broadcast_id, self._clock.now())
        self.wake()
        return cancelled

    async def status(self, broadcast_id: int) -> BroadcastStatus | None:
        """A broadcast's state and counts, or None if there is no such broadcast."""
        broadcast = await self._broadcasts.get(broadcast_id)
        return await self._monitor.status(broadcast) if broadcast else None

    async def recent(self, limit: int = 10, kind: str | None = None) -> list[BroadcastStatus]:
        """The newest broadcasts with their counts, newest first."""
        return [
            await self._monitor.status(broadcast)
            for broadcast in await self._broadcasts.recent(limit, kind)
        ]

    async def set_progress_message(self, broadcast_id: int, message_id: int | None) -> None:
        """Remember the message showing a broadcast's progress (kept across restarts)."""
        await self._broadcasts.set_progress_message(broadcast_id, message_id)

    def add_listener(self, listener: DeliveryListener) -> None:
        """Be told about progress and delivery reports."""
        self._monitor.add_listener(listener)

    def wake(self) -> None:
        """Make the worker and monitor look at the outbox now (after a clock change, say)."""
        self._worker.wake()
        self._monitor.wake()

    async def start(self) -> int:
        """Recover from a crash (rows mid-send become uncertain) and start sending."""
        recovered = await self._worker.start()
        await self._monitor.start()
        return recovered

    async def stop(self) -> None:
        """Let sends in the air finish, record them, and stop."""
        await self._monitor.stop()
        await self._worker.stop()

    async def check(self) -> None:
        """Finish settled broadcasts and deliver reports now (tests call this between steps)."""
        await self._monitor.check()
