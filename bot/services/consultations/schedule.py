"""Consultations' scheduled work: open on time with invitations, one nudge, close with the
anonymous counts kept, then the results."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.delivery import Audience
from bot.delivery.audience import UnknownPlace
from bot.delivery.group_posts import SAY
from bot.delivery.outbox import outbox
from bot.services.consultations.answers import FixedParts
from bot.services.consultations.base import ConsultationBase
from bot.services.consultations.errors import existing
from bot.services.consultations.messages import (
    KIND_GROUP_POST,
    KIND_INVITE,
    KIND_NUDGE,
    PREFERENCE,
    RoundNote,
    for_members,
    with_round_note,
)
from bot.services.consultations.results import ConsultationResults
from storage.consultations import (
    CLOSED,
    NUDGE_SENT,
    NUDGE_SKIPPED,
    OPEN,
    Consultation,
)

logger = logging.getLogger(__name__)

NUDGE_GAP = timedelta(hours=2)  # no nudge this soon after opening
NUDGE_LAST = timedelta(hours=1)  # no nudge with less than this left
QUIET_MARGIN = timedelta(minutes=30)


@dataclass(eq=False)
class ConsultationSchedule(ConsultationBase):
    """Opening, nudging and closing consultations when their times come."""

    fixed_parts: FixedParts
    results: ConsultationResults
    nudge_hours: int = 24
    round_note: RoundNote | None = None  # a series round's line for its invitation

    def __post_init__(self) -> None:
        """The parts built from the fields."""
        self._nudge = timedelta(hours=self.nudge_hours)

    async def open_due(self) -> list[int]:
        """Open every scheduled consultation whose time has come and send its invitations.

        The state, the invitation rows and the invitation broadcast (with its delivery rows)
        are written in one transaction: a crash or a failed write leaves the consultation
        scheduled, so the next sweep opens it, asking everyone once; never opened unasked."""
        opened = []
        for consultation in await self.consultations.due_to_open(self.clock.now()):
            if consultation.closes_at <= self.clock.now():
                continue  # the bot was down for all of it: closing comes next, with no asking
            audience = Audience(
                consultation.audience_scope, consultation.audience_place, PREFERENCE
            )
            try:
                invitees = await self.audiences.recipients(audience)
            except UnknownPlace:
                invitees = []  # the forum file lost that place; nobody to ask
            try:
                note = await self.round_note(consultation.id, None) if self.round_note else None
                invitation = with_round_note(
                    self.messages.invitation(replace(consultation, state=OPEN)), note
                )
                async with outbox(self.db, self.delivery) as box:
                    now = self.clock.now()
                    if not await self.consultations.open(consultation.id, invitees, now, box.tx):
                        continue
                    await box.send_rendered(
                        KIND_INVITE,
                        invitation,
                        invitees,
                        **for_members(consultation),
                    )
                    await box.post_to_groups(
                        KIND_GROUP_POST,
                        consultation.audience_scope,
                        consultation.audience_place,
                        self.messages.group_post(consultation),
                        SAY,
                    )
            except Exception:
                logger.exception("consultation %s could not be opened; kept", consultation.id)
                continue
            self.fixed_parts.forget(consultation.id)
            opened.append(consultation.id)
        return opened

    def nudge_due(self, consultation: Consultation) -> datetime | None:
        """When the nudge goes: the set hours before closing, moved to before quiet hours;
        None when that would be too soon after opening."""
        due = self.quiet.before_quiet(consultation.closes_at - self._nudge, QUIET_MARGIN)
        if due < consultation.opens_at + NUDGE_GAP:
            return None
        return due

    async def send_due_nudges(self) -> list[int]:
        """Send each open consultation's one nudge when due, to members asked who have not
        answered (the engine skips those who turned consultations off or paused)."""
        sent = []
        now = self.clock.now()
        for consultation in await self.consultations.open_with_nudge_pending():
            due = self.nudge_due(consultation)
            if due is not None and now < due:
                continue
            too_late = self.quiet.ends_at(now) > consultation.closes_at - NUDGE_LAST
            if due is None or too_late:
                await self.consultations.take_nudge(consultation.id, NUDGE_SKIPPED, now)
                continue
            # Taken and queued in one transaction: a crash or a failed write leaves it
            # pending for the next sweep (skipped then if it has become too late).
            try:
                async with outbox(self.db, self.delivery) as box:
                    taken = await self.consultations.take_nudge(
                        consultation.id, NUDGE_SENT, now, box.tx
                    )
                    if not taken:
                        continue
                    silent = await self.consultations.not_answered(consultation.id, box.tx)
                    await box.send_rendered(
                        KIND_NUDGE,
                        self.messages.nudge(consultation),
                        silent,
                        **for_members(consultation),
                    )
            except Exception:
                logger.exception("consultation %s nudge could not be queued; kept", consultation.id)
                continue
            sent.append(consultation.id)
        return sent

    async def close_due(self) -> list[int]:
        """Close every consultation past its deadline (also after downtime) and send results;
        also send any results pack a crash left unsent."""
        closed = []
        for consultation in await self.consultations.due_to_close(self.clock.now()):
            if await self.close(consultation.id, None, "deadline"):
                closed.append(consultation.id)
        for consultation in await self.consultations.closed_without_results():
            await self.results.try_send(consultation)
        return closed

    async def tick(self) -> None:
        """Everything scheduled: open, nudge, close (each step guarded on its own)."""
        for step in (self.open_due, self.send_due_nudges, self.close_due):
            try:
                await step()
            except Exception:
                logger.exception("consultation step %s failed this time", step.__name__)

    async def close(self, consultation_id: int, actor_id: int | None, why: str) -> bool:
        """Close once: keep the anonymous counts in the same transaction, then send results.

        Closing and queueing the results are two transactions on purpose: the pack is built
        (suppression, a chart) off the event loop, which must not hold the database. It is
        still never lost nor sent twice: ``results_sent`` stays 0 until the pack is queued
        (flag and broadcasts in one transaction, see ``ConsultationResults.try_send``), and
        every sweep (``close_due``) queues any closed consultation's pack still at 0."""
        now = self.clock.now()
        consultation = await existing(self.consultations, consultation_id)
        async with self.db.transaction() as tx:
            moved = await self.consultations.end(consultation_id, CLOSED, now, tx)
            if not moved:
                return False
            places = await self.consultations.live_counts(
                consultation_id, len(consultation.options), tx
            )
            await self.consultations.keep_counts(consultation_id, places, tx)
            self.fixed_parts.forget(consultation_id)
            await self.record(actor_id, "closed", consultation_id, now, f": {why}", tx)
        closed = await existing(self.consultations, consultation_id)
        await self.results.try_send(closed)
        return True
