"""How survey messages that the service sends look: the invitation with Start, the one nudge,
"called off", and the results pack (its texts and parts: handlers/surveys/results_messages.py).

The composition root gives the survey service an instance, so the service never builds texts
or callback data itself (bot/services/surveys/messages.py holds the protocol).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.forum import Forum
from bot.localtime import local_date, local_when
from bot.services.consultations.messages import PackPart
from bot.services.surveys.records import SurveyRecord
from bot.texts import Texts
from handlers.surveys.results_messages import SurveyResultsMessages
from handlers.surveys.views import SurveyViews, View


class SurveyMessageTexts(SurveyResultsMessages):
    """Renders what the survey service sends, from the catalogue, in local time; the results
    pack is the inherited `SurveyResultsMessages.results_pack`."""

    def __init__(self, texts: Texts, zone: ZoneInfo, forum: Forum) -> None:
        super().__init__(texts, zone, forum)
        self._views = SurveyViews(texts, zone)

    def invitation(self, survey: SurveyRecord) -> View:
        """The invitation, with a Start button (``svs:<id>``)."""
        return self._views.invitation(survey)

    def group_post(self, survey: SurveyRecord) -> str:
        """The notice posted in a linked group: answered only in private."""
        return self._texts.get(
            "group_chats.post_survey",
            title=survey.title,
            closes=local_when(survey.closes_at, self._zone, self._texts),
        )

    def nudge(self, survey: SurveyRecord) -> View:
        """The one gentle reminder, with a button that starts or carries on."""
        return self._views.nudge(survey)

    def cancelled(self, survey: SurveyRecord) -> View:
        """The survey was called off."""
        return self._views.cancelled(survey)

    def answers_deleted(self, survey: SurveyRecord) -> PackPart:
        """/results once the retention policy deleted the answers: on which day, and that
        the pack sent at closing is still in the chat."""
        assert survey.answers_deleted_at is not None and survey.closed_at is not None
        text = self._texts.get(
            "survey_results.answers_deleted",
            title=survey.title,
            deleted=local_date(survey.answers_deleted_at, self._zone),
            closed=local_date(survey.closed_at, self._zone),
        )
        return PackPart(text)
