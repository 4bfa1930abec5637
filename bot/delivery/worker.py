"""The delivery worker: takes due rows from the outbox and sends them within Telegram's limits.

Each round, in one transaction, it records the sends that finished and claims the rows that
may start now (marking them 'sending'). A row is marked 'sending' just before its request
leaves, and at most ``in_flight`` rows are ever marked so; a crash can therefore leave only
that many rows whose fate is unknown, and they become 'uncertain' at the next start.
What each broadcast sends is worked out once (``plans.py``); the state a row moves to after a
call is ``outcomes.row_update``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from bot.clock import Clock
from bot.delivery.content import Outgoing
from bot.delivery.limiter import SendLimiter
from bot.delivery.outcomes import Claimed, row_update
from bot.delivery.plans import BroadcastPlans
from bot.delivery.policy import REFUSED, Outcome, RetryPolicy, Verdict
from bot.delivery.quiet import QuietHours
from storage.broadcasts import BroadcastRepository
from storage.deliveries import PENDING, Candidate, DeliveryRepository
from storage.members import MemberRepository

logger = logging.getLogger(__name__)

IN_FLIGHT = 8  # sends in the air at once; also the most rows a crash can leave uncertain
BATCH = 256  # due rows read from the database at a time
IDLE_POLL = 1.0  # seconds between looks at the outbox when nothing wakes the worker

# Told (old id, new id) when a send finds that a group became a supergroup: its link follows.
ChatMoved = Callable[[int, int], Awaitable[object]]


class Transport(Protocol):
    """Anything that can make one Bot API call to one chat and classify the answer."""

    async def start(self) -> None:
        """Get ready to send."""

    async def close(self) -> None:
        """Release connections."""

    async def send(self, chat_id: int, call: Outgoing) -> Outcome:
        """Make the call and say what the answer means."""


class DeliveryWorker:
    """Sends due rows at the configured rate with a small, fixed number in flight."""

    def __init__(
        self,
        deliveries: DeliveryRepository,
        broadcasts: BroadcastRepository,
        members: MemberRepository,
        transport: Transport,
        limiter: SendLimiter,
        policy: RetryPolicy,
        quiet: QuietHours,
        clock: Clock,
        *,
        in_flight: int = IN_FLIGHT,
        batch: int = BATCH,
        idle_poll: float = IDLE_POLL,
        stop_grace: float = 30.0,
    ) -> None:
        if in_flight < 1:
            raise ValueError("in_flight must be at least 1")
        self._deliveries = deliveries
        self._plans = BroadcastPlans(broadcasts)
        self._members = members
        self._transport = transport
        self._limiter = limiter
        self._policy = policy
        self._quiet = quiet
        self._clock = clock
        self._in_flight = in_flight
        self._batch = batch
        self._idle_poll = idle_poll
        self._stop_grace = stop_grace
        self._buffer: deque[Candidate] = deque()
        self._stale = True
        self._more = False
        self._buffer_quiet = False
        self._last_fetch = -math.inf
        self._active: dict[int, Claimed] = {}
        self._results: list[tuple[Claimed, Outcome]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._failures_in_a_row = 0
        self._event = asyncio.Event()
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None
        self._last_launch = -math.inf  # the limiter's clock when a send last started
        self._chat_moved: list[ChatMoved] = []

    def on_chat_moved(self, listener: ChatMoved) -> None:
        """Be told (old id, new id) when a send finds a group became a supergroup; its rows
        are re-pointed already (group chats move their link)."""
        self._chat_moved.append(listener)

    def idle_for(self) -> float:
        """Seconds since the last send started (0 while any is in the air): how long Telegram's
        limit has been left to others, such as the redraw lane."""
        if self._active:
            return 0.0
        return max(0.0, self._limiter.now() - self._last_launch)

    @property
    def in_flight_limit(self) -> int:
        """The most rows that are ever marked 'sending' at once."""
        return self._in_flight

    @property
    def running(self) -> bool:
        """True while the worker's loop runs."""
        return self._runner is not None and not self._runner.done()

    async def start(self) -> int:
        """Mark rows left mid-send by a crash as uncertain, then start sending; return them."""
        if self.running:
            return 0
        recovered = await self._deliveries.recover(self._clock.now())
        if recovered:
            logger.warning("%d deliveries were mid-send at the last stop: now uncertain", recovered)
        await self._transport.start()
        self._stopping = False
        self._runner = asyncio.create_task(self._run(), name="delivery-worker")
        return recovered

    async def stop(self) -> None:
        """Stop claiming rows, let sends in the air finish, record them, and close."""
        runner = self._runner
        if runner is None:
            return
        self._stopping = True
        self._event.set()
        try:
            async with asyncio.timeout(self._stop_grace):
                await asyncio.shield(runner)
        except TimeoutError:
            # Rows still marked 'sending' become uncertain at the next start.
            logger.warning(
                "delivery worker did not stop in time; cancelling %d sends", len(self._tasks)
            )
            for task in list(self._tasks):
                task.cancel()
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        finally:
            self._runner = None
            await self._transport.close()

    def wake(self) -> None:
        """Look at the outbox again now (something was queued, cancelled or changed)."""
        self._stale = True
        self._event.set()

    def forget(self, broadcast_id: int) -> None:
        """Drop a broadcast's cached content (used once it has finished)."""
        self._plans.forget(broadcast_id)

    async def _run(self) -> None:
        """Rounds until stopped; an unexpected error is logged and the loop goes on."""
        while True:
            try:
                wait = await self._round()
            except Exception as exc:  # never let one bad round stop all delivery
                logger.exception("delivery round failed: %s", type(exc).__name__)
                wait = self._idle_poll
            if self._stopping and not self._active and not self._results:
                return
            if wait > 0:
                await self._sleep(wait)

    async def _sleep(self, seconds: float) -> None:
        """Sleep until woken (a send finished, something queued) or for at most ``seconds``."""
        if not self._event.is_set():
            # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._event.wait()
        self._event.clear()

    async def _round(self) -> float:
        """Record finished sends, claim what may start now, start it; return how long to rest."""
        now = self._clock.now()
        finished, self._results = self._results, []
        await self._plans.learn_file_ids((c.broadcast_id, c.call, o) for c, o in finished)
        updates = [row_update(claimed, outcome, now, self._policy) for claimed, outcome in finished]
        unreachable = [c.recipient_id for c, o in finished if o.unreachable]
        busy = len(self._active) - len(finished)
        free = 0 if self._stopping else self._in_flight - busy
        picks: list[Candidate] = []
        skips: list[tuple[int, str]] = []
        wait = self._idle_poll
        paused = self._limiter.paused_for()
        if free > 0 and paused <= 0:
            await self._refill(now)
            picks, skips, wait = self._choose(free)
        elif paused > 0:
            wait = paused
        calls = await self._calls_for(picks)
        failed_now = [pick for pick in picks if calls.get(pick.id) is None]
        claims = [pick.id for pick in picks if calls.get(pick.id) is not None]
        skips.extend((pick.id, REFUSED) for pick in failed_now)
        if not (updates or claims or skips):
            return wait
        try:
            claimed = set(await self._deliveries.settle_and_claim(now, updates, claims, skips))
        except BaseException:
            # Nothing was written: keep the outcomes for the next round.
            self._results = finished + self._results
            raise
        for done, _outcome in finished:
            self._active.pop(done.id, None)
        for pick in picks:
            if pick.id in claimed:
                self._launch(pick, calls[pick.id])
        if any(update.state == PENDING for update in updates):
            self._stale = True
        await self._mark_unreachable(unreachable, now)
        await self._tell_moved(
            {c.recipient_id: u.moved_to for (c, _o), u in zip(finished, updates, strict=True)}
        )
        return 0.0 if picks or finished else wait

    async def _tell_moved(self, moves: dict[int, int | None]) -> None:
        """Tell the listeners about groups found to have moved (a failure is logged by type:
        the next post there finds it again)."""
        for old_id, new_id in moves.items():
            if new_id is None:
                continue
            logger.info("a group became a supergroup: its posts go to the new id")
            self._stale = True
            for listener in self._chat_moved:
                try:
                    await listener(old_id, new_id)
                except Exception as exc:
                    logger.error("a moved group was not followed: %s", type(exc).__name__)

    async def _mark_unreachable(self, member_ids: list[int], now: datetime) -> None:
        """Members who blocked the bot or are gone get no later sends until they /start."""
        for member_id in member_ids:
            try:
                await self._members.set_reachable(member_id, False, now)
            except Exception as exc:
                logger.error("could not mark a member unreachable: %s", type(exc).__name__)

    async def _refill(self, now: datetime) -> None:
        """Read due rows when the buffer is empty, out of date, or quiet hours began or ended."""
        quiet = self._quiet.is_quiet(now)
        loop_now = self._limiter.now()
        if quiet != self._buffer_quiet:
            self._stale = True
        if not self._stale and self._buffer:
            return
        if not (self._stale or self._more) and loop_now - self._last_fetch < self._idle_poll:
            return
        self._stale = False
        self._last_fetch = loop_now
        self._buffer_quiet = quiet
        rows = await self._deliveries.candidates(now, quiet, self._batch)
        self._more = len(rows) >= self._batch
        self._buffer = deque(rows)

    def _choose(self, free: int) -> tuple[list[Candidate], list[tuple[int, str]], float]:
        """Pick rows that may start now; skip rows the member no longer wants; say how long
        to rest when nothing can start."""
        allowed = min(free, self._limiter.available())
        picks: list[Candidate] = []
        skips: list[tuple[int, str]] = []
        kept: list[Candidate] = []
        chats: set[int] = set()
        chat_wait = math.inf
        while self._buffer and len(picks) < allowed:
            row = self._buffer.popleft()
            if row.skip is not None:
                skips.append((row.id, row.skip))
                continue
            wait = self._limiter.chat_wait(row.recipient_id)
            if row.recipient_id in chats or wait > 0:
                if wait > 0:
                    chat_wait = min(chat_wait, wait)
                kept.append(row)
                continue
            chats.add(row.recipient_id)
            picks.append(row)
        self._buffer.extendleft(reversed(kept))
        if picks:
            return picks, skips, 0.0
        if allowed == 0:
            return picks, skips, max(self._limiter.overall_wait(), 0.001)
        if self._buffer:
            return picks, skips, min(chat_wait, self._idle_poll)
        return picks, skips, self._idle_poll

    async def _calls_for(self, picks: list[Candidate]) -> dict[int, Outgoing | None]:
        """The call each picked row makes next; None when its broadcast cannot be sent."""
        calls: dict[int, Outgoing | None] = {}
        for pick in picks:
            calls[pick.id] = await self._plans.call(pick.broadcast_id, pick.part)
        return calls

    def _launch(self, pick: Candidate, call: Outgoing) -> None:
        """Count the send against the limits and start it."""
        parts = self._plans.parts(pick.broadcast_id)
        claimed = Claimed(
            pick.id, pick.broadcast_id, pick.recipient_id, pick.part, pick.attempts, parts, call
        )
        self._limiter.take(pick.recipient_id)
        self._last_launch = self._limiter.now()
        self._active[pick.id] = claimed
        task = asyncio.create_task(self._send(claimed), name=f"delivery-{pick.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, claimed: Claimed) -> None:
        """Make one call; react to limits at once; hand the outcome to the next round."""
        try:
            outcome = await self._transport.send(claimed.recipient_id, claimed.call)
        except Exception as exc:  # the request may have left: never risk a second copy
            logger.error("delivery %d failed unexpectedly: %s", claimed.id, type(exc).__name__)
            outcome = Outcome(Verdict.UNCERTAIN, "internal_error")
        if outcome.verdict is Verdict.RATE_LIMITED:
            logger.warning("Telegram asked to slow down: pausing %.1f s", outcome.retry_after)
            self._limiter.pause(outcome.retry_after)
        elif outcome.verdict is Verdict.RETRY:
            self._failures_in_a_row += 1
            self._limiter.pause(self._policy.delay(self._failures_in_a_row))
        elif outcome.verdict is Verdict.HOLD:
            logger.error("Telegram refused the bot's token; pausing deliveries")
            self._limiter.pause(self._policy.hold_seconds)
        elif outcome.verdict is Verdict.SENT:
            self._failures_in_a_row = 0
        self._results.append((claimed, outcome))
        self._event.set()
