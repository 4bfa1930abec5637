"""How a survey looks to a member: the invitation, the consent screen, one question with its
buttons, and the thank-you with "Withdraw my answers". Plain values in, (text, buttons) out.

The same views draw /newsurvey's preview "as a member sees it": there every button carries the
draft's own harmless data instead (``data``), so nothing can be answered from a preview.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.localtime import local_when
from bot.retention_policy import Duration
from bot.services.surveys import definition, records
from bot.services.surveys.definition import Answer, Question, Survey
from bot.services.surveys.flow import number_words
from bot.services.surveys.records import Position, SurveyRecord
from bot.texts import Markup, Texts
from handlers.retention import duration_words
from handlers.shared.callbacks import encode
from handlers.surveys.codes import (
    AGREE,
    BACK,
    DONE,
    PRESS,
    SKIP,
    START,
    STOP,
    TICK,
    WITHDRAW,
    WITHDRAW_KEEP,
    WITHDRAW_YES,
    scale_value,
    survey_data,
)

View = tuple[str, InlineKeyboardMarkup | None]
# Callback data for one survey button: (action, survey id, more parts) -> data.
Data = Callable[..., str]
MENU = ("menu", "home")  # the main menu button's data
CHOSEN_MARK = "✅ "  # before an option ticked, or chosen before


class SurveyViews:
    """Renders what a member sees of a survey, from the catalogue, in local time."""

    def __init__(self, texts: Texts, zone: ZoneInfo, answers_kept: Duration | None = None) -> None:
        self._texts = texts
        self._zone = zone
        # From the survey service (the retention policy): the consent screen says it. Only
        # views that never draw the consent screen (the invitation's) are built without it.
        self._answers_kept = answers_kept

    # Pieces

    def when(self, moment: datetime) -> str:
        """Like 'Thursday 10 December 2026 at 17:00', in local time."""
        return local_when(moment, self._zone, self._texts)

    def anonymity(self, anonymous: bool) -> str:
        """One short line: anonymous or not (plain text)."""
        return self._texts.plain("surveys.anonymous_short" if anonymous else "surveys.named_short")

    def _button(self, key: str, data: str) -> InlineKeyboardButton:
        """A catalogue-labelled button."""
        return InlineKeyboardButton(self._texts.plain(key), callback_data=data)

    def menu_row(self) -> list[InlineKeyboardButton]:
        """Back to the main menu."""
        return [self._button("buttons.menu", encode(*MENU))]

    # What the service sends (handlers/surveys/messages.py)

    def invitation(self, survey: SurveyRecord) -> View:
        """The invitation with a Start button."""
        text = self._texts.get(
            "surveys.invitation",
            title=survey.title,
            questions=len(survey.survey.answerable),
            anonymity=self.anonymity(survey.anonymous),
            closes=self.when(survey.closes_at),
        )
        start = self._button("surveys.button_start", survey_data(START, survey.id))
        return text, InlineKeyboardMarkup([[start]])

    def nudge(self, survey: SurveyRecord) -> View:
        """The one gentle reminder, with a button that starts or carries on."""
        text = self._texts.get(
            "surveys.nudge", title=survey.title, closes=self.when(survey.closes_at)
        )
        carry_on = self._button("surveys.button_open", survey_data(START, survey.id))
        return text, InlineKeyboardMarkup([[carry_on]])

    def cancelled(self, survey: SurveyRecord) -> View:
        """The survey was called off (no buttons)."""
        return self._texts.get("surveys.cancelled", title=survey.title), None

    # Answering

    def position(self, position: Position) -> View:
        """Whatever the member should see now: consent, a question, thanks or why not."""
        if position.state == records.CONSENT:
            return self.consent(position.survey_id, position.title, position.survey)
        if position.state == records.QUESTION and position.question is not None:
            return self.question(position)
        if position.state == records.FINISHED:
            return self.finished(position)
        key = {
            records.CLOSED: "surveys.closed",
            records.WITHDRAWN: "surveys.withdrawn",
            records.NOT_INVITED: "surveys.not_invited",
        }.get(position.state, "surveys.closed")
        return self._texts.get(key, title=position.title), InlineKeyboardMarkup([self.menu_row()])

    def consent(self, survey_id: int, title: str, survey: Survey, data: Data = survey_data) -> View:
        """The consent screen: the author's words, then the bot's own lines, and two buttons."""
        texts = self._texts
        consent = survey.consent
        intro = (
            Markup("\n" + texts.get("surveys.consent_intro", intro=survey.intro))
            if survey.intro
            else ""
        )
        text = texts.get(
            "surveys.consent",
            title=title,
            intro=intro,
            purpose=consent.purpose,
            who_runs=consent.who_runs,
            who_sees=consent.who_sees,
            kept_for=consent.kept_for,
            bot_deletes=self._deleted(),
            anonymity=texts.plain(
                "surveys.consent_anonymous" if survey.anonymous else "surveys.consent_named"
            ),
            how=texts.plain("surveys.consent_how"),
        )
        rows = [
            [self._button("surveys.button_agree", data(AGREE, survey_id))],
            [self._button("surveys.button_not_now", data(STOP, survey_id))],
        ]
        return text, InlineKeyboardMarkup(rows)

    def _deleted(self) -> Markup | str:
        """The bot's own line after the author's "how long answers are kept": when the bot
        deletes every answer (a new line before it), or nothing when not known here."""
        if self._answers_kept is None:
            return ""
        time = duration_words(self._texts, self._answers_kept)
        return Markup("\n" + self._texts.get("surveys.consent_deleted", time=time))

    def question(self, position: Position, data: Data = survey_data) -> View:
        """One question: where it is in the survey, its words, how to answer, and its buttons."""
        question = position.question
        assert question is not None
        texts = self._texts
        section = (
            Markup(texts.get("surveys.section", heading=position.section.text) + "\n\n")
            if position.section is not None
            else ""
        )
        notes = [texts.get("surveys.optional")] if question.optional else []
        notes += self._previous(position)
        text = texts.get(
            "surveys.question",
            section=section,
            title=position.title,
            number=position.number,
            total=max(position.about_total, position.number),
            text=question.text,
            how=self.how(question),
            notes=Markup("".join("\n" + note for note in notes)),
        )
        return text, self.question_buttons(position, data)

    def how(self, question: Question) -> str:
        """How to answer this kind of question (plain text)."""
        plain = self._texts.plain
        if question.kind == definition.CHOICE:
            return plain("surveys.how_choice")
        if question.kind == definition.CHOICES:
            return plain("surveys.how_choices")
        if question.kind == definition.SCALE:
            if question.low_label and question.high_label:
                return plain(
                    "surveys.how_scale_labels", low=question.low_label, high=question.high_label
                )
            return plain("surveys.how_scale")
        if question.kind == definition.NUMBER:
            low, high = question.minimum, question.maximum
            if low is not None and high is not None:
                how = plain(
                    "surveys.how_number_between",
                    minimum=number_words(low),
                    maximum=number_words(high),
                )
            elif low is not None:
                how = plain("surveys.how_number_at_least", minimum=number_words(low))
            elif high is not None:
                how = plain("surveys.how_number_at_most", maximum=number_words(high))
            else:
                how = plain("surveys.how_number")
            return how + (" " + plain("surveys.how_number_decimals") if question.decimals else "")
        return plain("surveys.how_text", max_length=number_words(question.max_length))

    def _previous(self, position: Position) -> list[str]:
        """The ticks so far, or what they answered before when they came back (safe HTML)."""
        question = position.question
        assert question is not None
        texts = self._texts
        if question.kind == definition.CHOICES and position.pending:
            return [texts.get("surveys.chosen_so_far", answers=labels(question, position.pending))]
        if (
            position.previous is definition.SKIPPED
        ):  # none before, or skipped: the same to the member
            return []
        return [texts.get("surveys.previous", answer=answer_words(question, position.previous))]

    def question_buttons(
        self, position: Position, data: Data = survey_data
    ) -> InlineKeyboardMarkup:
        """The answer buttons (ticked or chosen before marked), then Back, Skip and Stop."""
        question = position.question
        assert question is not None
        survey_id, qid = position.survey_id, question.id
        mark = CHOSEN_MARK
        rows: list[list[InlineKeyboardButton]] = []
        if question.kind == definition.CHOICE:
            for option in question.options:
                chosen = position.previous == option.id
                label = (mark if chosen else "") + option.label
                rows.append([_labelled(label, data(PRESS, survey_id, qid, option.id))])
        elif question.kind == definition.CHOICES:
            for option in question.options:
                ticked = option.id in position.pending
                label = (mark if ticked else "") + option.label
                rows.append([_labelled(label, data(TICK, survey_id, qid, option.id))])
            rows.append([self._button("surveys.button_done", data(DONE, survey_id, qid))])
        elif question.kind == definition.SCALE:
            rows.append(
                [
                    _labelled(
                        (mark if position.previous == value else "") + str(value),
                        data(PRESS, survey_id, qid, scale_value(value)),
                    )
                    for value in definition.SCALE_VALUES
                ]
            )
        moves = []
        if position.can_go_back:
            moves.append(self._button("surveys.button_back", data(BACK, survey_id)))
        if question.optional:
            moves.append(self._button("surveys.button_skip", data(SKIP, survey_id, qid)))
        if moves:
            rows.append(moves)
        rows.append([self._button("surveys.button_stop", data(STOP, survey_id))])
        return InlineKeyboardMarkup(rows)

    def finished(self, position: Position) -> View:
        """Thanks; just after finishing, with the one button that withdraws the answers."""
        texts = self._texts
        if position.withdraw_token is None:
            key = (
                "surveys.already_finished_anonymous"
                if position.anonymous
                else "surveys.already_finished"
            )
            return texts.get(key, title=position.title), InlineKeyboardMarkup([self.menu_row()])
        withdraw = texts.plain(
            "surveys.finished_anonymous" if position.anonymous else "surveys.finished_named"
        )
        text = texts.get("surveys.finished", title=position.title, withdraw=withdraw)
        return text, self.withdraw_buttons(position.withdraw_token)

    def withdraw_buttons(self, token: str) -> InlineKeyboardMarkup:
        """ "Withdraw my answers", then the menu."""
        return InlineKeyboardMarkup(
            [[self._button("surveys.button_withdraw", encode(WITHDRAW, token))], self.menu_row()]
        )

    def withdraw_ask(self, token: str) -> View:
        """Are you sure? Yes, or keep them."""
        rows = [
            [self._button("surveys.button_withdraw_yes", encode(WITHDRAW, token, WITHDRAW_YES))],
            [self._button("surveys.button_withdraw_keep", encode(WITHDRAW, token, WITHDRAW_KEEP))],
        ]
        return self._texts.get("surveys.withdraw_ask"), InlineKeyboardMarkup(rows)

    def stopped(self, survey_id: int) -> View:
        """Answers so far are kept; Carry on."""
        rows = [
            [self._button("surveys.button_carry_on", survey_data(START, survey_id))],
            self.menu_row(),
        ]
        return self._texts.get("surveys.stopped"), InlineKeyboardMarkup(rows)


def labels(question: Question, option_ids: tuple[str, ...] | list[str]) -> str:
    """The labels of these options, in the question's order."""
    return ", ".join(o.label for o in question.options if o.id in option_ids)


def answer_words(question: Question, answer: Answer) -> str:
    """An answer in words: option labels, the scale value, the number or the text (plain)."""
    if question.kind == definition.CHOICE and isinstance(answer, str):
        option = question.option(answer)
        return option.label if option is not None else answer
    if question.kind == definition.CHOICES and isinstance(answer, tuple | list):
        return labels(question, tuple(answer))
    if question.kind in (definition.SCALE, definition.NUMBER) and isinstance(answer, int | float):
        return number_words(answer)
    if question.kind == definition.TEXT:
        return str(answer)
    return str(answer)


def _labelled(label: str, data: str) -> InlineKeyboardButton:
    """A button labelled with words from the survey file."""
    return InlineKeyboardButton(label, callback_data=data)
