"""The one way to queue messages with a change: inside the change's transaction, so both are
kept or neither, and the worker woken once after the commit (never before: it would find
nothing yet)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from bot.delivery.service import DeliveryService
from storage.db import Session

# A message as a service's renderer gives it: (text_html, reply_markup as Bot API JSON or None)
Rendered = tuple[str, dict | None]


class Transactional(Protocol):
    """The database, or a repository that opens transactions on it."""

    def transaction(self) -> AbstractAsyncContextManager[Session]: ...


class Outbox:
    """Messages queued in one transaction (``tx``); ``queued`` says whether any was."""

    def __init__(self, delivery: DeliveryService, tx: Session) -> None:
        self._delivery = delivery
        self.tx = tx
        self.queued = False

    async def send(
        self, kind: str, text_html: str, recipients: Iterable[int], **options: Any
    ) -> int | None:
        """Queue a message for these people in the transaction (the options of
        ``DeliveryService.enqueue``); return its broadcast id, or None when there is nobody
        to send it to (nothing is written then)."""
        people = list(recipients)
        if not people:
            return None
        broadcast_id = await self._delivery.enqueue(kind, text_html, people, tx=self.tx, **options)
        self.queued = True
        return broadcast_id

    async def send_rendered(
        self, kind: str, rendered: Rendered, recipients: Iterable[int], **options: Any
    ) -> int | None:
        """``send`` for a message as a renderer gives it: (text, buttons)."""
        text_html, markup = rendered
        return await self.send(kind, text_html, recipients, reply_markup=markup, **options)

    async def post_to_groups(
        self,
        kind: str,
        scope: str,
        place: str | None,
        text_html: str,
        payload: str,
        **options: Any,
    ) -> int:
        """Queue a notice, in the transaction, to each group chat linked to this audience (in
        its topic, with a button that opens the bot in private with ``payload``; ``options``
        as ``DeliveryService.enqueue``'s); return how many groups. Nothing when no group is
        linked (or group chats are not wired)."""
        posts = self._delivery.group_posts
        if posts is None:
            return 0
        sent = 0
        for post in await posts.for_audience(scope, place, text_html, payload, self.tx):
            await self.send(
                kind,
                post.text_html,
                [post.chat_id],
                reply_markup=post.reply_markup,
                thread_id=post.thread_id,
                audience=f"group:{post.chat_id}",
                **options,
            )
            sent += 1
        return sent

    async def resend_waiting(self, telegram_id: int) -> list[int]:
        """Queue again, in the transaction, what could not reach someone who has now opened
        the bot (``DeliveryService.resend_waiting``); return the copies."""
        copies = await self._delivery.resend_waiting(telegram_id, tx=self.tx)
        self.queued = self.queued or bool(copies)
        return copies


@asynccontextmanager
async def outbox(db: Transactional, delivery: DeliveryService) -> AsyncIterator[Outbox]:
    """A transaction with an outbox: write the change with ``box.tx`` and its messages with
    ``box.send``; once it commits, the worker is woken if anything was queued. A failure
    keeps nothing and wakes nobody."""
    async with db.transaction() as tx:
        box = Outbox(delivery, tx)
        yield box
    if box.queued:
        delivery.wake()
