"""Which survey files a meeting can send as its feedback survey: those that read and whose
audience kind fits the meeting's (a forum-wide file fits any meeting, since those who came are
part of the forum). Read now from SURVEYS_DIR, like /newsurvey's list."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.delivery import Audience
from bot.services.errors import ServiceError
from bot.services.surveys.definition import FORUM, Survey
from bot.services.surveys.files import read_survey_key, survey_files
from bot.services.surveys.rules import SCOPE_OF
from config.errors import ConfigError


class FeedbackFileGone(ServiceError):
    """The survey file chosen is missing or has a mistake now."""

    reason = "meeting_feedback.file_gone"


class FeedbackFileUnfit(ServiceError):
    """The survey file is for another kind of audience than the meeting's."""

    reason = "meeting_feedback.file_unfit"


@dataclass(frozen=True)
class FeedbackFile:
    """A survey file a meeting can send: its key and title."""

    key: str
    title: str


def fits(survey: Survey, audience: Audience) -> bool:
    """Whether a survey file can go to those who came to a meeting for ``audience``."""
    return survey.audience == FORUM or SCOPE_OF.get(survey.audience) == audience.scope


@dataclass(frozen=True)
class FeedbackFiles:
    """The survey files in ``surveys_dir`` seen as feedback surveys (each read now: a file is
    never cached, so an edit shows at once). Blocking file reads: call off the event loop."""

    surveys_dir: Path

    def choices(self, audience: Audience) -> list[FeedbackFile]:
        """The files that read and fit a meeting for ``audience``, by file name."""
        try:
            found = survey_files(self.surveys_dir)
        except ConfigError:
            return []
        return [
            FeedbackFile(entry.key, entry.survey.title)
            for entry in found
            if entry.survey is not None and fits(entry.survey, audience)
        ]

    def read(self, key: str) -> Survey:
        """The survey in that file, read now, or FeedbackFileGone."""
        try:
            return read_survey_key(self.surveys_dir, key)
        except ConfigError:
            raise FeedbackFileGone from None

    def check(self, key: str, audience: Audience) -> Survey:
        """The survey in that file if it reads and fits ``audience``, or the refusal."""
        survey = self.read(key)
        if not fits(survey, audience):
            raise FeedbackFileUnfit
        return survey
