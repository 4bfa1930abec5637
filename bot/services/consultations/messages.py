"""What consultations send: their kinds in the delivery engine, the preference that lets
members have them, and how they look (the handlers layer provides the renderer)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.delivery.content import Media
from bot.delivery.outbox import Rendered
from bot.results.suppression import SafeResults
from storage.consultations import Consultation
from storage.db import Session

KIND_INVITE, KIND_NUDGE = "consultation_invite", "consultation_nudge"
KIND_RESULTS, KIND_MEMBER_RESULTS = "consultation_results", "consultation_member_results"
KIND_CANCELLED, KIND_FOLLOWUP = "consultation_cancelled", "consultation_followup"
KIND_GROUP_POST = "consultation_group_post"  # a new question, in a linked group chat
# Notices sent to people picked by whether they answered (the results to those who did, the
# nudge to those who did not): who got one, who it missed and how many it went to would say
# who answered, so coordinators are not shown them.
# A survey's nudge goes to those who have not finished, so it is one too (its kind is
# bot/services/surveys/messages.py's KIND_NUDGE; that module imports this one).
KINDS_BY_ANSWER = (KIND_MEMBER_RESULTS, KIND_NUDGE, "survey_nudge")
PREFERENCE = "consultations"


@dataclass(frozen=True)
class PackPart:
    """One message of a results pack: text, and a chart or file with it."""

    text_html: str
    media: Media | None = None


# Parts added after a results pack, given the consultation's or survey's id (a series' trend).
ExtraParts = Callable[[int], Awaitable[list[PackPart]]]
# A round's line for its invitation, given the consultation's or survey's id (read in the
# transaction given, if any): "This question repeats. ... This is round 3." None: a one-off.
RoundNote = Callable[[int, Session | None], Awaitable[str | None]]


def with_round_note(rendered: Rendered, note: str | None) -> Rendered:
    """An invitation with a series round's line as its last paragraph (as it is without)."""
    if not note:
        return rendered
    text_html, markup = rendered
    return f"{text_html}\n\n{note}", markup


class ConsultationMessages(Protocol):
    """How consultation messages look; the handlers layer provides it."""

    def invitation(self, consultation: Consultation) -> Rendered: ...
    def group_post(self, consultation: Consultation) -> str: ...
    def nudge(self, consultation: Consultation) -> Rendered: ...
    def cancelled(self, consultation: Consultation) -> Rendered: ...
    def followup(self, consultation: Consultation, text: str) -> Rendered: ...
    def member_results(self, consultation: Consultation, results: SafeResults) -> Rendered: ...
    async def results_pack(
        self, consultation: Consultation, results: SafeResults, comments: list[str] | None
    ) -> list[PackPart]: ...


def for_members(consultation: Consultation) -> dict[str, str]:
    """Delivery options for a message to a consultation's members: the preference that lets them
    have it, and the audience it names."""
    return {"preference": PREFERENCE, "audience": consultation.audience_label}
