"""The delivery engine's public face: queue a message for many people, follow it, cancel it.

Meeting invitations and reminders, consultation invitations, nudges and results, and
coordinators' broadcasts all go through ``enqueue``; there is one way to send to many people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.delivery.content import Media, markup_json, plan
from bot.delivery.group_posts import GroupPosts
from bot.delivery.monitor import DeliveryListener, DeliveryMonitor
from bot.delivery.reach import WAITING_REASONS, Missed, missed_from
from bot.delivery.status import BroadcastStatus
from bot.delivery.worker import ChatMoved, DeliveryWorker
from storage.broadcasts import BroadcastRepository, NewBroadcast, Resent, StoredUpload
from storage.db import Session
from storage.deliveries import DeliveryRepository
from storage.members import PREFERENCE_COLUMNS


@dataclass(eq=False)
class DeliveryService:
    """Queues broadcasts in the outbox and runs the worker and monitor that send them."""

    broadcasts: BroadcastRepository
    worker: DeliveryWorker
    monitor: DeliveryMonitor
    clock: Clock
    deliveries: DeliveryRepository
    # Posts to linked group chats (bot/delivery/group_posts.py); None: groups not wired.
    group_posts: GroupPosts | None = None

    def __post_init__(self) -> None:
        """A finished broadcast's cached content is dropped by the worker."""
        self.monitor.on_finished(self.worker.forget)

    def idle_for(self) -> float:
        """Seconds since the engine last started a send (0 while one is in the air)."""
        return self.worker.idle_for()

    @property
    def in_flight_limit(self) -> int:
        """The most sends in the air at once (and so the most a crash can leave uncertain)."""
        return self.worker.in_flight_limit

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
        must_reach: bool = False,
        thread_id: int | None = None,
        tx: Session | None = None,
    ) -> int:
        """Store a message and one delivery row per distinct recipient; return its id.

        ``text_html`` is Telegram HTML (long texts are split into parts, never cut);
        ``reply_markup`` is Bot API JSON as a dict, or python-telegram-bot's markup object;
        ``urgent`` messages go out in quiet hours; ``not_before`` delays the start;
        ``preference`` ('news', 'meetings', 'consultations') is checked again at send time,
        so members who opt out, pause or block the bot meanwhile are skipped;
        ``report_to`` is the chat that sees progress and the delivery report;
        ``must_reach``: sent even to members who paused or were marked unreachable (urgent
        contact notices to coordinators only);
        ``media`` is a photo or file by file_id, or bytes the bot made (``FileUpload``): those
        are stored with the broadcast, uploaded once, then sent to the rest by file_id;
        ``thread_id``: the topic of a group with topics to post in;
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
            must_reach=must_reach,
            thread_id=thread_id,
        )
        broadcast_id = await self.broadcasts.create(new, recipients, self.clock.now(), tx)
        if tx is None:
            self.wake()
        return broadcast_id

    async def cancel(self, broadcast_id: int) -> int | None:
        """Cancel the rows not sent yet; return how many, or None if it had already ended."""
        cancelled = await self.broadcasts.cancel(broadcast_id, self.clock.now())
        self.wake()
        return cancelled

    async def status(self, broadcast_id: int) -> BroadcastStatus | None:
        """A broadcast's state and counts, or None if there is no such broadcast."""
        broadcast = await self.broadcasts.get(broadcast_id)
        return await self.monitor.status(broadcast) if broadcast else None

    async def recent(
        self, limit: int = 10, kind: str | None = None, *, other_than: tuple[str, ...] = ()
    ) -> list[BroadcastStatus]:
        """The newest broadcasts with their counts, newest first: of one kind, of every kind
        but those in ``other_than``, or all."""
        return [
            await self.monitor.status(broadcast)
            for broadcast in await self.broadcasts.recent(limit, kind, other_than=other_than)
        ]

    async def missed(self, broadcast_id: int, limit: int = 50) -> list[Missed]:
        """Who a broadcast did not reach, or may not have, and why (people a copy sent again
        has reached since are left out), in the order they were queued."""
        rows = await self.deliveries.missed(broadcast_id, limit)
        return [missed for row in rows if (missed := missed_from(row)) is not None]

    async def resend_uncertain(
        self,
        broadcast_id: int,
        note_html: str,
        *,
        created_by: int | None = None,
        report_to: int | None = None,
    ) -> Resent | None:
        """Send a broadcast again, with ``note_html`` first (they may have it already), to the
        people it may not have reached ("not sure", after a crash or a lost answer). Each
        person is sent it again once: a second call finds nobody and returns None."""
        resent = await self.broadcasts.resend_uncertain(
            broadcast_id,
            note_html,
            self.clock.now(),
            created_by=created_by,
            report_chat_id=report_to,
        )
        if resent is not None:
            self.wake()
        return resent

    async def count_waiting(self, recipient_id: int, *, tx: Session) -> int:
        """How many messages ``resend_waiting`` would queue again for this person now."""
        return len(await self.broadcasts.waiting(recipient_id, WAITING_REASONS, tx))

    async def resend_waiting(self, recipient_id: int, *, tx: Session) -> list[int]:
        """In the caller's transaction: queue again, oldest first, everything that could not
        reach this person because they had not opened the bot or had blocked it (or that was
        skipped for that), now that they have opened it; each message once. Call ``wake()``
        after the commit. Return the copies' broadcast ids."""
        return await self.broadcasts.resend_waiting(
            recipient_id, WAITING_REASONS, self.clock.now(), tx
        )

    async def set_progress_message(self, broadcast_id: int, message_id: int | None) -> None:
        """Remember the message showing a broadcast's progress (kept across restarts)."""
        await self.broadcasts.set_progress_message(broadcast_id, message_id)

    def on_chat_moved(self, listener: ChatMoved) -> None:
        """Be told (old id, new id) when a send finds a group became a supergroup (its rows
        not sent yet go to the new id already)."""
        self.worker.on_chat_moved(listener)

    def add_listener(self, listener: DeliveryListener) -> None:
        """Be told about progress and delivery reports."""
        self.monitor.add_listener(listener)

    def wake(self) -> None:
        """Make the worker and monitor look at the outbox now (after a clock change, say)."""
        self.worker.wake()
        self.monitor.wake()

    async def start(self) -> int:
        """Recover from a crash (rows mid-send become uncertain) and start sending."""
        recovered = await self.worker.start()
        await self.monitor.start()
        return recovered

    async def stop(self) -> None:
        """Let sends in the air finish, record them, and stop."""
        await self.monitor.stop()
        await self.worker.stop()

    async def check(self) -> None:
        """Finish settled broadcasts and deliver reports now (tests call this between steps)."""
        await self.monitor.check()
