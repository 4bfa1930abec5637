"""Consultation refusals: each carries the catalogue key of its kind reply (keys keep the
command's word, "polls")."""

from __future__ import annotations

from bot.services.errors import ServiceError
from storage.consultations import Consultation, ConsultationRepository


class ConsultationGone(ServiceError):
    """The consultation does not exist, was cancelled, or has not opened."""

    reason = "polls.gone"


class ConsultationClosed(ServiceError):
    """The consultation has closed, so answers can no longer change."""

    reason = "polls.closed"


class NotInvited(ServiceError):
    """This member was not asked this question."""

    reason = "polls.not_invited"


class NothingChosen(ServiceError):
    """Done was pressed before any answer was chosen."""

    reason = "polls.choose_first"


class ResultsNotReady(ServiceError):
    """Results are shown once the consultation has closed."""

    reason = "polls.results_not_ready"


class ResultsHidden(ServiceError):
    """The coordinator chose not to show members the results."""

    reason = "polls.results_hidden"


class QuestionInvalid(ServiceError):
    """The question is empty or too long."""

    reason = "polls.question_invalid"


class OptionInvalid(ServiceError):
    """An answer is empty, too long, or a repeat."""

    reason = "polls.option_invalid"


class OptionCount(ServiceError):
    """There must be 2 to 10 answers."""

    reason = "polls.option_count"


class NoteInvalid(ServiceError):
    """The note for members is empty or too long."""

    reason = "polls.note_invalid"


class CloseTooSoon(ServiceError):
    """The closing time must leave the consultation open for a while."""

    reason = "polls.close_too_soon"


class CloseTooFar(ServiceError):
    """The closing time is too far ahead."""

    reason = "polls.close_too_far"


class TextInvalid(ServiceError):
    """A comment or follow-up is empty or too long."""

    reason = "polls.text_invalid"


class StillOpen(ServiceError):
    """This can only be done after the consultation has closed."""

    reason = "polls.still_open"


async def existing(consultations: ConsultationRepository, consultation_id: int) -> Consultation:
    """One consultation, or ConsultationGone."""
    consultation = await consultations.get(consultation_id)
    if consultation is None:
        raise ConsultationGone
    return consultation
