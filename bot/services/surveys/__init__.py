"""Surveys: the one service handlers and the sweep use. Coordinators open a survey from a file
in config/surveys/, members answer it one question at a time, and it opens, nudges, closes and
sends its results pack on schedule. Answering, scheduled work and results are delegated to the
modules of this package; the records and refusals handlers need are exported here."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from bot.delivery import Audience
from bot.delivery.outbox import outbox
from bot.results.small_groups import SMALL_GROUP_DEFAULT
from bot.retention_policy import Duration
from bot.services.audiences import check_audience
from bot.services.consultations.messages import ExtraParts, RoundNote
from bot.services.consultations.rules import (  # typed times and readers as polls'
    TIME_LIMITS,
    Reader,
    decision_makers,
)
from bot.services.errors import InvalidChoice
from bot.services.outreach import Outreach
from bot.services.surveys.answers import Definitions, SurveyAnswers
from bot.services.surveys.definition import Answer, Survey, to_json
from bot.services.surveys.errors import (
    CloseTooFar,
    CloseTooSoon,
    ResultsNotReady,
    SurveyClosed,
    SurveyFileBroken,
    SurveyGone,
    WrongAudience,
)
from bot.services.surveys.files import read_survey_key, survey_files
from bot.services.surveys.messages import (
    KIND_CANCELLED,
    PREFERENCE,
    PackPart,
    SurveyMessages,
    for_members,
)
from bot.services.surveys.packs import SurveyPacks
from bot.services.surveys.records import (
    CLOSED,
    CONSENT,
    FINISHED,
    NOT_INVITED,
    QUESTION,
    WITHDRAWN,
    Position,
    SurveyFileEntry,
    SurveyRecord,
)
from bot.services.surveys.results import SurveyResults
from bot.services.surveys.rules import (
    MIN_OPEN,
    SCOPE_OF,
    SurveyDraft,
    check_times,
)
from bot.services.surveys.schedule import SurveySchedule
from bot.services.times import read_future_time
from config.errors import ConfigError
from storage.db import Database
from storage.members import MemberRepository
from storage.roles import DECISION_MAKER, RoleRepository
from storage.surveys import CANCELLED, OPEN, SCHEDULED, NewSurvey, SurveyRepository, SurveyRow

logger = logging.getLogger(__name__)

# What handlers use: the service, its records, states and refusals. A survey's states
# (SCHEDULED, OPEN, CLOSED, CANCELLED) and a position's (CONSENT, QUESTION, FINISHED, CLOSED:
# not open now, WITHDRAWN, NOT_INVITED) share CLOSED, the same word in both.
__all__ = [
    "CANCELLED",
    "CLOSED",
    "CONSENT",
    "FINISHED",
    "MIN_OPEN",
    "NOT_INVITED",
    "OPEN",
    "QUESTION",
    "SCHEDULED",
    "WITHDRAWN",
    "CloseTooFar",
    "CloseTooSoon",
    "PackPart",
    "Position",
    "Reader",
    "ResultsNotReady",
    "SurveyClosed",
    "SurveyDraft",
    "SurveyFileBroken",
    "SurveyFileEntry",
    "SurveyGone",
    "SurveyRecord",
    "SurveyService",
    "WrongAudience",
]


@dataclass(eq=False)
class SurveyService(Outreach):
    """Everything about surveys; coordinators' steps check the role first, members' steps
    check the survey, the invitation and the question again in the database."""

    db: Database
    surveys: SurveyRepository
    messages: SurveyMessages
    roles_repository: RoleRepository
    members: MemberRepository
    surveys_dir: Path
    nudge_hours: int = 24
    _: KW_ONLY
    small_group: int = SMALL_GROUP_DEFAULT
    # How long after closing retention deletes a survey's answers (config/retention.yaml):
    # the consent screen and /newsurvey's preview say so.
    answers_kept: Duration
    # ``audience_size`` (Outreach): members who get consultations get surveys.
    AUDIENCE_CHOICE: ClassVar[str | None] = PREFERENCE
    COUNTING: ClassVar[str] = "count survey audience"

    def __post_init__(self) -> None:
        """The parts built from the fields (each sharing the service's own)."""
        self._definitions = Definitions(self.surveys)
        self._answers = SurveyAnswers(self.surveys, self.clock, self._definitions)
        self._packs = SurveyPacks.sharing(self, recorder=self._record)
        self._schedule = SurveySchedule.sharing(self, packs=self._packs, recorder=self._record)

    # Survey files

    def files(self) -> list[SurveyFileEntry]:
        """Every survey file in the folder, read now: its title, or what is wrong with it."""
        try:
            found = survey_files(self.surveys_dir)
        except ConfigError as error:
            logger.warning("survey folder unreadable: %s", error.problem)
            return []
        return [
            SurveyFileEntry(
                entry.key,
                entry.survey.title if entry.survey is not None else None,
                str(entry.error) if entry.error is not None else None,
            )
            for entry in found
        ]

    def survey_file(self, file_key: str) -> Survey:
        """One survey file read now (to preview it), or SurveyFileBroken with its error."""
        try:
            return read_survey_key(self.surveys_dir, file_key)
        except ConfigError as error:
            raise SurveyFileBroken(str(error)) from None

    # Opening one

    def read_time(self, text: str) -> datetime:
        """A typed UK date and time in the future, or the refusal that says what is wrong."""
        return read_future_time(text, self.clock.now(), self.zone, TIME_LIMITS)

    def check_times(self, opens_at: datetime | None, closes_at: datetime) -> None:
        """Refuse a closing time too soon after opening, or too far ahead."""
        check_times(opens_at, closes_at, self.clock.now())

    def check_audience(self, survey: Survey, audience: Audience) -> None:
        """Refuse an audience of another kind than the file's, or a place that is not known."""
        if SCOPE_OF.get(survey.audience) != audience.scope:
            raise WrongAudience
        check_audience(self.audiences, audience)

    async def decision_makers(self, actor_id: int) -> list[Reader]:
        """Everyone who holds the decision-maker role, with the first name the bot knows."""
        await self.roles.require_coordinator(actor_id, "list decision-makers")
        return await decision_makers(self.roles_repository)

    async def prepare(self, actor_id: int, draft: SurveyDraft) -> NewSurvey:
        """A coordinator's draft checked, with the file's questions as it reads now, ready to
        store (a series keeps it too)."""
        await self.roles.require_coordinator(actor_id, "create survey")
        survey = await asyncio.to_thread(self.survey_file, draft.file_key)  # a file read
        self.check_audience(survey, draft.audience)
        self.check_times(draft.opens_at, draft.closes_at)
        if not set(draft.readers) <= set(await self.roles_repository.holders(DECISION_MAKER)):
            raise InvalidChoice
        now = self.clock.now()
        return NewSurvey(
            file_key=survey.key,
            title=survey.title,
            definition=to_json(survey),
            anonymous=survey.anonymous,
            audience_scope=draft.audience.scope,
            audience_place=draft.audience.place_id,
            opens_at=max(draft.opens_at or now, now),
            closes_at=draft.closes_at,
            readers=tuple(draft.readers),
        )

    async def create(self, actor_id: int, draft: SurveyDraft) -> SurveyRecord:
        """Open a survey from its file as it reads now; it opens at once (inviting its
        audience) or at its time. The file's questions are kept with it, so editing the file
        later never changes a survey already out."""
        new = await self.prepare(actor_id, draft)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            survey_id = await self.surveys.create(new, actor_id, now, tx)
            await self.audit.record(
                actor_id,
                "survey.created",
                now,
                detail=f"survey {survey_id} for {draft.audience.label}, "
                f"closes {new.closes_at.isoformat(timespec='minutes')}",
                tx=tx,
            )
        await self._schedule.open_due()  # one opening now invites at once
        return await self.get(survey_id)

    # Coordinators' view and changes

    async def get(self, survey_id: int) -> SurveyRecord:
        """One survey with its counts, or SurveyGone."""
        row = await self.surveys.get(survey_id)
        if row is None:
            raise SurveyGone
        return await self._record(row)

    async def running(self, actor_id: int) -> list[SurveyRecord]:
        """Scheduled and open surveys with how many were asked and have finished."""
        await self.roles.require_coordinator(actor_id, "list surveys")
        return [await self._record(row) for row in await self.surveys.running()]

    async def _changeable(self, actor_id: int, survey_id: int, action: str) -> SurveyRow:
        """A scheduled or open survey a coordinator may change."""
        await self.roles.require_coordinator(actor_id, action)
        row = await self.surveys.get(survey_id)
        if row is None or row.state == CANCELLED:
            raise SurveyGone
        if row.state not in (SCHEDULED, OPEN):
            raise SurveyClosed
        return row

    async def close_now(self, actor_id: int, survey_id: int) -> SurveyRecord:
        """Close early: the results pack goes out as at the closing time."""
        await self._changeable(actor_id, survey_id, "close survey")
        if not await self._schedule.close(survey_id, actor_id, "closed early"):
            raise SurveyClosed  # closed meanwhile
        return await self.get(survey_id)

    async def cancel(self, actor_id: int, survey_id: int) -> SurveyRecord:
        """Withdraw a survey: every answer is deleted and everyone asked is told, in one
        transaction."""
        row = await self._changeable(actor_id, survey_id, "cancel survey")
        record = await self._record(row)
        now = self.clock.now()
        async with outbox(self.db, self.delivery) as box:
            moved = await self.surveys.end(survey_id, CANCELLED, now, box.tx)
            if not moved:
                raise SurveyClosed
            invited = await self.surveys.invited(survey_id, box.tx)
            await self.surveys.discard(survey_id, box.tx)
            await self.audit.record(
                actor_id,
                "survey.cancelled",
                now,
                detail=f"survey {survey_id}, {len(invited)} told",
                tx=box.tx,
            )
            await box.send_rendered(
                KIND_CANCELLED,
                self.messages.cancelled(record),
                invited,
                created_by=actor_id,
                **for_members(record),
            )
        return await self.get(survey_id)

    # Members (answers.py)

    async def for_member(self, member_id: int) -> list[SurveyRecord]:
        """Open surveys this member was asked and has not finished, closing soonest first."""
        rows = await self.surveys.open_for(member_id, self.clock.now())
        return [await self._record(row) for row in rows]

    async def begin(self, member_id: int, survey_id: int) -> Position:
        """Start or carry on (a "Stop for now" ends): consent, or the question they are on."""
        return await self._answers.begin(member_id, survey_id)

    async def stop(self, member_id: int, survey_id: int) -> Position:
        """ "Stop for now": the place is kept; typed text is no answer until they carry on."""
        return await self._answers.stop(member_id, survey_id)

    async def agree(self, member_id: int, survey_id: int) -> Position:
        """The member agreed to take part: their first question."""
        return await self._answers.agree(member_id, survey_id)

    async def press(
        self, member_id: int, survey_id: int, question_id: str, value: Answer
    ) -> Position:
        """A one-choice or scale answer; a stale button changes nothing."""
        return await self._answers.press(member_id, survey_id, question_id, value)

    async def tick(
        self, member_id: int, survey_id: int, question_id: str, option_id: str
    ) -> Position:
        """Tick or untick an option of a several-choices question."""
        return await self._answers.tick(member_id, survey_id, question_id, option_id)

    async def done(self, member_id: int, survey_id: int, question_id: str) -> Position:
        """Confirm a several-choices question's ticks."""
        return await self._answers.done(member_id, survey_id, question_id)

    async def typed(self, member_id: int, survey_id: int, question_id: str, text: str) -> Position:
        """A typed number or text (flow.AnswerRefused says why one does not fit)."""
        return await self._answers.typed(member_id, survey_id, question_id, text)

    async def skip(self, member_id: int, survey_id: int, question_id: str) -> Position:
        """Skip an optional question."""
        return await self._answers.skip(member_id, survey_id, question_id)

    async def back(self, member_id: int, survey_id: int) -> Position:
        """Back one question."""
        return await self._answers.back(member_id, survey_id)

    async def current(self, member_id: int, survey_id: int) -> Position:
        """Where the member is now ("Carry on", after a restart too)."""
        return await self._answers.current(member_id, survey_id)

    async def answering(self, member_id: int, *, any_kind: bool = False) -> Position | None:
        """The survey whose typed (``any_kind``: any) question they are on and did not stop."""
        return await self._answers.answering(member_id, any_kind)

    async def withdraw(self, member_id: int, token: str) -> bool:
        """Take back finished answers until closing; False if closed or already gone."""
        return await self._answers.withdraw(member_id, token)

    async def withdraw_token(self, member_id: int, survey_id: int) -> str | None:
        """A named survey's open response id for "Withdraw my answers" (None if anonymous)."""
        row = await self.surveys.get(survey_id)
        if row is None or row.anonymous or row.state != OPEN:
            return None
        return await self.surveys.named_response(survey_id, member_id)

    async def member_data(self, member_id: int) -> list[dict[str, object]]:
        """Everything stored about this member in surveys, for /mydata."""
        return await self.surveys.member_data(member_id)

    # Results (packs.py)

    async def readable(self, actor_id: int) -> list[SurveyRecord]:
        """Closed surveys this person may see results for."""
        return await self._packs.readable(actor_id)

    async def results_pack(self, actor_id: int, survey_id: int) -> list[PackPart]:
        """A closed survey's results pack, for someone allowed to see it."""
        return await self._packs.results_pack(actor_id, survey_id)

    async def published(self, survey: SurveyRecord) -> SurveyResults:
        """The protected figures its pack shows (a series' trend reads each round's)."""
        return await self._packs.results(survey)

    def add_to_packs(self, extra: ExtraParts) -> None:
        """Parts added after every results pack (a series' trend across its rounds)."""
        self._packs.extra_parts = extra

    def note_rounds(self, note: RoundNote) -> None:
        """A line added to the invitation of a series' round (how it repeats, which round)."""
        self._schedule.round_note = note

    # Scheduled work (schedule.py)

    async def sweep(self) -> None:
        """Everything scheduled: open, nudge, close (each step guarded on its own)."""
        await self._schedule.tick()

    async def _record(self, row: SurveyRow) -> SurveyRecord:
        """A stored survey with its counts and questions."""
        counts = await self.surveys.counts(row)
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
            invited=counts.invited,
            finished=counts.finished,
            survey=self._definitions.parse(row.id, row.definition),
            nudge_state=row.nudge_state,
            results_sent=row.results_sent,
            closed_at=row.closed_at,
            answers_deleted_at=row.answers_deleted_at,
            listed=await self.surveys.is_listed(row.id),
        )
