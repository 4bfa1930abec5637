"""Survey refusals: each carries the catalogue key of its kind reply
(config/texts/survey_errors.yaml). A typed or pressed answer that does not fit its question
is refused by ``flow.AnswerRefused`` instead (no tick, a skip it needs, not a number ...)."""

from __future__ import annotations

from bot.services.errors import ServiceError


class SurveyGone(ServiceError):
    """The survey does not exist, or was cancelled."""

    reason = "survey_errors.gone"


class SurveyClosed(ServiceError):
    """The survey is not open now, so nothing about it can change."""

    reason = "survey_errors.closed"


class CloseTooSoon(ServiceError):
    """The closing time must leave the survey open for a while."""

    reason = "survey_errors.close_too_soon"


class CloseTooFar(ServiceError):
    """The closing time is too far ahead."""

    reason = "survey_errors.close_too_far"


class WrongAudience(ServiceError):
    """The audience chosen is not the kind the survey file is written for."""

    reason = "survey_errors.wrong_audience"


class SurveyFileBroken(ServiceError):
    """The survey file is missing or has a mistake; ``detail`` holds the file's error."""

    reason = "survey_errors.file_broken"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail


class ResultsNotReady(ServiceError):
    """Results are ready once the survey has closed."""

    reason = "survey_errors.results_not_ready"
