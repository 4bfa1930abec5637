"""Late joiners are asked too: open consultations, open surveys and upcoming meetings a member
missed.

Each invitation row is written with its message (through an ``Outbox``) in one transaction:
a crash or a failed write leaves neither, so the next trigger asks once; once written, the
delivery engine owns it. ``member_in`` does it inside a caller's outbox (a member's own
change: a preference turned on, a pause ended), so the change and the catch-up land together.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from typing import Any

from bot.clock import Clock
from bot.delivery import DeliveryService
from bot.delivery.outbox import Outbox, Rendered, Transactional, outbox
from bot.services.consultations import messages as consultation_kinds
from bot.services.meetings import messages as meeting_kinds
from bot.services.surveys import messages as survey_kinds
from bot.services.surveys.definition import from_json
from bot.services.surveys.records import SurveyRecord
from storage.audience import AudienceRepository
from storage.catch_up import CatchUpRepository
from storage.consultations import ConsultationRepository
from storage.db import Database, Session
from storage.meetings import MeetingRepository
from storage.members import MemberRepository
from storage.surveys import SurveyRepository

logger = logging.getLogger(__name__)

# A series round's invitation line: (kind, consultation or survey id, transaction) -> the line.
RoundNotes = Callable[[str, int, Session | None], Awaitable[str | None]]

# A consultation closing sooner than this is not worth asking about (no time to answer).
CONSULTATION_MARGIN = timedelta(hours=1)
SURVEY_MARGIN = CONSULTATION_MARGIN  # the same for a survey (the shortest one is open an hour)


@dataclass(frozen=True)
class CaughtUp:
    """What a member was newly invited to: consultation, meeting and survey ids."""

    consultations: tuple[int, ...] = ()
    meetings: tuple[int, ...] = ()
    surveys: tuple[int, ...] = ()

    def __bool__(self) -> bool:
        """True when anything was queued."""
        return bool(self.consultations or self.meetings or self.surveys)


@dataclass(eq=False)
class CatchUpService:
    """Invites a member, once each, to what their audience was asked before they fitted it."""

    db: Database
    missed: CatchUpRepository
    members: MemberRepository
    audiences: AudienceRepository
    consultations: ConsultationRepository
    meeting_rows: MeetingRepository
    delivery: DeliveryService
    consultation_messages: consultation_kinds.ConsultationMessages
    meeting_messages: meeting_kinds.MeetingMessages
    clock: Clock
    surveys: SurveyRepository | None = None  # None: surveys are not caught up (older tests)
    survey_messages: survey_kinds.SurveyMessages | None = None
    # A series round's line for its invitation, by kind ("consultation", "survey") and id.
    round_notes: RoundNotes | None = None

    def _note(self, kind: str) -> consultation_kinds.RoundNote | None:
        """The round line of one kind, read in the caller's transaction (None: no series)."""
        notes = self.round_notes
        if notes is None:
            return None
        return lambda item_id, tx: notes(kind, item_id, tx)

    async def member(self, member_id: int) -> CaughtUp:
        """Invite a set-up member, once each, to open consultations and meetings they missed:
        every invitation row and its message in one transaction, the worker woken after."""
        async with outbox(self.db, self.delivery) as box:
            return await self.member_in(member_id, box)

    def outbox(self, db: Transactional) -> AbstractAsyncContextManager[Outbox]:
        """A transaction for a member's own change with its catch-up (``member_in``)."""
        return outbox(db, self.delivery)

    async def member_in(self, member_id: int, box: Outbox) -> CaughtUp:
        """``member`` inside the caller's outbox (``outbox``): nothing is sent until its
        transaction commits, and the worker is woken then."""
        member = await self.members.get(member_id, box.tx)
        if member is None or not member.setup_done:
            return CaughtUp()
        asked = await self._ask_consultations(member_id, member.region_id, member.hub_id, box)
        invited = await self._meeting_invites(member_id, member.region_id, member.hub_id, box)
        surveys = await self._ask_surveys(member_id, member.region_id, member.hub_id, box)
        if asked or invited or surveys:
            logger.info(
                "late invitations: %d consultations, %d meetings, %d surveys",
                len(asked),
                len(invited),
                len(surveys),
            )
        return CaughtUp(tuple(asked), tuple(invited), tuple(surveys))

    async def _ask_consultations(
        self, member_id: int, region_id: str | None, hub_id: str | None, box: Outbox
    ) -> list[int]:
        """Ask the member each open consultation they missed, in ``box``; return the ids."""
        tx, now = box.tx, self.clock.now()
        if not await self.audiences.includes(member_id, consultation_kinds.PREFERENCE, now, tx):
            return []
        closing_after = now + CONSULTATION_MARGIN
        missed = await self.missed.consultations_not_asked(
            member_id, region_id, hub_id, closing_after, tx
        )
        return await _send_invitations(
            box,
            member_id,
            missed,
            lambda item_id: self.missed.invite_to_consultation(
                item_id, member_id, closing_after, tx
            ),
            self.consultations.get,
            consultation_kinds,
            self.consultation_messages.invitation,
            self._note("consultation"),
        )

    async def _ask_surveys(
        self, member_id: int, region_id: str | None, hub_id: str | None, box: Outbox
    ) -> list[int]:
        """Ask the member each open survey for their places they missed, in ``box`` (surveys
        go to members who get consultations); return the ids."""
        if self.surveys is None or self.survey_messages is None:
            return []
        tx, now = box.tx, self.clock.now()
        if not await self.audiences.includes(member_id, survey_kinds.PREFERENCE, now, tx):
            return []
        closing_after = now + SURVEY_MARGIN
        missed = await self.missed.surveys_not_asked(
            member_id, region_id, hub_id, closing_after, tx
        )
        return await _send_invitations(
            box,
            member_id,
            missed,
            lambda item_id: self.missed.invite_to_survey(item_id, member_id, closing_after, tx),
            self._survey,
            survey_kinds,
            self.survey_messages.invitation,
            self._note("survey"),
        )

    async def _survey(self, survey_id: int, tx: Session) -> SurveyRecord | None:
        """An open survey as its invitation needs it (title, questions, closing time and
        audience), read in ``tx``; its counts are not needed there and are left at 0."""
        assert self.surveys is not None
        row = await self.surveys.get(survey_id, tx)
        if row is None:
            return None
        return SurveyRecord(
            id=row.id,
            file_key=row.file_key,
            title=row.title,
            anonymous=row.anonymous,
            audience_scope=row.audience_scope,
            audience_place=row.audience_place,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            state=row.state,
            invited=0,
            finished=0,
            survey=from_json(row.definition),
        )

    async def _meeting_invites(
        self, member_id: int, region_id: str | None, hub_id: str | None, box: Outbox
    ) -> list[int]:
        """Invite the member to each upcoming meeting they missed, in ``box``; return the ids.
        Reminders and the nudge read the same rows, so later ones reach them too."""
        tx, now = box.tx, self.clock.now()
        if not await self.audiences.includes(member_id, meeting_kinds.PREFERENCE, now, tx):
            return []
        missed = await self.missed.meetings_not_invited(member_id, region_id, hub_id, now, tx)
        return await _send_invitations(
            box,
            member_id,
            missed,
            lambda item_id: self.missed.invite_to_meeting(item_id, member_id, now, tx),
            self.meeting_rows.get,
            meeting_kinds,
            self.meeting_messages.invitation,
        )


async def _send_invitations(
    box: Outbox,
    member_id: int,
    missed: Sequence[int],
    invite: Callable[[int], Awaitable[bool]],
    get: Callable[[int, Session], Awaitable[Any]],
    kinds: ModuleType,
    invitation: Callable[[Any], Rendered],
    note: consultation_kinds.RoundNote | None = None,
) -> list[int]:
    """Invite the member to each missed item that still takes them (``invite`` writes the
    row, False when it closed or no longer fits), with its invitation in ``box``: ``get``
    reads the item, ``kinds`` are its feature's delivery kinds (``KIND_INVITE``,
    ``for_members``), ``note`` a series round's line for it. Return the ids of those
    invited."""
    invited = []
    for item_id in missed:
        if not await invite(item_id):
            continue  # it closed or no longer fits
        item = await get(item_id, box.tx)
        assert item is not None
        rendered = invitation(item)
        if note is not None:
            rendered = consultation_kinds.with_round_note(rendered, await note(item_id, box.tx))
        await box.send_rendered(kinds.KIND_INVITE, rendered, [member_id], **kinds.for_members(item))
        invited.append(item_id)
    return invited
