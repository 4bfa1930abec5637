"""Series: consultations and surveys that run themselves. A series keeps a repeat rule
(`rules.py`) and what every round asks; its sweep makes each round, when its opening time comes,
as an ordinary consultation or survey row (so opening, answering, nudges, closing, packs and
anonymity are theirs, unchanged), once: the round and the series' move to its next opening are
one transaction, guarded by the round count (and a unique index), so two sweeps or a sweep
after a crash never make it twice. Coordinators pause, resume, change and stop a series; each
is audited. A round already open is never changed by the series. Each round's results pack
ends with the trend across the rounds so far (`trend.py`), from each round's published
figures."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery.audience import EVERYONE
from bot.services.consultations import ConsultationDraft, ConsultationService, PackPart, Reader
from bot.services.consultations.rules import decision_makers
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.roles import RoleService
from bot.services.series.packs import SeriesMessages, SeriesTrends
from bot.services.series.rules import (
    RepeatRule,
    RuleRefused,
    closing_of,
    from_stored,
    next_opening,
    read_rule,
    stored,
)
from bot.services.series.trend import Trend
from bot.services.surveys import SurveyDraft, SurveyService
from storage.audit import AuditRepository
from storage.consultations import NewConsultation
from storage.db import Database, Session
from storage.roles import DECISION_MAKER, RoleRepository
from storage.scheduled import OPEN
from storage.series import (
    ACTIVE,
    CONSULTATION,
    PAUSED,
    STOPPED,
    SURVEY,
    NewSeries,
    RoundRow,
    SeriesRepository,
    SeriesRow,
)
from storage.surveys import NewSurvey

logger = logging.getLogger(__name__)

__all__ = [
    "ACTIVE",
    "CONSULTATION",
    "PAUSED",
    "STOPPED",
    "SURVEY",
    "RepeatRule",
    "RuleRefused",
    "SeriesGone",
    "SeriesRecord",
    "SeriesService",
    "SeriesStopped",
]


class SeriesGone(ServiceError):
    """The series is not there (or never was)."""

    reason = "series.gone"


class SeriesStopped(ServiceError):
    """The series was stopped: nothing about it can change now."""

    reason = "series.already_stopped"


@dataclass(frozen=True)
class SeriesRecord:
    """A series as coordinators see it."""

    id: int
    kind: str
    title: str
    rule: RepeatRule
    state: str
    next_opens_at: datetime | None
    rounds: int
    readers: tuple[int, ...]
    audience_label: str
    open_round: RoundRow | None  # the round open now, which changes never touch


# A round's template: what every round asks, as kept in the series row (JSON).
_CONSULTATION_KEYS = (
    "question",
    "options",
    "multiple",
    "ask_comment",
    "audience_scope",
    "audience_place",
    "member_note",
    "show_results",
)
_SURVEY_KEYS = ("file_key", "title", "definition", "anonymous", "audience_scope", "audience_place")


@dataclass(eq=False)
class SeriesService:
    """Series of consultations and surveys: set up, the sweep that makes rounds, changes."""

    db: Database
    series: SeriesRepository
    consultations: ConsultationService
    surveys: SurveyService
    roles: RoleService
    roles_repository: RoleRepository
    audit: AuditRepository
    clock: Clock
    zone: ZoneInfo
    messages: SeriesMessages

    def __post_init__(self) -> None:
        """Each round's pack ends with the series' trend; one sweep at a time."""
        self._sweeping = asyncio.Lock()
        self._trends = SeriesTrends(self.series, self.consultations, self.surveys, self.messages)
        self.consultations.add_to_packs(lambda row_id: self.trend_parts(CONSULTATION, row_id))
        self.surveys.add_to_packs(lambda row_id: self.trend_parts(SURVEY, row_id))
        self.consultations.note_rounds(lambda row_id, tx: self.round_note(CONSULTATION, row_id, tx))
        self.surveys.note_rounds(lambda row_id, tx: self.round_note(SURVEY, row_id, tx))

    # The rule

    def read_rule(self, text: str) -> RepeatRule:
        """A typed rule, or RuleRefused saying what is missing."""
        return read_rule(text)

    def first_opening(self, rule: RepeatRule) -> tuple[datetime, datetime]:
        """When the first round would open and close if the series started now."""
        opens = next_opening(rule, self.clock.now(), self.zone)
        return opens, closing_of(opens, rule, self.zone)

    # Setting one up

    async def start_consultation(
        self, actor_id: int, draft: ConsultationDraft, rule: RepeatRule
    ) -> SeriesRecord:
        """A repeating consultation: checked as /newpoll's, its first round at the rule's next
        opening (the draft's own times are not used)."""
        opens, closes = self.first_opening(rule)
        new = await self.consultations.prepare(
            actor_id, replace(draft, opens_at=opens, closes_at=closes)
        )
        template = {key: getattr(new, key) for key in _CONSULTATION_KEYS}
        return await self._start(actor_id, CONSULTATION, new.question, template, rule, new.readers)

    async def start_survey(
        self, actor_id: int, draft: SurveyDraft, rule: RepeatRule
    ) -> SeriesRecord:
        """A repeating survey from a file as it reads now (every round asks those questions,
        so the trend compares like with like)."""
        opens, closes = self.first_opening(rule)
        new = await self.surveys.prepare(actor_id, replace(draft, opens_at=opens, closes_at=closes))
        template = {key: getattr(new, key) for key in _SURVEY_KEYS}
        return await self._start(actor_id, SURVEY, new.title, template, rule, new.readers)

    async def _start(
        self,
        actor_id: int,
        kind: str,
        title: str,
        template: dict[str, object],
        rule: RepeatRule,
        readers: tuple[int, ...],
    ) -> SeriesRecord:
        """Store the series (its first round is made by the sweep when it opens)."""
        now = self.clock.now()
        opens, _ = self.first_opening(rule)
        new = NewSeries(kind, title, stored(rule), json.dumps(template), opens, readers)
        async with self.db.transaction() as tx:
            series_id = await self.series.create(new, actor_id, now, tx)
            detail = f"series {series_id}: {kind}, next {opens.isoformat(timespec='minutes')}"
            await self.audit.record(actor_id, "series.created", now, detail=detail, tx=tx)
        return await self._record(await self._row(series_id))

    # Coordinators' view

    async def listing(self, actor_id: int) -> list[SeriesRecord]:
        """Series running or paused, then the latest stopped ones."""
        await self.roles.require_coordinator(actor_id, "list series")
        return [await self._record(row) for row in await self.series.listing()]

    async def get(self, actor_id: int, series_id: int) -> SeriesRecord:
        """One series, for a coordinator."""
        await self.roles.require_coordinator(actor_id, "list series")
        return await self._record(await self._row(series_id))

    async def decision_makers(self, actor_id: int) -> list[Reader]:
        """Everyone who holds the decision-maker role, for a coordinator."""
        await self.roles.require_coordinator(actor_id, "list decision-makers")
        return await decision_makers(self.roles_repository)

    def next_after_change(self, rule: RepeatRule) -> datetime:
        """When the next round would open under ``rule`` (for the confirmation)."""
        return next_opening(rule, self.clock.now(), self.zone)

    # Coordinators' changes (each audited; a round already open is never touched)

    async def pause(self, actor_id: int, series_id: int) -> SeriesRecord:
        """No new rounds until resumed."""
        return await self._move(actor_id, series_id, PAUSED, (ACTIVE,), "paused")

    async def resume(self, actor_id: int, series_id: int) -> SeriesRecord:
        """Rounds again, from the rule's next opening after now (none made for the pause)."""
        row = await self._changeable(actor_id, series_id)
        following = next_opening(_rule(row), self.clock.now(), self.zone)
        return await self._move(actor_id, series_id, ACTIVE, (PAUSED,), "resumed", following)

    async def stop(self, actor_id: int, series_id: int) -> SeriesRecord:
        """No more rounds, for good; rounds already made carry on as they are."""
        return await self._move(actor_id, series_id, STOPPED, (ACTIVE, PAUSED), "stopped")

    async def _move(
        self,
        actor_id: int,
        series_id: int,
        state: str,
        before: tuple[str, ...],
        what: str,
        following: datetime | None = None,
    ) -> SeriesRecord:
        """Change the state, audited in the same transaction; pressing twice changes nothing."""
        row = await self._changeable(actor_id, series_id)
        if row.state == state:
            return await self._record(row)
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if not await self.series.set_state(series_id, state, before, now, tx, following):
                raise InvalidChoice
            await self.audit.record(
                actor_id, f"series.{what}", now, detail=f"series {series_id}", tx=tx
            )
        return await self._record(await self._row(series_id))

    async def change_rule(self, actor_id: int, series_id: int, rule: RepeatRule) -> SeriesRecord:
        """A new rule, opening time or days open, from the next round on."""
        row = await self._changeable(actor_id, series_id)
        if _rule(row) == rule:
            return await self._record(row)
        now = self.clock.now()
        following = next_opening(rule, now, self.zone)
        async with self.db.transaction() as tx:
            if not await self.series.change_rule(series_id, stored(rule), following, now, tx):
                raise SeriesStopped
            detail = f"series {series_id}, next {following.isoformat(timespec='minutes')}"
            await self.audit.record(actor_id, "series.changed", now, detail=detail, tx=tx)
        return await self._record(await self._row(series_id))

    async def change_readers(
        self, actor_id: int, series_id: int, readers: tuple[int, ...]
    ) -> SeriesRecord:
        """The decision-makers who get the results, from the next round on."""
        row = await self._changeable(actor_id, series_id)
        if not set(readers) <= set(await self.roles_repository.holders(DECISION_MAKER)):
            raise InvalidChoice
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await self.series.set_readers(row.id, readers, tx)
            detail = f"series {series_id}, {len(set(readers))} decision-makers"
            await self.audit.record(actor_id, "series.readers", now, detail=detail, tx=tx)
        return await self._record(await self._row(series_id))

    async def _changeable(self, actor_id: int, series_id: int) -> SeriesRow:
        """A series a coordinator may change (not stopped)."""
        await self.roles.require_coordinator(actor_id, "change series")
        row = await self._row(series_id)
        if row.state == STOPPED:
            raise SeriesStopped
        return row

    # The sweep

    async def sweep(self) -> list[int]:
        """Make every round whose opening has come (once), then let the consultations and
        surveys open them now; the ids of the rounds made."""
        made: list[int] = []
        async with self._sweeping:
            now = self.clock.now()
            for row in await self.series.due(now):
                try:
                    round_id = await self._make_round(row, now)
                except Exception:
                    logger.exception("series %s: round not made this time", row.id)
                    continue
                if round_id is not None:
                    made.append(round_id)
        if made:
            await self.consultations.tick()
            await self.surveys.sweep()
        return made

    async def _make_round(self, row: SeriesRow, now: datetime) -> int | None:
        """Make the series' next round, or skip rounds whose time mostly passed while the bot
        was down; the series moves on to its next opening in the same transaction."""
        assert row.next_opens_at is not None
        rule = _rule(row)
        opens = row.next_opens_at
        closes = closing_of(opens, rule, self.zone)
        while closes - now < (closes - opens) / 2:  # less than half of it left: skipped
            opens = next_opening(rule, opens, self.zone)
            closes = closing_of(opens, rule, self.zone)
        if opens > now:
            async with self.db.transaction() as tx:
                await self.series.take_round(row.id, row.rounds, opens, now, tx, counts=False)
            logger.info("series %s: a round was skipped (its time passed)", row.id)
            return None
        following = next_opening(rule, opens, self.zone)
        holders = set(await self.roles_repository.holders(DECISION_MAKER))
        readers = tuple(r for r in await self.series.readers(row.id) if r in holders)
        template = json.loads(row.template)
        number = row.rounds + 1
        async with self.db.transaction() as tx:
            if not await self.series.take_round(row.id, row.rounds, following, now, tx):
                return None  # made meanwhile
            if row.kind == CONSULTATION:
                new = NewConsultation(
                    **{**template, "options": tuple(template["options"])},
                    opens_at=opens,
                    closes_at=closes,
                    readers=readers,
                )
                round_id = await self.consultations.consultations.create(
                    new, row.created_by, now, tx
                )
            else:
                survey = NewSurvey(**template, opens_at=opens, closes_at=closes, readers=readers)
                round_id = await self.surveys.surveys.create(survey, row.created_by, now, tx)
            await self.series.link(row.kind, round_id, row.id, number, tx)
            detail = f"series {row.id} round {number}: {row.kind} {round_id}"
            await self.audit.record(None, "series.round", now, detail=detail, tx=tx)
        return round_id

    async def round_note(self, kind: str, row_id: int, tx: Session | None = None) -> str | None:
        """The last line of a round's invitation ("This question repeats..."), or None."""
        link = await self.series.round_of(kind, row_id, tx)
        row = None if link is None else await self.series.get(link[0], tx)
        if row is None or link is None:
            return None
        return self.messages.round_line(kind, _rule(row), link[1])

    # The trend in each round's pack (packs.py)

    async def trend(self, kind: str, row_id: int) -> Trend | None:
        """The trend across a series' closed rounds up to this one (None outside a series)."""
        return await self._trends.trend(kind, row_id)

    async def trend_parts(self, kind: str, row_id: int) -> list[PackPart]:
        """The trend's pack parts (none outside a series, or if it cannot be worked out)."""
        return await self._trends.parts(kind, row_id)

    # Records

    async def _row(self, series_id: int) -> SeriesRow:
        """One series row, or SeriesGone."""
        row = await self.series.get(series_id)
        if row is None:
            raise SeriesGone
        return row

    async def _record(self, row: SeriesRow) -> SeriesRecord:
        """A stored series with its readers and the round open now."""
        template = json.loads(row.template)
        scope, place = template.get("audience_scope", EVERYONE), template.get("audience_place")
        rounds = await self.series.rounds(row.kind, row.id)
        open_round = next((r for r in reversed(rounds) if r.state == OPEN), None)
        return SeriesRecord(
            id=row.id,
            kind=row.kind,
            title=row.title,
            rule=_rule(row),
            state=row.state,
            next_opens_at=row.next_opens_at,
            rounds=row.rounds,
            readers=await self.series.readers(row.id),
            audience_label=scope if place is None else f"{scope}:{place}",
            open_round=open_round,
        )


def _rule(row: SeriesRow) -> RepeatRule:
    """A stored series' rule."""
    return from_stored(row.every, row.weekday, row.week, row.clock, row.open_days)
