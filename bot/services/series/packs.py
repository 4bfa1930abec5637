"""The series' part of each round's results pack: the trend across the series' closed rounds so
far, from each round's published figures (the consultation or survey service protects them, as
for the round's own pack), rendered by the handlers layer (`SeriesMessages`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.services.consultations import ConsultationService, PackPart
from bot.services.series.rules import RepeatRule
from bot.services.series.trend import RoundLabel, Trend, consultation_trend, survey_trend
from bot.services.surveys import SurveyService
from storage.scheduled import CLOSED
from storage.series import CONSULTATION, SeriesRepository

logger = logging.getLogger(__name__)


class SeriesMessages(Protocol):
    """How a series' part of a results pack looks; the handlers layer provides it."""

    async def trend_parts(self, trend: Trend) -> list[PackPart]:
        """The trend in words, and a line chart once there are enough rounds."""
        ...

    def round_line(self, kind: str, rule: RepeatRule, number: int) -> str:
        """The line a round's invitation ends with: that it repeats, how, and which round."""
        ...


@dataclass(eq=False)
class SeriesTrends:
    """The trend of a round's series, and its pack parts."""

    series: SeriesRepository
    consultations: ConsultationService
    surveys: SurveyService
    messages: SeriesMessages

    async def trend(self, kind: str, row_id: int) -> Trend | None:
        """The trend across a series' closed rounds up to this one; None when the
        consultation or survey is not a round of a series."""
        link = await self.series.round_of(kind, row_id)
        if link is None:
            return None
        series_id, number = link
        rounds = [
            r
            for r in await self.series.rounds(kind, series_id)
            if r.state == CLOSED and r.round <= number
        ]
        if kind == CONSULTATION:
            consultation = await self.consultations.get(row_id)
            figures = []
            for item in rounds:
                one = await self.consultations.get(item.row_id)
                figures.append(
                    (RoundLabel(item.round, item.opens_at), await self.consultations.published(one))
                )
            return consultation_trend(consultation.question, consultation.options, figures)
        record = await self.surveys.get(row_id)
        survey_figures = []
        for item in rounds:
            one = await self.surveys.get(item.row_id)
            results = (
                None if one.answers_deleted_at is not None else await self.surveys.published(one)
            )
            survey_figures.append((RoundLabel(item.round, item.opens_at), results))
        return survey_trend(record.survey, survey_figures)

    async def parts(self, kind: str, row_id: int) -> list[PackPart]:
        """The trend's pack parts (none for a consultation or survey outside a series); a
        failure is logged and leaves the pack without its trend rather than unsent."""
        try:
            trend = await self.trend(kind, row_id)
            return [] if trend is None else await self.messages.trend_parts(trend)
        except Exception:
            logger.exception("%s %s: trend left out of the pack", kind, row_id)
            return []
