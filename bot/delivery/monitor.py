"""Watches running broadcasts: progress every few seconds, the end, and the delivery report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.delivery.quiet import QuietHours
from bot.delivery.status import BroadcastStatus, DeliveryCounts
from storage.audit import AuditRepository
from storage.broadcasts import CANCELLED, SENDING, Broadcast, BroadcastRepository

logger = logging.getLogger(__name__)

TICK = 1.0  # seconds between looks at running broadcasts
STOP_GRACE = 10.0  # seconds a check in progress may take to finish when stopping


class DeliveryListener(Protocol):
    """Told about a broadcast's progress and end (the handlers show them to coordinators)."""

    async def progress(self, status: BroadcastStatus) -> int | None:
        """Show progress; return the id of the message that shows it, if there is one."""

    async def finished(self, status: BroadcastStatus) -> None:
        """Show the delivery report; raise if it could not be shown (it is tried again)."""


def status_of(
    broadcast: Broadcast, counts: DeliveryCounts, quiet: QuietHours, now: datetime
) -> BroadcastStatus:
    """A broadcast's status, including what it is waiting for, if anything."""
    waiting_until = None
    if broadcast.finished_at is None and broadcast.state != CANCELLED and counts.waiting:
        start = now
        if broadcast.not_before is not None and broadcast.not_before > now:
            start = broadcast.not_before
        if not broadcast.urgent:
            start = quiet.ends_at(start)
        waiting_until = start if start > now else None
    return BroadcastStatus(broadcast, counts, waiting_until)


@dataclass(eq=False)
class DeliveryMonitor:
    """Finishes broadcasts whose rows are all settled and keeps coordinators informed."""

    broadcasts: BroadcastRepository
    audit: AuditRepository | None
    quiet: QuietHours
    clock: Clock
    _: KW_ONLY
    progress_seconds: float = 5.0
    tick: float = TICK

    def __post_init__(self) -> None:
        """Nobody listening yet, nothing running."""
        self._listeners: list[DeliveryListener] = []
        self._last_progress: dict[int, tuple[float, object]] = {}
        self._finished_callbacks: list[Callable[[int], None]] = []
        self._wake = asyncio.Event()
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None

    def add_listener(self, listener: DeliveryListener) -> None:
        """Tell this listener about progress and ends from now on."""
        self._listeners.append(listener)

    def on_finished(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(broadcast_id)`` when a broadcast finishes (the worker forgets it)."""
        self._finished_callbacks.append(callback)

    async def start(self) -> None:
        """Start watching."""
        if self._runner is None or self._runner.done():
            self._stopping = False
            self._runner = asyncio.create_task(self._run(), name="delivery-monitor")

    async def stop(self) -> None:
        """Stop watching (after the check in progress, if any)."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            async with asyncio.timeout(STOP_GRACE):
                await asyncio.shield(runner)
        except TimeoutError:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner

    def wake(self) -> None:
        """Look again now."""
        self._wake.set()

    async def status(self, broadcast: Broadcast) -> BroadcastStatus:
        """The current status of one broadcast."""
        counts = DeliveryCounts.from_rows(await self.broadcasts.counts(broadcast.id))
        return status_of(broadcast, counts, self.quiet, self.clock.now())

    async def _run(self) -> None:
        """Check every tick until stopped; errors are logged and checking goes on."""
        while not self._stopping:
            try:
                await self.check()
            except Exception as exc:
                logger.exception("delivery monitor failed: %s", type(exc).__name__)
            # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.tick):
                    await self._wake.wait()
            self._wake.clear()

    async def check(self) -> None:
        """One look: finish what is settled, show progress, deliver reports still owed."""
        now = self.clock.now()
        for broadcast in await self.broadcasts.unfinished():
            if broadcast.state == CANCELLED:
                await self.broadcasts.cancel_leftovers(broadcast.id, now)
            if await self.broadcasts.finish(broadcast.id, now):
                await self._finished(broadcast.id)
            elif broadcast.state == SENDING and broadcast.report_chat_id is not None:
                await self._progress(broadcast)
        for broadcast in await self.broadcasts.unreported():
            await self._report(broadcast)

    async def _finished(self, broadcast_id: int) -> None:
        """Record the end in the audit log and tell everyone who listens."""
        self._last_progress.pop(broadcast_id, None)
        for callback in self._finished_callbacks:
            callback(broadcast_id)
        broadcast = await self.broadcasts.get(broadcast_id)
        if broadcast is None:
            return
        status = await self.status(broadcast)
        if self.audit is not None:
            counts = status.counts
            await self.audit.record(
                None,
                "delivery.finished",
                self.clock.now(),
                detail=(
                    f"{broadcast.kind} {broadcast.id} {broadcast.state}: "
                    f"{counts.delivered} delivered, {counts.blocked} blocked, "
                    f"{counts.failed_total} failed, {counts.uncertain} uncertain, "
                    f"{counts.cancelled} cancelled, {counts.skipped_total} skipped"
                ),
            )
        if broadcast.report_chat_id is None:
            for listener in self._listeners:
                await self._safely(listener.finished(status))
            await self.broadcasts.mark_reported(broadcast_id)

    async def _report(self, broadcast: Broadcast) -> None:
        """Deliver the report to the coordinator; try again next tick if it fails."""
        status = await self.status(broadcast)
        for listener in self._listeners:
            if not await self._safely(listener.finished(status)):
                return
        await self.broadcasts.mark_reported(broadcast.id)

    async def _progress(self, broadcast: Broadcast) -> None:
        """Update the progress message every few seconds, and only when something changed."""
        status = await self.status(broadcast)
        key = (status.counts.settled, status.waiting_until)
        last = self._last_progress.get(broadcast.id)
        now = time.monotonic()
        if last is not None and (now - last[0] < self.progress_seconds or last[1] == key):
            return
        self._last_progress[broadcast.id] = (now, key)
        for listener in self._listeners:
            try:
                message_id = await listener.progress(status)
            except Exception as exc:
                logger.warning("progress not shown for %d: %s", broadcast.id, type(exc).__name__)
                continue
            if message_id is not None and message_id != broadcast.progress_message_id:
                await self.broadcasts.set_progress_message(broadcast.id, message_id)

    @staticmethod
    async def _safely(call: Awaitable[None]) -> bool:
        """Await a listener call; log and return False if it fails."""
        try:
            await call
        except Exception as exc:
            logger.warning("delivery report not shown: %s", type(exc).__name__)
            return False
        return True
