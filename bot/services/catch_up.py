"""Late joiners are asked too: open consultations and upcoming meetings a member missed.

Each invitation row is written with its message (``enqueue(..., tx=)``) in one transaction:
a crash or a failed write leaves neither, so the next trigger asks once; once written, the
delivery engine owns it. ``member_in`` does it inside a caller's transaction (a member's own
change: a preference turned on, a pause ended), so the change and the catch-up land together.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.services import consultation_sending as polls
from bot.services import meetings
from storage.audience import AudienceRepository
from storage.catch_up import CatchUpRepository
from storage.consultations import ConsultationRepository
from storage.db import Database, Session
from storage.meetings import MeetingRepository
from storage.members import MemberRepository

logger = logging.getLogger(__name__)

# A consultation closing sooner than this is not worth asking about (no time to answer).
CONSULTATION_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class CaughtUp:
    """What a member was newly invited to: consultation ids and meeting ids."""

    consultations: tuple[int, ...] = ()
    meetings: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        """True when anything was queued."""
        return bool(self.consultations or self.meetings)


class CatchUpService:
    """Invites a member, once each, to what their audience was asked before they fitted it."""

    def __init__(
        self,
        db: Database,
        missed: CatchUpRepository,
        members: MemberRepository,
        audiences: AudienceRepository,
        consultations: ConsultationRepository,
        meeting_rows: MeetingRepository,
        delivery: DeliveryService,
        consultation_messages: polls.ConsultationMessages,
        meeting_messages: meetings.MeetingMessages,
        clock: Clock,
    ) -> None:
        self._db = db
        self._missed = missed
        self._members = members
        self._audiences = audiences
        self._polls = consultations
        self._meetings = meeting_rows
        self._delivery = delivery
        self._poll_messages = consultation_messages
        self._meeting_messages = meeting_messages
        self._clock = clock

    async def member(self, member_id: int) -> CaughtUp:
        """Invite a set-up member, once each, to open consultations and meetings they missed:
        every invitation row and its message in one transaction, the worker woken after."""
        async with self._db.transaction() as tx:
            caught = await self.member_in(member_id, tx)
        if caught:
            self.wake()
        return caught

    async def member_in(self, member_id: int, tx: Session) -> CaughtUp:
        """``member`` inside the caller's transaction ``tx``: nothing is sent until it
        commits, and the caller calls ``wake()`` then if anything was caught up."""
        member = await self._members.get(member_id, tx)
        if member is None or not member.setup_done:
            return CaughtUp()
        asked = await self._consultations(member_id, member.region_id, member.hub_id, tx)
        invited = await self._meeting_invites(member_id, member.region_id, member.hub_id, tx)
        if asked or invited:
            logger.info("late invitations: %d consultations, %d meetings", len(asked), len(invited))
        return CaughtUp(tuple(asked), tuple(invited))

    def wake(self) -> None:
        """Tell the delivery worker new messages were committed."""
        self._delivery.wake()

    async def _consultations(
        self, member_id: int, region_id: str | None, hub_id: str | None, tx: Session
    ) -> list[int]:
        """Ask the member each open consultation they missed, in ``tx``; return the ids."""
        now = self._clock.now()
        if not await self._audiences.includes(member_id, polls.PREFERENCE, now, tx):
            return []
        closing_after = now + CONSULTATION_MARGIN
        asked = []
        for consultation_id in await self._missed.consultations_not_asked(
            member_id, region_id, hub_id, closing_after, tx
        ):
            if not await self._missed.invite_to_consultation(
                consultation_id, member_id, closing_after, tx
            ):
                continue  # it closed or no longer fits
            consultation = await self._polls.get(consultation_id, tx)
            assert consultation is not None
            text, markup = self._poll_messages.invitation(consultation)
            await self._delivery.enqueue(
                polls.KIND_INVITE,
                text,
                [member_id],
                reply_markup=markup,
                preference=polls.PREFERENCE,
                audience=consultation.audience_label,
                tx=tx,
            )
            asked.append(consultation_id)
        return asked

    async def _meeting_invites(
        self, member_id: int, region_id: str | None, hub_id: str | None, tx: Session
    ) -> list[int]:
        """Invite the member to each upcoming meeting they missed, in ``tx``; return the ids.
        Reminders and the nudge read the same rows, so later ones reach them too."""
        now = self._clock.now()
        if not await self._audiences.includes(member_id, meetings.PREFERENCE, now, tx):
            return []
        invited = []
        for meeting_id in await self._missed.meetings_not_invited(
            member_id, region_id, hub_id, now, tx
        ):
            if not await self._missed.invite_to_meeting(meeting_id, member_id, now, tx):
                continue
            meeting = await self._meetings.get(meeting_id, tx)
            assert meeting is not None
            text, markup = self._meeting_messages.invitation(meeting)
            await self._delivery.enqueue(
                meetings.KIND_INVITE,
                text,
                [member_id],
                reply_markup=markup,
                preference=meetings.PREFERENCE,
                audience=meeting.audience_label,
                tx=tx,
            )
            invited.append(meeting_id)
        return invited
