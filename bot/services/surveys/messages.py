"""What surveys send: their kinds in the delivery engine, the preference that lets members have
them, and the renderer protocol the handlers layer provides (handlers/surveys/messages.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.delivery.outbox import Rendered
from bot.services.consultations.messages import PackPart
from bot.services.surveys.records import SurveyRecord

if TYPE_CHECKING:
    from bot.services.surveys.results import FreeText, SurveyResults

KIND_INVITE, KIND_NUDGE = "survey_invite", "survey_nudge"
KIND_CANCELLED, KIND_RESULTS = "survey_cancelled", "survey_results"
KIND_GROUP_POST = "survey_group_post"  # a new survey, in a linked group chat
# The nudge goes to those who have not finished: who got it would say who finished, so it is
# one of the notices coordinators are not shown (consultations.messages.KINDS_BY_ANSWER).
PREFERENCE = "consultations"  # members who chose consultations get surveys

__all__ = [
    "KIND_CANCELLED",
    "KIND_INVITE",
    "KIND_NUDGE",
    "KIND_RESULTS",
    "PREFERENCE",
    "PackPart",
    "SurveyMessages",
    "for_members",
]


class SurveyMessages(Protocol):
    """How survey messages look; the handlers layer provides it."""

    def invitation(self, survey: SurveyRecord) -> Rendered:
        """The invitation, with a Start button (``svs:<id>``)."""
        ...

    def group_post(self, survey: SurveyRecord) -> str:
        """The notice posted in a linked group: answered only in private."""
        ...

    def nudge(self, survey: SurveyRecord) -> Rendered:
        """The one gentle reminder to those who have not finished, with a Carry on button."""
        ...

    def cancelled(self, survey: SurveyRecord) -> Rendered:
        """The notice to everyone asked that the survey was withdrawn."""
        ...

    async def results_pack(
        self, survey: SurveyRecord, results: SurveyResults, free_text: FreeText | None
    ) -> list[PackPart]:
        """The results pack; ``free_text`` (question id -> answers) only for coordinators."""
        ...

    def answers_deleted(self, survey: SurveyRecord) -> PackPart:
        """Instead of the pack once retention deleted the answers: when, as promised, and
        that the pack sent at closing is still in the chat."""
        ...


def for_members(survey: SurveyRecord) -> dict[str, str]:
    """Delivery options for a message to a survey's members: the preference that lets them
    have it, and the audience it names."""
    return {"preference": PREFERENCE, "audience": survey.audience_label}
