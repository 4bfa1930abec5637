"""Coordinators' changes to a consultation: the list with progress, close early, extend,
cancel (everyone asked is told) and "you said, we did"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.delivery.outbox import outbox
from bot.services.consultations.answers import FixedParts
from bot.services.consultations.base import ConsultationBase
from bot.services.consultations.errors import (
    CloseTooSoon,
    ConsultationClosed,
    ConsultationGone,
    StillOpen,
    TextInvalid,
    existing,
)
from bot.services.consultations.messages import (
    KIND_CANCELLED,
    KIND_FOLLOWUP,
    for_members,
)
from bot.services.consultations.rules import MAX_FOLLOWUP, check_times
from bot.services.consultations.schedule import ConsultationSchedule
from storage.consultations import (
    CANCELLED,
    CLOSED,
    Consultation,
)


@dataclass(frozen=True)
class Progress:
    """A current consultation with how many were invited and have answered (for coordinators)."""

    consultation: Consultation
    invited: int
    answered: int


@dataclass(eq=False)
class ConsultationChanges(ConsultationBase):
    """What coordinators do to a consultation once it is set up; each step checks the role."""

    fixed_parts: FixedParts
    schedule: ConsultationSchedule

    async def current(self, actor_id: int) -> list[Progress]:
        """Scheduled and open consultations with invited and answered numbers."""
        await self.roles.require_coordinator(actor_id, "list consultations")
        progress = []
        for consultation in await self.consultations.current():
            places = await self.consultations.live_counts(
                consultation.id, len(consultation.options)
            )
            progress.append(
                Progress(
                    consultation,
                    sum(place.invited for place in places),
                    sum(place.answered for place in places),
                )
            )
        return progress

    async def _changeable(self, actor_id: int, consultation_id: int, action: str) -> Consultation:
        """A scheduled or open consultation a coordinator may change."""
        await self.roles.require_coordinator(actor_id, action)
        consultation = await existing(self.consultations, consultation_id)
        if consultation.state == CANCELLED:
            raise ConsultationGone
        if consultation.state == CLOSED:
            raise ConsultationClosed
        return consultation

    async def close_now(self, actor_id: int, consultation_id: int) -> Consultation:
        """Close early: the results pack goes out as at a deadline."""
        await self._changeable(actor_id, consultation_id, "close consultation")
        await self.schedule.close(consultation_id, actor_id, "closed early")
        return await existing(self.consultations, consultation_id)

    async def extend(
        self, actor_id: int, consultation_id: int, closes_at: datetime
    ) -> Consultation:
        """Move the deadline later; a nudge not sent yet moves with it."""
        consultation = await self._changeable(actor_id, consultation_id, "extend consultation")
        if closes_at <= consultation.closes_at:
            raise CloseTooSoon
        check_times(consultation.opens_at, closes_at, self.clock.now())
        now = self.clock.now()
        await self.consultations.set_closes_at(consultation_id, closes_at, now)
        self.fixed_parts.forget(consultation_id)
        closes = closes_at.isoformat(timespec="minutes")
        await self.record(actor_id, "extended", consultation_id, now, f" now closes {closes}")
        return await existing(self.consultations, consultation_id)

    async def cancel(self, actor_id: int, consultation_id: int) -> int:
        """Withdraw a consultation: its answers and comments are deleted and everyone asked
        is told. Return how many are told."""
        consultation = await self._changeable(actor_id, consultation_id, "cancel consultation")
        now = self.clock.now()
        # The state, the answers deleted and the notice queued: one transaction, all or none.
        async with outbox(self.db, self.delivery) as box:
            moved = await self.consultations.end(consultation_id, CANCELLED, now, box.tx)
            if not moved:
                raise ConsultationClosed
            invited = await self.consultations.invited(consultation_id, tx=box.tx)
            await self.consultations.discard_answers(consultation_id, box.tx)
            self.fixed_parts.forget(consultation_id)
            told = f", {len(invited)} told"
            await self.record(actor_id, "cancelled", consultation_id, now, told, box.tx)
            await box.send_rendered(
                KIND_CANCELLED,
                self.messages.cancelled(consultation),
                invited,
                created_by=actor_id,
                **for_members(consultation),
            )
        return len(invited)

    async def followup_count(self, actor_id: int, consultation_id: int) -> int:
        """How many a "you said, we did" message would reach: everyone asked who is still a
        member (leavers' invitations are erased)."""
        await self.roles.require_coordinator(actor_id, "consultation follow-up")
        return len(await self.consultations.invited(consultation_id))

    async def follow_up(self, actor_id: int, consultation_id: int, text: str) -> int:
        """ "You said, we did": send what came of a closed consultation to everyone who was
        asked; return how many."""
        await self.roles.require_coordinator(actor_id, "consultation follow-up")
        consultation = await existing(self.consultations, consultation_id)
        if consultation.state == CANCELLED:
            raise ConsultationGone
        if consultation.state != CLOSED:
            raise StillOpen
        text = text.strip()
        if not text or len(text) > MAX_FOLLOWUP:
            raise TextInvalid
        now = self.clock.now()
        html_text, markup = self.messages.followup(consultation, text)
        # Kept, recorded and queued in one transaction: a failure keeps none of it, so the
        # coordinator's retry neither doubles it nor leaves one that was never sent.
        async with outbox(self.db, self.delivery) as box:
            followup_id = await self.consultations.add_followup(
                consultation_id, text, actor_id, now, box.tx
            )
            await self.record(actor_id, "followup", consultation_id, now, tx=box.tx)
            invited = await self.consultations.invited(consultation_id, tx=box.tx)
            broadcast_id = await box.send(
                KIND_FOLLOWUP,
                html_text,
                invited,
                created_by=actor_id,
                reply_markup=markup,
                **for_members(consultation),
                report_to=actor_id,
            )
            if broadcast_id is not None:
                await self.consultations.set_followup_broadcast(followup_id, broadcast_id, box.tx)
        return len(invited)
