"""Survey results packs: the figures of a closed survey (counted and protected once, off the
event loop), who may read them, and queueing the pack once to coordinators (with free text)
and the chosen decision-makers (without)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.delivery.outbox import outbox
from bot.results.small_groups import SmallGroupRule
from bot.services import results_readers
from bot.services.consultations.messages import ExtraParts
from bot.services.outreach import Outreach
from bot.services.surveys.answers import stored_answer
from bot.services.surveys.definition import Answer
from bot.services.surveys.errors import ResultsNotReady, SurveyGone
from bot.services.surveys.messages import KIND_RESULTS, PackPart, SurveyMessages
from bot.services.surveys.records import SurveyRecord
from bot.services.surveys.results import SurveyResults, free_text, survey_results
from storage.db import Database
from storage.results_warnings import survey_pack_label
from storage.surveys import CANCELLED, CLOSED, SurveyRepository, SurveyRow

logger = logging.getLogger(__name__)

KEPT_RESULTS = 32  # closed surveys whose protected figures are kept in memory

# A survey row with its counts and questions, as the service gives it out.
Recorder = Callable[[SurveyRow], Awaitable[SurveyRecord]]


@dataclass(eq=False)
class SurveyPacks(Outreach, SmallGroupRule):
    """Results of closed surveys: built once, read by those allowed, queued once."""

    db: Database
    surveys: SurveyRepository
    messages: SurveyMessages
    recorder: Recorder

    def __post_init__(self) -> None:
        """The threshold checked, and the memory of results already worked out."""
        super().__post_init__()
        self._kept: dict[int, SurveyResults] = {}
        self.extra_parts: ExtraParts | None = None  # a series' trend, added after the pack

    async def responses(self, survey_id: int) -> list[dict[str, Answer]]:
        """Every finished response's answers (ticks as tuples, skipped as None)."""
        return [
            {question: stored_answer(value) for question, value in response.items()}
            for response in await self.surveys.responses(survey_id)
        ]

    async def results(self, survey: SurveyRecord) -> SurveyResults:
        """The closed survey's figures, safe to publish: the same every time (worked out
        once, off the event loop: protection solves small integer programs)."""
        kept = self._kept.get(survey.id)
        if kept is not None:
            return kept
        responses = await self.responses(survey.id)
        results = await asyncio.to_thread(
            survey_results, survey.survey, responses, survey.invited, self.small_group
        )
        if len(self._kept) >= KEPT_RESULTS:
            del self._kept[next(iter(self._kept))]
        self._kept[survey.id] = results
        return results

    async def readable(self, actor_id: int) -> list[SurveyRecord]:
        """Closed surveys this person may see results for: coordinators all, decision-makers
        those they were chosen for."""
        rows = await results_readers.readable(self, self.surveys, actor_id)
        return [await self.recorder(row) for row in rows]

    async def results_pack(self, actor_id: int, survey_id: int) -> list[PackPart]:
        """A closed survey's results pack for someone allowed to see it (free text for
        coordinators only); once its answers are deleted, only a note saying when."""
        detail = f"results survey {survey_id}"
        coordinator = await results_readers.may_read(
            self, self.surveys, actor_id, survey_id, detail
        )
        row = await self.surveys.get(survey_id)
        if row is None or row.state == CANCELLED:
            raise SurveyGone
        if row.state != CLOSED:
            raise ResultsNotReady
        if row.answers_deleted_at is not None:  # by the retention policy: say so, no figures
            return [self.messages.answers_deleted(await self.recorder(row))]
        return await self._pack(await self.recorder(row), with_free_text=coordinator)

    async def _pack(self, survey: SurveyRecord, with_free_text: bool) -> list[PackPart]:
        """Render a results pack."""
        results = await self.results(survey)
        words = None
        if with_free_text:
            words = free_text(survey.survey, await self.responses(survey.id))
        parts = await self.messages.results_pack(survey, results, words)
        if self.extra_parts is not None:
            parts = [*parts, *await self.extra_parts(survey.id)]
        return parts

    async def try_send(self, survey: SurveyRecord) -> None:
        """Queue the results pack; a failure is logged and left to the next sweep."""
        try:
            await self._send(survey)
        except Exception:
            logger.exception("survey %s results not queued; kept", survey.id)

    async def _send(self, survey: SurveyRecord) -> None:
        """Queue the pack to coordinators and the chosen decision-makers who still hold the
        role, once: built first, then the flag and every part written in one transaction (a
        failure leaves ``results_sent`` at 0 for the next sweep)."""
        if survey.results_sent or survey.state != CLOSED:
            return
        if survey.answers_deleted_at is not None:  # never sent, and now nothing to count
            return
        coordinators, readers = await results_readers.pack_recipients(self, self.surveys, survey.id)
        # The decision-makers' parts are labelled with the survey, so a part that cannot
        # reach one of them warns coordinators (bot/services/reach.py).
        packs = [
            (recipients, await self._pack(survey, with_free_text), label)
            for recipients, with_free_text, label in (
                (coordinators, True, ""),
                (readers, False, survey_pack_label(survey.id)),
            )
            if recipients
        ]
        async with outbox(self.db, self.delivery) as box:
            if not await self.surveys.take_results(survey.id, box.tx):
                return  # queued meanwhile by another sweep
            for recipients, parts, label in packs:
                for part in parts:
                    await box.send(
                        KIND_RESULTS, part.text_html, recipients, media=part.media, audience=label
                    )
