"""How consultation messages look: the question with its answer buttons, nudges, and the
results pack (words, a chart and a CSV file) built from privacy-safe figures.

The consultation service calls this (the composition root gives it an instance), so the
service never builds texts or callback data itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery.audience import EVERYONE, REGION
from bot.delivery.content import FileUpload, Media
from bot.forum import Forum
from bot.localtime import local_when
from bot.results.chart import bar_chart_png
from bot.results.csvfile import CsvHeaders, results_csv
from bot.results.suppression import (
    FEWER_THAN_5,
    FEWER_THAN_THRESHOLD,
    HIDDEN,
    OTHER_AREAS,
    SHOWN,
    Figure,
    SafeResults,
)
from bot.services.consultations import WHILE_OPEN, Consultation, MemberAnswer, PackPart
from bot.texts import Markup, Texts
from handlers.shared.callbacks import encode

VOTE = "cv"  # cv:<consultation id>:<answer position>[:1 choose | :0 un-choose]
DONE = "cd"  # cd:<consultation id>  (several answers: confirm)
RESULTS = "cr"  # cr:<consultation id>  (a member sees what people said)
COMMENT = "cc"  # cc:<consultation id>  (write a comment)
CHOSEN_MARK = "✅ "
CAPTION_ROOM = 1000  # a little under Telegram's 1,024 for a photo caption


class ConsultationMessages:
    """Renders consultation texts from the catalogue, in local time."""

    def __init__(self, texts: Texts, zone: ZoneInfo, forum: Forum) -> None:
        self._texts = texts
        self._zone = zone
        self._forum = forum

    # Pieces

    def when(self, moment: datetime) -> str:
        """Like 'Thursday 10 December 2026 at 17:00', in local time."""
        return local_when(moment, self._zone, self._texts)

    def closes(self, consultation: Consultation, moment: datetime | None = None) -> str:
        """When it closes (or ``moment``), in local time."""
        return self.when(moment or consultation.closes_at)

    def question_block(self, consultation: Consultation) -> Markup:
        """The question, how to answer, when it closes, and the note about who reads it."""
        how = "polls.how_several" if consultation.multiple else "polls.how_one"
        return Markup(
            self._texts.get(
                "polls.question_block",
                question=consultation.question,
                how=self._texts.plain(how),
                closes=self.closes(consultation),
                note=consultation.member_note,
            )
        )

    def buttons(
        self, consultation: Consultation, answer: MemberAnswer | None
    ) -> InlineKeyboardMarkup:
        """One button per answer (chosen ones ticked); Done when several are allowed; a
        comment button once answered; results when members may see them while open."""
        chosen = answer.chosen if answer else frozenset()
        rows = []
        for position, label in enumerate(consultation.options):
            ticked = position in chosen
            text = (CHOSEN_MARK + label) if ticked else label
            if consultation.multiple:
                data = encode(VOTE, consultation.id, position, 0 if ticked else 1)
            else:
                data = encode(VOTE, consultation.id, position)
            rows.append([InlineKeyboardButton(text, callback_data=data)])
        if consultation.multiple:
            rows.append([self._button("polls.button_done", DONE, consultation.id)])
        if answer is not None and answer.answered:
            if consultation.ask_comment:
                rows.append([self._button("polls.button_comment", COMMENT, consultation.id)])
            if consultation.show_results == WHILE_OPEN:
                rows.append([self._button("polls.button_results", RESULTS, consultation.id)])
        return InlineKeyboardMarkup(rows)

    def _button(self, key: str, action: str, *args: object) -> InlineKeyboardButton:
        """A catalogue-labelled button."""
        return InlineKeyboardButton(self._texts.plain(key), callback_data=encode(action, *args))

    def answer_line(self, consultation: Consultation, answer: MemberAnswer) -> str:
        """'Your answer: …', 'Chosen so far: … Tap Done.' or 'Not answered yet.' (safe HTML)."""
        labels = ", ".join(
            consultation.options[position]
            for position in sorted(answer.chosen)
            if position < len(consultation.options)
        )
        if answer.answered and consultation.ask_comment:
            return self._texts.get("polls.your_answer_say_more", answers=labels)
        if answer.answered:
            return self._texts.get("polls.your_answer", answers=labels)
        if answer.chosen:
            return self._texts.get("polls.chosen_so_far", answers=labels)
        return self._texts.get("polls.not_answered")

    def member_view(self, consultation: Consultation, answer: MemberAnswer) -> tuple[str, object]:
        """The question as one member sees it now, with their answer and buttons."""
        text = self._texts.get(
            "polls.member_view",
            block=self.question_block(consultation),
            answer=Markup(self.answer_line(consultation, answer)),
        )
        return text, self.buttons(consultation, answer)

    # Messages the service sends

    def group_post(self, consultation: Consultation) -> str:
        """The question as posted in a linked group: answered only in private."""
        return self._texts.get(
            "group_chats.post_question",
            question=consultation.question,
            closes=self.when(consultation.closes_at),
        )

    def invitation(self, consultation: Consultation) -> tuple[str, object]:
        """The question with its answer buttons."""
        text = self._texts.get("polls.invitation", block=self.question_block(consultation))
        return text, self.buttons(consultation, None)

    def nudge(self, consultation: Consultation) -> tuple[str, object]:
        """The one gentle nudge, with the answer buttons."""
        text = self._texts.get("polls.nudge", block=self.question_block(consultation))
        return text, self.buttons(consultation, None)

    def cancelled(self, consultation: Consultation) -> tuple[str, object]:
        """The question was withdrawn (no buttons)."""
        return self._texts.get("polls.cancelled", question=consultation.question), None

    def followup(self, consultation: Consultation, text: str) -> tuple[str, object]:
        """'You said, we did' with the question it is about."""
        return (
            self._texts.get("polls.followup", question=consultation.question, text=text),
            None,
        )

    def member_results(
        self, consultation: Consultation, results: SafeResults
    ) -> tuple[str, object]:
        """What people said, for members (national figures only: the service passes the
        pack's own national figures, so together they tell nothing more)."""
        return (
            self._texts.get(
                "polls.member_results",
                question=consultation.question,
                lines=Markup(self.answer_lines(results)),
            ),
            None,
        )

    async def results_pack(
        self, consultation: Consultation, results: SafeResults, comments: list[str] | None
    ) -> list[PackPart]:
        """The chart (with its words as the caption), the full figures, the CSV file, and for
        coordinators the comments. Every part shows the same protected figures."""
        status_words = self.status_words(results.threshold)
        chart = await asyncio.to_thread(
            bar_chart_png,
            list(consultation.options),
            list(results.counts),
            title=consultation.question,
            status_words=status_words,
        )
        csv_bytes = results_csv(
            results,
            area_names=self.area_names(consultation, results),
            headers=CsvHeaders(
                area=self._texts.plain("polls.csv_area"),
                everyone=self._texts.plain("polls.csv_everyone"),
                invited=self._texts.plain("polls.csv_invited"),
                answered=self._texts.plain("polls.csv_answered"),
                response_rate=self._texts.plain("polls.csv_response_rate"),
            ),
            status_words=status_words,
        )
        summary = self.summary(consultation, results)
        caption = self._texts.get(
            "polls.chart_caption", question=consultation.question, summary=Markup(summary)
        )
        if len(caption) > CAPTION_ROOM:
            caption = self._texts.get("polls.chart_caption_short")
        parts = [
            PackPart(
                caption, Media("photo", upload=FileUpload(f"results-{consultation.id}.png", chart))
            ),
            PackPart(self.full_results(consultation, results)),
            PackPart(
                self._texts.get("polls.csv_caption"),
                Media("document", upload=FileUpload(f"results-{consultation.id}.csv", csv_bytes)),
            ),
        ]
        if comments is not None:
            parts.append(PackPart(self.comments_text(consultation, comments)))
        return parts

    # The figures in words

    def status_words(self, threshold: int) -> dict[str, str]:
        """The words for a suppressed figure ("fewer than 10" is the small-group threshold)."""
        return {
            FEWER_THAN_5: self._texts.plain("polls.fewer_than_5"),
            FEWER_THAN_THRESHOLD: self._texts.plain(
                "polls.fewer_than_threshold", threshold=threshold
            ),
            HIDDEN: self._texts.plain("polls.hidden"),
        }

    def figure(self, figure: Figure, threshold: int) -> str:
        """A number, 'fewer than 5', 'fewer than 10' or 'hidden' (plain text)."""
        if figure.status == SHOWN:
            return str(figure.value)
        return self.status_words(threshold)[figure.status]

    def answer_lines(self, results: SafeResults) -> str:
        """One line per answer: count and percentage when they can be shown (safe HTML)."""
        if results.withheld:
            return self._texts.get("polls.withheld")
        lines = []
        for label, figure, percent in zip(
            results.options, results.counts, results.percents, strict=True
        ):
            if percent is not None:
                lines.append(
                    self._texts.get(
                        "polls.line_percent",
                        answer=label,
                        count=self.figure(figure, results.threshold),
                        # a space, then "(40%)"
                        percent=Markup(" " + self._texts.get("polls.percent", percent=percent)),
                    )
                )
            else:
                lines.append(
                    self._texts.get(
                        "polls.line", answer=label, count=self.figure(figure, results.threshold)
                    )
                )
        return "\n".join(lines)

    def summary(self, consultation: Consultation, results: SafeResults) -> str:
        """How many were asked and answered, then each answer (safe HTML)."""
        rate = (
            self._texts.get("polls.rate", rate=results.response_rate)
            if results.response_rate is not None
            else ""
        )
        several = self._texts.get("polls.several_note") if consultation.multiple else ""

        return self._texts.get(
            "polls.summary",
            invited=self.figure(results.invited, results.threshold),
            answered=self.figure(results.answered, results.threshold),
            rate=Markup(rate),
            lines=Markup(self.answer_lines(results)),
            several=Markup(several),
        )

    def area_names(
        self, consultation: Consultation, results: SafeResults | None = None
    ) -> dict[str, str]:
        """Names for the breakdown's areas: regions for a national consultation, hubs for a
        regional one; '' is members who did not say; "Other areas (...)" names the small
        areas put together in these results."""
        names = {"": self._texts.plain("polls.no_area")}
        if consultation.audience_scope == EVERYONE:
            names.update({region.id: region.name for region in self._forum.regions})
        elif consultation.audience_scope == REGION:
            for region in self._forum.regions:
                names.update({hub.id: hub.name for hub in region.hubs})
        for area in results.areas if results is not None else ():
            if area.area_id == OTHER_AREAS:
                listed = ", ".join(names.get(part, part) for part in area.parts)
                names[OTHER_AREAS] = self._texts.plain("polls.other_areas", names=listed)
        return names

    def full_results(self, consultation: Consultation, results: SafeResults) -> str:
        """The whole results text: the summary, then the breakdown by area."""
        names = self.area_names(consultation, results)
        threshold = results.threshold
        blocks = []
        for area in results.areas:
            rate = (
                self._texts.get("polls.rate", rate=area.response_rate)
                if area.response_rate is not None
                else ""
            )
            counts = "\n".join(
                self._texts.get("polls.line", answer=label, count=self.figure(figure, threshold))
                for label, figure in zip(results.options, area.counts, strict=True)
            )
            blocks.append(
                self._texts.get(
                    "polls.area_block",
                    area=names.get(area.area_id, area.area_id),
                    invited=self.figure(area.invited, threshold),
                    answered=self.figure(area.answered, threshold),
                    rate=Markup(rate),
                    lines=Markup(counts),
                )
            )
        breakdown = (
            self._texts.get("polls.breakdown", blocks=Markup("\n\n".join(blocks))) if blocks else ""
        )
        return self._texts.get(
            "polls.full_results",
            question=consultation.question,
            closed=self.closes(consultation, consultation.closed_at),
            summary=Markup(self.summary(consultation, results)),
            breakdown=Markup(breakdown),
            threshold=threshold,
        )

    def comments_text(self, consultation: Consultation, comments: Sequence[str]) -> str:
        """Comments without names, with a reminder to check them before sharing."""
        if not comments:
            return self._texts.get("polls.no_comments", question=consultation.question)
        return self._texts.get(
            "polls.comments",
            question=consultation.question,
            count=len(comments),
            comments=Markup(
                "\n\n".join(self._texts.get("polls.comment_item", text=c) for c in comments)
            ),
        )
