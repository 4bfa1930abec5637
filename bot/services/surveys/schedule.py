"""Surveys' scheduled work: open on time with invitations, one nudge to those who have not
finished, close (unfinished answers dropped, an anonymous survey's invitations too), then the
results pack."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.delivery import Audience
from bot.delivery.group_posts import SAY
from bot.delivery.outbox import Outbox, Rendered, outbox
from bot.services.audiences import audience_recipients
from bot.services.consultations.messages import RoundNote, with_round_note
from bot.services.consultations.schedule import NUDGE_GAP, NUDGE_LAST, QUIET_MARGIN
from bot.services.errors import InvalidChoice
from bot.services.outreach import Outreach
from bot.services.surveys.messages import (
    KIND_GROUP_POST,
    KIND_INVITE,
    KIND_NUDGE,
    PREFERENCE,
    SurveyMessages,
    for_members,
)
from bot.services.surveys.packs import SurveyPacks
from bot.services.surveys.records import SurveyRecord
from storage import surveys as stored
from storage.db import Database, Session
from storage.surveys import SurveyRepository, SurveyRow

logger = logging.getLogger(__name__)

# A survey row with its counts and questions, as the service gives it out.
Recorder = Callable[[SurveyRow], Awaitable[SurveyRecord]]
# Parts of a step, in its transaction: take it (False: another sweep did); whom to send to.
Take = Callable[[Session], Awaitable[bool]]
Whom = Callable[[Session], Awaitable[list[int]]]


@dataclass(eq=False)
class SurveySchedule(Outreach):
    """Opening, nudging and closing surveys when their times come. The timing rules of the
    nudge are consultations' own (gap after opening, last hour, quiet hours)."""

    db: Database
    surveys: SurveyRepository
    messages: SurveyMessages
    packs: SurveyPacks
    recorder: Recorder
    nudge_hours: int = 24
    round_note: RoundNote | None = None  # a series round's line for its invitation

    async def tick(self) -> None:
        """Everything scheduled, in order: open, nudge, close. A step that fails is logged and
        left to the next sweep; the steps after it still run."""
        for step in (self.open_due, self.send_due_nudges, self.close_due):
            await _guarded(step)

    async def open_due(self) -> list[int]:
        """Open every scheduled survey whose time has come and send its invitations.

        The state, the invitation rows and the invitation broadcast are one transaction: a
        crash or a failed write leaves the survey scheduled for the next sweep."""
        now = self.clock.now()
        # A survey the bot was down for all of: closing comes next, asking nobody.
        due = [row for row in await self.surveys.due_to_open(now) if row.closes_at > now]
        return [row.id for row in due if await self._open(row)]

    async def _open(self, row: SurveyRow) -> bool:
        """Open one survey, inviting its audience as it is now (or its list of members: a
        meeting's feedback survey asks those who came); True when this call did."""
        invitees = await self.surveys.listed(row.id, self.clock.now())
        for_audience = invitees is None  # not a list of members (a meeting's feedback)
        try:
            if invitees is None:
                invitees = await audience_recipients(
                    self.audiences, Audience(row.audience_scope, row.audience_place, PREFERENCE)
                )
        except InvalidChoice:
            invitees = []  # the forum file lost that place; nobody to ask

        async def take(tx: Session) -> bool:
            return await self.surveys.open(row.id, invitees, self.clock.now(), tx)

        async def whom(tx: Session) -> list[int]:
            return invitees

        record = replace(await self.recorder(row), state=stored.OPEN, invited=len(invitees))
        note = await self.round_note(row.id, None) if self.round_note else None

        def invitation(survey: SurveyRecord) -> Rendered:
            return with_round_note(self.messages.invitation(survey), note)

        async def post(box: Outbox) -> None:
            if for_audience:  # a linked group hears of it; a feedback survey is private
                notice = self.messages.group_post(record)
                await box.post_to_groups(
                    KIND_GROUP_POST, row.audience_scope, row.audience_place, notice, SAY
                )

        return await self._once(record, KIND_INVITE, invitation, take, whom, post)

    def nudge_due(self, row: SurveyRow) -> datetime | None:
        """When the nudge goes: the set hours before closing, moved to before quiet hours;
        None when that would be too soon after opening."""
        due = self.quiet.before_quiet(
            row.closes_at - timedelta(hours=self.nudge_hours), QUIET_MARGIN
        )
        return due if due >= row.opens_at + NUDGE_GAP else None

    async def send_due_nudges(self) -> list[int]:
        """Send each open survey's one nudge when due, to members asked who have not finished
        (the engine skips those who turned consultations off or paused). Too soon after
        opening, or too late to be kind, it is skipped: marked so, never sent."""
        now = self.clock.now()
        sent = []
        for row in await self.surveys.open_with_nudge_pending():
            due = self.nudge_due(row)
            if due is not None and now < due:
                continue  # not yet
            if due is None or self.quiet.ends_at(now) > row.closes_at - NUDGE_LAST:
                await self.surveys.take_nudge(row.id, stored.NUDGE_SKIPPED, now)
            elif await self._nudge(row, now):
                sent.append(row.id)
        return sent

    async def _nudge(self, row: SurveyRow, now: datetime) -> bool:
        """Queue one survey's nudge; True when this call did."""

        async def take(tx: Session) -> bool:
            return await self.surveys.take_nudge(row.id, stored.NUDGE_SENT, now, tx)

        async def whom(tx: Session) -> list[int]:
            return await self.surveys.not_finished(row.id, tx)

        record = await self.recorder(row)
        return await self._once(record, KIND_NUDGE, self.messages.nudge, take, whom)

    async def _once(
        self,
        record: SurveyRecord,
        kind: str,
        render: Callable[[SurveyRecord], Rendered],
        take: Take,
        whom: Whom,
        also: Callable[[Outbox], Awaitable[None]] | None = None,
    ) -> bool:
        """Take a step and queue its message in one transaction: True when this call did;
        False when another did, or when it failed (logged, kept for the next sweep)."""
        try:
            async with outbox(self.db, self.delivery) as box:
                if not await take(box.tx):
                    return False
                people = await whom(box.tx)
                await box.send_rendered(kind, render(record), people, **for_members(record))
                if also is not None:
                    await also(box)
        except Exception:
            logger.exception("survey %s %s could not be queued; kept", record.id, kind)
            return False
        return True

    async def close_due(self) -> list[int]:
        """Close every survey past its closing time (also after downtime) and send results;
        also send any results pack a crash left unsent."""
        closed = [
            row.id
            for row in await self.surveys.due_to_close(self.clock.now())
            if await self.close(row.id, None, "deadline")
        ]
        for row in await self.surveys.closed_without_results():
            await self.packs.try_send(await self.recorder(row))
        return closed

    async def close(self, survey_id: int, actor_id: int | None, why: str) -> bool:
        """Close once, in one transaction: the state, how many were asked kept, every
        unfinished answer dropped and, for an anonymous survey, every invitation (nothing is
        left to say who finished), then the database scrubbed. Then the results pack is built
        and queued (see ``SurveyPacks.try_send``: never lost, never sent twice)."""
        now = self.clock.now()
        row = await self.surveys.get(survey_id)
        if row is None:
            return False
        async with self.db.transaction() as tx:
            moved = await self.surveys.end(survey_id, stored.CLOSED, now, tx)
            if not moved:
                return False
            await self.surveys.end_answering(survey_id, row.anonymous, tx)
            await self.audit.record(
                actor_id, "survey.closed", now, detail=f"survey {survey_id}: {why}", tx=tx
            )
        if row.anonymous:
            # The write-ahead log still holds each finish as one transaction: the invitation
            # marked finished beside the response written. Push it into the file and rebuild
            # it, so not even the log's order links a response to anyone.
            try:
                await self.db.scrub()
            except Exception:  # the results still go; the log is pushed at the next scrub
                logger.exception("survey %s: database not scrubbed after closing", survey_id)
        closed = await self.surveys.get(survey_id)
        assert closed is not None
        await self.packs.try_send(await self.recorder(closed))
        return True


async def _guarded(step: Callable[[], Awaitable[object]]) -> None:
    """Run one scheduled step; a failure is logged (by type and trace, never member text)."""
    try:
        await step()
    except Exception:
        logger.exception("survey step %s failed this time", step.__name__)
