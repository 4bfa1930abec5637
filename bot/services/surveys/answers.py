"""Members answering a survey: consent, one question at a time, back, skip, ticks, typed
answers, finishing and withdrawing. Each step is one transaction that reads the member's place
again (and whether the survey is still open), decides with the pure rules of ``flow.py`` and
writes the change; a stale button changes nothing and gives back where the member is."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.services.errors import InvalidChoice
from bot.services.surveys import definition, flow, records
from bot.services.surveys.definition import Answer, Question, Survey, from_json
from bot.services.surveys.errors import SurveyGone
from bot.services.surveys.records import Position
from bot.services.surveys.rules import KEPT_DEFINITIONS
from storage.surveys import (
    FINISHED as INVITE_FINISHED,
)
from storage.surveys import (
    WITHDRAWN as INVITE_WITHDRAWN,
)
from storage.surveys import (
    Finish,
    Keep,
    Progress,
    SurveyRepository,
)

TOKEN_BYTES = 16  # a response id: secrets.token_urlsafe(16), 22 characters
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,43}$")
PRESSED = (definition.CHOICE, definition.SCALE)  # answered by one press
TYPED = (definition.NUMBER, definition.TEXT)  # answered by typing

# A step: from the survey and the member's progress, what changes (None: nothing).
Move = Callable[[Survey, Progress], Keep | Finish | None]


@dataclass(frozen=True)
class Known:
    """What never changes about a running survey: its title, anonymity and questions."""

    id: int
    title: str
    anonymous: bool
    survey: Survey


class Definitions:
    """Running surveys' questions kept in memory (read and parsed once; they never change once
    a survey is out). States and deadlines are read again on every step."""

    def __init__(self, surveys: SurveyRepository) -> None:
        self._surveys = surveys
        self._kept: dict[int, Known] = {}

    async def get(self, survey_id: int) -> Known:
        """A survey's fixed parts, or SurveyGone when there is no such survey."""
        known = self._kept.get(survey_id)
        if known is None:
            row = await self._surveys.get(survey_id)
            if row is None:
                raise SurveyGone
            known = Known(row.id, row.title, row.anonymous, from_json(row.definition))
            if len(self._kept) >= KEPT_DEFINITIONS:
                del self._kept[next(iter(self._kept))]
            self._kept[survey_id] = known
        return known

    def parse(self, survey_id: int, definition: str) -> Survey:
        """The questions of a survey row (kept once parsed)."""
        known = self._kept.get(survey_id)
        return known.survey if known is not None else from_json(definition)


@dataclass(eq=False)
class SurveyAnswers:
    """Every step a member takes through a survey; each returns where they are now."""

    surveys: SurveyRepository
    clock: Clock
    definitions: Definitions

    async def current(self, member_id: int, survey_id: int) -> Position:
        """Where the member is: consent, the question to answer now, or why there is none."""
        return await self._step(member_id, survey_id, lambda survey, progress: None)

    async def begin(self, member_id: int, survey_id: int) -> Position:
        """Start or carry on (the invitation, /surveys, "Have your say", "Carry on"): a place
        kept after "Stop for now" is taken up again; the consent screen or the question."""
        await self.surveys.carry_on(survey_id, member_id)
        return await self.current(member_id, survey_id)

    async def stop(self, member_id: int, survey_id: int) -> Position:
        """ "Stop for now": the member's place is kept and marked stopped, so typed text is no
        answer until they carry on (after a restart too); where they were is returned."""
        position = await self.current(member_id, survey_id)
        if position.state == records.QUESTION:
            await self.surveys.stop(survey_id, member_id)
        return position

    async def agree(self, member_id: int, survey_id: int) -> Position:
        """The member agreed on the consent screen: the first question comes next."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            if progress.agreed:
                return None  # pressed twice: carry on where they are
            return Keep((), {}, ())

        return await self._step(member_id, survey_id, move)

    async def press(
        self, member_id: int, survey_id: int, question_id: str, value: Answer
    ) -> Position:
        """A one-choice or scale button: answer and move on (flow.AnswerRefused for a value
        that is not the question's)."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            question = _on(survey, progress, question_id, PRESSED)
            if question is None:
                return None
            answer = flow.check_answer(question, _pressed(question, value))
            return self._answered(member_id, survey, progress, question, answer)

        return await self._step(member_id, survey_id, move)

    async def tick(
        self, member_id: int, survey_id: int, question_id: str, option_id: str
    ) -> Position:
        """Tick or untick one option of a several-choices question (kept until Done)."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            question = _on(survey, progress, question_id, (definition.CHOICES,))
            if question is None:
                return None
            if question.option(option_id) is None:
                raise InvalidChoice
            ticked = set(progress.pending) ^ {option_id}
            pending = tuple(o.id for o in question.options if o.id in ticked)
            return Keep(progress.path, progress.answers, pending)

        return await self._step(member_id, survey_id, move)

    async def done(self, member_id: int, survey_id: int, question_id: str) -> Position:
        """Confirm the ticks of a several-choices question (flow.AnswerRefused with none)."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            question = _on(survey, progress, question_id, (definition.CHOICES,))
            if question is None:
                return None
            answer = flow.check_answer(question, tuple(progress.pending))
            return self._answered(member_id, survey, progress, question, answer)

        return await self._step(member_id, survey_id, move)

    async def typed(self, member_id: int, survey_id: int, question_id: str, text: str) -> Position:
        """A typed number or text, read by ``flow.read_typed`` (its AnswerRefused says why,
        and nothing changes)."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            question = _on(survey, progress, question_id, TYPED)
            if question is None:
                return None
            answer = flow.read_typed(question, text)
            return self._answered(member_id, survey, progress, question, answer)

        return await self._step(member_id, survey_id, move)

    async def skip(self, member_id: int, survey_id: int, question_id: str) -> Position:
        """Skip an optional question (flow.AnswerRefused for one that needs an answer)."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            question = _on(survey, progress, question_id, (*PRESSED, definition.CHOICES, *TYPED))
            if question is None:
                return None
            answer = flow.check_answer(question, definition.SKIPPED)
            return self._answered(member_id, survey, progress, question, answer)

        return await self._step(member_id, survey_id, move)

    async def back(self, member_id: int, survey_id: int) -> Position:
        """Back one question: the answer given there is shown as before (ticks ticked again)
        and counts again only once it is answered again."""

        def move(survey: Survey, progress: Progress) -> Keep | Finish | None:
            if not progress.agreed or not progress.path:
                return None
            path = progress.path[:-1]
            question = survey.question(progress.path[-1])
            return Keep(path, progress.answers, _remembered_ticks(question, progress.answers))

        return await self._step(member_id, survey_id, move)

    async def withdraw(self, member_id: int, token: str) -> bool:
        """Take back a finished response by the id its "Withdraw my answers" button carries,
        while the survey is open; False when it is closed, already gone, or not theirs."""
        if not isinstance(token, str) or not _TOKEN.match(token):
            return False
        return await self.surveys.withdraw(token, member_id, self.clock.now()) is not None

    async def answering(self, member_id: int, any_kind: bool = False) -> Position | None:
        """The survey whose typed question (``any_kind``: any question) this member is on,
        the one touched last first; one they stopped for now is not."""
        for survey_id in await self.surveys.answering(member_id, self.clock.now()):
            position = await self.current(member_id, survey_id)
            if position.state == records.QUESTION and (any_kind or position.question.kind in TYPED):
                return position
        return None

    # The steps' shared parts

    async def _step(self, member_id: int, survey_id: int, move: Move) -> Position:
        """Run one step in one transaction and say where the member is after it. A member
        who is not asked, has finished, or a survey not open now changes nothing."""
        known = await self.definitions.get(survey_id)

        def decide(progress: Progress) -> Keep | Finish | None:
            if not progress.open or not progress.invited or progress.finished:
                return None
            return move(known.survey, progress)

        progress, change = await self.surveys.step(survey_id, member_id, self.clock.now(), decide)
        if isinstance(change, Finish):
            return _plain(known, records.FINISHED, withdraw_token=change.response_id)
        if isinstance(change, Keep):
            progress = Progress(
                progress.open,
                progress.invited,
                True,
                progress.finished,
                change.path,
                change.answers,
                change.pending,
            )
        return position(known, progress)

    def _answered(
        self,
        member_id: int,
        survey: Survey,
        progress: Progress,
        question: Question,
        answer: Answer,
    ) -> Keep | Finish:
        """The member's progress with this answer (or skip) added: the next question, or the
        finished response when there is none."""
        path = (*progress.path, question.id)
        answers = {**progress.answers, question.id: answer}
        counted = _counted(survey, path, answers)
        following = flow.next_question(survey, counted, question.id)
        if following is None:
            member = None if survey.anonymous else member_id  # anonymous: no link kept
            return Finish(secrets.token_urlsafe(TOKEN_BYTES), member, counted)
        return Keep(path, answers, _remembered_ticks(following, answers))


def position(known: Known, progress: Progress) -> Position:
    """Where a member is, from their progress: the state, and for a question its number, the
    section heading it starts, its ticks and any answer given before."""
    if not progress.open:
        return _plain(known, records.CLOSED)
    if not progress.invited:
        return _plain(known, records.NOT_INVITED)
    if progress.finished == INVITE_FINISHED:
        return _plain(known, records.FINISHED)
    if progress.finished == INVITE_WITHDRAWN:
        return _plain(known, records.WITHDRAWN)
    if not progress.agreed:
        return _plain(known, records.CONSENT)
    survey = known.survey
    counted = _counted(survey, progress.path, progress.answers)
    after = progress.path[-1] if progress.path else None
    question = flow.next_question(survey, counted, after)
    if question is None:  # cannot happen: the last answer finishes; said as finished
        return _plain(known, records.FINISHED)
    section = flow.section_of(survey, question.id)
    if progress.path and flow.section_of(survey, progress.path[-1]) == section:
        section = None  # the heading was shown with an earlier question
    before = None
    if question.id in progress.answers and question.id not in progress.path:
        before = stored_answer(progress.answers[question.id])
    return Position(
        known.id,
        known.title,
        known.anonymous,
        survey,
        records.QUESTION,
        question=question,
        section=section,
        number=len(progress.path) + 1,
        about_total=len(progress.path) + flow.count_left(survey, counted, after),
        can_go_back=bool(progress.path),
        pending=progress.pending,
        previous=before,
    )


def _plain(known: Known, state: str, withdraw_token: str | None = None) -> Position:
    """A position with no question: consent, finished, closed, withdrawn or not asked."""
    return Position(
        known.id,
        known.title,
        known.anonymous,
        known.survey,
        state,
        withdraw_token=withdraw_token,
    )


def stored_answer(value: object) -> Answer:
    """An answer as kept in JSON back to its value (ticks as a tuple)."""
    if isinstance(value, list):
        return tuple(value)
    return value  # type: ignore[return-value]


def _counted(survey: Survey, path: tuple[str, ...], answers: Mapping[str, object]) -> dict:
    """The answers that count: those on the member's path (not ones they went back from),
    as values (ticks as tuples); flow then keeps only questions still shown."""
    return flow.shown_answers(survey, {q: stored_answer(answers.get(q)) for q in path})


def _on(
    survey: Survey, progress: Progress, question_id: str, kinds: tuple[str, ...]
) -> Question | None:
    """The question the member is on, if it is ``question_id`` and of one of ``kinds``; None
    for a stale button or text (nothing changes then)."""
    if not progress.agreed:
        return None
    counted = _counted(survey, progress.path, progress.answers)
    after = progress.path[-1] if progress.path else None
    question = flow.next_question(survey, counted, after)
    if question is None or question.id != question_id or question.kind not in kinds:
        return None
    return question


def _pressed(question: Question, value: Answer) -> Answer:
    """A pressed value as the question takes it: a scale's "S3" or "3" is 3."""
    if question.kind == definition.SCALE and isinstance(value, str):
        return value.removeprefix("S")
    return value


def _remembered_ticks(question: Question | None, answers: Mapping[str, object]) -> tuple[str, ...]:
    """The ticks to start a several-choices question with: those given before, if any."""
    if question is None or question.kind != definition.CHOICES:
        return ()
    before = answers.get(question.id)
    return tuple(before) if isinstance(before, list | tuple) else ()
